"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { EXCHANGE_NAMES, ExecutionStatusBadge, PaperTag, TD, TH, dash, explain, fmtDateTime } from "./execution-format";

export function MyExecutions() {
  const trpc = useTRPC();
  const list = useQuery(trpc.strategies.myExecutions.queryOptions(undefined, { refetchInterval: 2000 }));

  if (list.isPending) return <p className="text-sm text-slate-500">Loading your orders…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-600">{list.error.message}</p>;
  if (list.data.length === 0)
    return <p className="text-sm text-slate-500" data-testid="no-executions">No orders yet. They appear here as soon as a strategy you follow sends a signal.</p>;

  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Your orders">
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className={TH}>Time</th>
            <th scope="col" className={TH}>Strategy</th>
            <th scope="col" className={TH}>Exchange</th>
            <th scope="col" className={TH}>Symbol</th>
            <th scope="col" className={TH}>Side</th>
            <th scope="col" className={TH}>Status</th>
            <th scope="col" className={`${TH} text-right`}>Amount</th>
            <th scope="col" className={`${TH} text-right`}>Avg price</th>
            <th scope="col" className={TH}>What happened</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {list.data.map((e) => (
            <tr key={e.id} data-testid="my-execution-row" data-status={e.status}>
              <td className={`${TD} text-slate-600`}>{fmtDateTime(e.queuedAt)}</td>
              <td className={TD}>{e.strategyName}</td>
              <td className={TD}>{e.exchange ? EXCHANGE_NAMES[e.exchange] : "—"}</td>
              <td className={`${TD} font-mono`}>{e.symbol}</td>
              <td className={`${TD} capitalize`}>{e.side}</td>
              <td className={TD}>
                <span className="inline-flex items-center gap-1.5">
                  <ExecutionStatusBadge status={e.status} />
                  {e.paper ? <PaperTag /> : null}
                </span>
              </td>
              <td className={`${TD} text-right font-mono tabular-nums`}>{dash(e.amount)}</td>
              <td className={`${TD} text-right font-mono tabular-nums`}>{dash(e.averagePrice)}</td>
              <td className="min-w-64 max-w-md px-3 py-2 align-top text-slate-700" data-testid="execution-message">{explain(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
