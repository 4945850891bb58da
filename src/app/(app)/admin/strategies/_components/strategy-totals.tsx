"use client";

import { useQuery } from "@tanstack/react-query";
import { fmtMoney } from "~/components/decimal-format";
import { Amounts, ModeChip } from "~/app/(app)/positions/_components/position-format";
import { TD, TH } from "~/app/(app)/signals/_components/execution-format";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

type Strategy = RouterOutputs["positions"]["strategyTotals"][number];
type Totals = Strategy["live"];
type Line = { s: Strategy; paper: boolean; t: Totals };

const active = (t: Totals) => t.ordersPlaced > 0 || t.fills > 0 || t.openPositions > 0;
/** LIVE always; PAPER only where paper trading happened. */
const lines = (rows: Strategy[]): Line[] => rows.flatMap((s) => [{ s, paper: false, t: s.live }, ...(active(s.paper) ? [{ s, paper: true, t: s.paper }] : [])]);
const slip = (v: string | null) => (v === null ? "—" : `${fmtMoney(v, { sign: true })} %`);
const num = `${TD} text-right font-mono tabular-nums`;

/** Every strategy's trading across its subscribers: orders, fills, volume, realized PnL, slippage, open positions. */
export function StrategyTotals() {
  const trpc = useTRPC();
  const totals = useQuery(trpc.positions.strategyTotals.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (totals.isPending) return <p className="text-sm text-slate-500">Loading totals…</p>;
  if (totals.isError) return <p role="alert" className="text-sm text-red-600">{totals.error.message}</p>;
  if (totals.data.length === 0) return <p className="text-sm text-slate-500">No strategies yet.</p>;
  const all = lines(totals.data);
  return (
    <>
      <div className="hidden overflow-x-auto rounded-lg border border-slate-200 bg-white sm:block">
        <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Totals per strategy">
          <thead className="bg-slate-50">
            <tr>
              <th scope="col" className={TH}>Strategy</th>
              {["Orders", "Fills", "Volume", "Realized PnL", "Avg slippage", "Open positions"].map((c) => (
                <th key={c} scope="col" className={`${TH} text-right`}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {all.map(({ s, paper, t }) => (
              <tr key={`${s.strategyId}-${paper}`} data-testid="strategy-totals" data-view="table" data-strategy={s.name} data-mode={paper ? "PAPER" : "LIVE"}>
                <td className={TD}>
                  <span className="font-medium">{s.name}</span> <ModeChip paper={paper} />
                  {s.enabled ? null : <span className="ml-1 text-xs text-slate-500">(disabled)</span>}
                </td>
                <td className={num} data-testid="totals-orders">{t.ordersPlaced}</td>
                <td className={num} data-testid="totals-fills">{t.fills}</td>
                <td className={`${TD} text-right`}><Amounts items={t.volume} pnl={false} /></td>
                <td className={`${TD} text-right`}><Amounts items={t.realizedPnl} testId="totals-realized" /></td>
                <td className={num} title={t.avgSlippagePct ?? undefined}>{slip(t.avgSlippagePct)}</td>
                <td className={num}>{t.openPositions}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="space-y-3 sm:hidden" aria-label="Totals per strategy">
        {all.map(({ s, paper, t }) => (
          <li key={`${s.strategyId}-${paper}`} data-testid="strategy-totals" data-view="card" data-strategy={s.name} data-mode={paper ? "PAPER" : "LIVE"} className="rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm">
            <div className="flex items-start justify-between gap-2">
              <p className="min-w-0 truncate font-medium">{s.name}</p>
              <ModeChip paper={paper} />
            </div>
            <dl className="mt-2 space-y-1">
              {(
                [
                  ["Realized PnL", <Amounts key="r" items={t.realizedPnl} testId="totals-realized" />],
                  ["Orders / fills", <span key="o" data-testid="totals-orders">{`${t.ordersPlaced} / ${t.fills}`}</span>],
                  ["Volume", <Amounts key="v" items={t.volume} pnl={false} />],
                  ["Avg slippage", slip(t.avgSlippagePct)],
                  ["Open positions", t.openPositions],
                ] as const
              ).map(([k, v]) => (
                <div key={k} className="flex justify-between gap-3">
                  <dt className="text-slate-500">{k}</dt>
                  <dd className="text-right font-mono tabular-nums">{v}</dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
      </ul>
    </>
  );
}
