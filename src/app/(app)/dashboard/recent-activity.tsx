import Link from "next/link";
import { formatDateTime } from "~/components/time-format";
import { EXCHANGE_NAMES, ExecutionStatusBadge, PaperTag, explain } from "~/app/(app)/signals/_components/execution-format";
import type { RouterOutputs } from "~/trpc/react";
import { HelpLink } from "~/components/help-link";

type Overview = RouterOutputs["dashboard"]["overview"];

/** AA contrast on every chip (>= 4.5:1). */
const SIGNAL_STYLE = {
  RECEIVED: "bg-blue-100 text-blue-900",
  FANNING_OUT: "bg-blue-100 text-blue-900",
  DONE: "bg-green-100 text-green-900",
  REJECTED: "bg-red-100 text-red-900",
} as const;

const CARD = "rounded-xl border border-slate-200 bg-white p-5 shadow-sm";
const TITLE = "text-xs font-semibold uppercase tracking-wide text-slate-600";

/** The latest signals of the strategies you follow, and your latest orders with what happened. */
export function RecentActivity({ data }: { data: Overview }) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <section aria-labelledby="recent-signals-title" data-testid="recent-signals" className={CARD}>
        <div className="mb-3 flex items-baseline justify-between gap-2">
          <h2 id="recent-signals-title" className={TITLE}>Latest signals</h2>
          <Link href="/signals" className="text-sm font-medium text-brand-700 hover:underline">Strategies</Link>
        </div>
        {data.recentSignals.length === 0 ? (
          <p className="text-sm text-slate-600">{data.subscriptions === 0 ? "Subscribe to a strategy to see its signals here." : "No signal from your strategies yet."}</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {data.recentSignals.map((s) => (
              <li key={s.id} data-testid="recent-signal" className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2">
                <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${SIGNAL_STYLE[s.status]}`}>{s.status.replace("_", " ")}</span>
                <span className="font-medium">{s.strategyName}</span>
                <span className="font-mono">{s.action} {s.symbol}</span>
                <time dateTime={s.receivedAt.toISOString()} className="w-full text-slate-600 sm:ml-auto sm:w-auto">{formatDateTime(s.receivedAt)}</time>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="recent-orders-title" data-testid="recent-orders" className={CARD}>
        <div className="mb-3 flex items-baseline justify-between gap-2">
          <h2 id="recent-orders-title" className={TITLE}>Latest orders</h2>
          <Link href="/signals#orders-title" className="text-sm font-medium text-brand-700 hover:underline">All orders</Link>
        </div>
        {data.recentOrders.length === 0 ? (
          <p className="text-sm text-slate-600">No orders yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {data.recentOrders.map((o) => (
              <li key={o.id} data-testid="recent-order" data-status={o.status} className="space-y-1 py-2">
                <div className="flex flex-wrap items-center gap-2">
                  <ExecutionStatusBadge status={o.status} />
                  {o.paper ? <PaperTag /> : null}
                  <span className="font-medium">{o.strategyName}</span>
                  <span className="font-mono capitalize">{o.side} {o.symbol}</span>
                  {o.exchange ? <span className="text-slate-600">{EXCHANGE_NAMES[o.exchange]}</span> : null}
                </div>
                <p className="break-words text-slate-700">{explain(o)} <HelpLink help={o.help} /></p>
                <time dateTime={o.queuedAt.toISOString()} className="block text-slate-600">{formatDateTime(o.queuedAt)}</time>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
