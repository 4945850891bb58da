"use client";

import { useQuery } from "@tanstack/react-query";
import { CellLabel, RT } from "~/components/responsive-table";
import { useTRPC } from "~/trpc/react";
import { EXCHANGE_NAMES, ExecutionStatusBadge, PaperTag, TH, dash, explain, fmtDateTime } from "./execution-format";
import { HelpLink } from "~/components/help-link";

/** The user's orders: a table on a wide screen, one card per order on a phone (status and reason first). */
export function MyExecutions() {
  const trpc = useTRPC();
  const list = useQuery(trpc.strategies.myExecutions.queryOptions(undefined, { refetchInterval: 2000 }));

  if (list.isPending) return <p className="text-sm text-slate-600">Loading your orders…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-700">{list.error.message}</p>;
  if (list.data.length === 0)
    return <p className="text-sm text-slate-600" data-testid="no-executions">No orders yet. They appear here as soon as a strategy you follow sends a signal.</p>;

  return (
    <div className="rounded-lg border border-slate-200 bg-white sm:overflow-x-auto">
      <table className={RT.table} aria-label="Your orders">
        <thead className={`${RT.thead} bg-slate-50`}>
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
        <tbody className={RT.tbody}>
          {list.data.map((e) => (
            <tr key={e.id} data-testid="my-execution-row" data-status={e.status} className={RT.row}>
              <td className={`${RT.cell} text-slate-700`}><CellLabel>Time</CellLabel><time dateTime={e.queuedAt.toISOString()}>{fmtDateTime(e.queuedAt)}</time></td>
              <td className={RT.cell}><CellLabel>Strategy</CellLabel>{e.strategyName}</td>
              <td className={RT.cell}><CellLabel>Exchange</CellLabel>{e.exchange ? EXCHANGE_NAMES[e.exchange] : "—"}</td>
              <td className={`${RT.cell} font-mono`}><CellLabel>Symbol</CellLabel>{e.symbol}</td>
              <td className={`${RT.cell} capitalize`}><CellLabel>Side</CellLabel>{e.side}</td>
              <td className={`${RT.cell} max-sm:order-first`}>
                <CellLabel>Status</CellLabel>
                <span className="inline-flex items-center gap-1.5">
                  <ExecutionStatusBadge status={e.status} />
                  {e.paper ? <PaperTag /> : null}
                </span>
              </td>
              <td className={`${RT.cell} font-mono tabular-nums sm:text-right`}><CellLabel>Amount</CellLabel>{dash(e.amount)}</td>
              <td className={`${RT.cell} font-mono tabular-nums sm:text-right`}><CellLabel>Avg price</CellLabel>{dash(e.averagePrice)}</td>
              <td className={`${RT.wideCell} text-slate-800 max-sm:order-1 sm:min-w-64 sm:max-w-md sm:whitespace-normal`}>
                <CellLabel>What happened</CellLabel>
                <span data-testid="execution-message" className="block break-words">{explain(e)}</span>
                <HelpLink help={e.help} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
