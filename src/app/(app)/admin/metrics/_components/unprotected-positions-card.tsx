/** Open positions whose stop-loss is not on the exchange: the protection watch keeps trying, an admin may want to reach the user. */
import type { RouterOutputs } from "~/trpc/react";
import { EXCHANGE_NAMES, fmtDateTime } from "~/app/(app)/signals/_components/execution-format";
import { CARD } from "./chart-kit";

type Unprotected = RouterOutputs["metrics"]["unprotected"];

export function UnprotectedPositionsCard({ data }: { data: Unprotected }) {
  return (
    <section aria-labelledby="unprotected-title" data-testid="unprotected-positions" className={CARD}>
      <h2 id="unprotected-title" className="text-base font-semibold">Unprotected positions</h2>
      <p className="text-sm text-slate-600">
        Open live positions whose stop-loss could not be kept on the exchange (now). The protection watch retries; each owner was notified.
      </p>
      <p className="mt-3 text-3xl font-semibold tabular-nums" data-testid="unprotected-count">{data.count}</p>
      {data.items.length > 0 ? (
        <ul className="mt-3 divide-y divide-slate-100 text-sm">
          {data.items.map((p) => (
            <li key={p.id} data-testid="unprotected-position" className="space-y-0.5 py-2">
              <p className="flex flex-wrap gap-x-2">
                <span className="font-medium">{p.userEmail}</span>
                <span>{p.strategyName}</span>
                <span className="font-mono">{p.symbol}</span>
                <span>{p.side} {p.size}</span>
                <span className="text-slate-500">{p.exchange ? EXCHANGE_NAMES[p.exchange] : ""}</span>
                <span className="text-slate-500">since {fmtDateTime(p.unprotectedAt)}</span>
              </p>
              {p.protectionNote ? <p className="text-xs text-red-800">{p.protectionNote}</p> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-sm text-slate-500">Every open position with protection settings has its stop-loss on the exchange.</p>
      )}
      {data.count > data.items.length ? <p className="mt-2 text-xs text-slate-500">The {data.items.length} oldest are listed.</p> : null}
    </section>
  );
}
