import type { Metadata } from "next";
import { BrandPage } from "~/components/brand-page";

export const metadata: Metadata = { title: "Page not found · KeyRelay" };

export default function NotFound() {
  return (
    <BrandPage code="404" title="This page does not exist">
      <p data-testid="not-found">The address may be mistyped, or the page has moved. Nothing about your keys or orders changed.</p>
    </BrandPage>
  );
}
