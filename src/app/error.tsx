"use client";

import { BrandPage } from "~/components/brand-page";

/** Any page that failed to render: says so plainly, with a retry; the digest lets an admin find the server log line. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <BrandPage
      code="Error"
      title="Something went wrong"
      actions={
        <button type="button" onClick={reset} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
          Try again
        </button>
      }
    >
      <p data-testid="error-page">This page could not be shown. Your keys, subscriptions and orders are not affected; try again in a moment.</p>
      {error.digest ? <p className="mt-2 font-mono text-xs text-slate-600">Reference: {error.digest}</p> : null}
    </BrandPage>
  );
}
