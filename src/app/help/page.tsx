import type { Metadata } from "next";
import Link from "next/link";
import { GUIDES, TROUBLESHOOTING_LINK } from "~/server/help/guides";
import { HelpHeader } from "./_components/help-header";

export const metadata: Metadata = { title: "Help · KeyRelay" };

/** Public (no sign-in): the user guides and the troubleshooting page. The same guides are docs/users.md. */
export default function HelpIndexPage() {
  const entries = [...GUIDES.map((g) => ({ href: `/help/${g.slug}`, title: g.title, summary: g.summary })), TROUBLESHOOTING_LINK];
  return (
    <main className="mx-auto max-w-3xl space-y-6 px-4 py-8">
      <header className="space-y-2">
        <HelpHeader />
        <h1 className="text-2xl font-semibold text-slate-900">Help</h1>
        <p className="text-sm text-slate-600">Step-by-step guides for trading your TradingView signals on your own Binance and Bybit accounts. No sign-in needed.</p>
      </header>
      <ul className="space-y-3" aria-label="Guides">
        {entries.map((e) => (
          <li key={e.href}>
            <Link href={e.href} data-testid="help-guide-link" className="block rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-500">
              <span className="block font-semibold text-brand-700">{e.title}</span>
              <span className="mt-1 block text-sm text-slate-600">{e.summary}</span>
            </Link>
          </li>
        ))}
      </ul>
    </main>
  );
}
