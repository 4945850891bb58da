import Link from "next/link";
import { formatDateTime } from "~/components/time-format";
import type { RouterOutputs } from "~/trpc/react";

type Overview = RouterOutputs["dashboard"]["overview"];

const NAMES = { BINANCE: "Binance", BYBIT: "Bybit" } as const;
/** AA contrast: each pair is at least 4.5:1. */
export const KEY_STATUS_STYLE = {
  ACTIVE: "bg-green-100 text-green-900",
  UNVERIFIED: "bg-slate-200 text-slate-800",
  DISABLED: "bg-red-100 text-red-900",
  REJECTED: "bg-red-100 text-red-900",
} as const;

/** Each exchange's key: status, last check, the balance read at verification when the key has one. */
export function KeyHealthCard({ data }: { data: Overview }) {
  return (
    <section aria-labelledby="key-health-title" data-testid="key-health" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="mb-3 flex items-baseline justify-between gap-2">
        <h2 id="key-health-title" className="text-xs font-semibold uppercase tracking-wide text-slate-600">Exchange keys</h2>
        <Link href="/keys" className="text-sm font-medium text-brand-700 hover:underline">Key details</Link>
      </div>
      <ul className="space-y-3">
        {data.keys.map((x) => (
          <li key={x.exchange} data-testid={`key-health-${x.exchange.toLowerCase()}`}>
            <p className="font-medium">{NAMES[x.exchange]}</p>
            {x.keys.length === 0 ? (
              <p className="text-sm text-slate-600">No key connected.</p>
            ) : (
              x.keys.map((k) => (
                <div key={k.id} className="mt-1 space-y-0.5 text-sm">
                  <p className="flex flex-wrap items-center gap-2">
                    <span data-testid="key-health-status" className={`rounded-full px-2 py-0.5 text-xs font-semibold ${KEY_STATUS_STYLE[k.status]}`}>{k.status}</span>
                    <span className="font-mono text-slate-700">{k.apiKeyMasked}</span>
                    {k.environment !== "LIVE" ? <span className="text-xs text-slate-600">{k.environment}</span> : null}
                  </p>
                  <p className="text-slate-600">{k.lastVerifiedAt ? `Checked ${formatDateTime(k.lastVerifiedAt)}` : "Not verified yet"}</p>
                  {k.lastError && k.status !== "ACTIVE" ? <p className="break-words text-red-800">{k.lastError}</p> : null}
                  <p data-testid="key-health-balance" className="text-slate-600">
                    {k.balance?.length ? `Balance: ${k.balance.map((b) => `${b.amount} ${b.currency}`).join(", ")}` : "Balance: shown after the next verification"}
                  </p>
                </div>
              ))
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
