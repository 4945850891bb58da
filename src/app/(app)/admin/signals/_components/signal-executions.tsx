"use client";

import { useQuery } from "@tanstack/react-query";
import { EXCHANGE_NAMES, ExecutionStatusBadge, PaperTag, TD, TH, dash, explain, fmtTimeMs } from "~/app/(app)/signals/_components/execution-format";
import { ES, isInFlight } from "~/server/engine/execution-state";
import { useTRPC } from "~/trpc/react";
import { TierTimeline } from "~/app/(app)/admin/signals/_components/tier-timeline";
import { HelpLink } from "~/components/help-link";

const COLUMNS = ["User", "Tier", "Exchange", "Symbol", "Side", "Status", "Amount", "Filled", "Avg price", "Client order ID", "Exchange order ID", "Latency", "Sent", "Ack", "Message"];
const NUMERIC = new Set(["Amount", "Filled", "Avg price", "Latency"]);

/** Every subscriber's execution of one signal; polls every second while the signal is still fanning out. */
export function SignalExecutions({ signalId, live }: { signalId: string; live: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(
    trpc.strategies.signalExecutions.queryOptions(
      { signalId },
      { refetchInterval: (q) => (live || q.state.data?.some((e) => isInFlight(e.status)) ? 1000 : false) },
    ),
  );

  if (list.isPending) return <p className="px-3 py-2 text-sm text-slate-500">Loading executions…</p>;
  if (list.isError) return <p role="alert" className="px-3 py-2 text-sm text-red-600">{list.error.message}</p>;
  if (list.data.length === 0) return <p className="px-3 py-2 text-sm text-slate-500">No executions: nobody was subscribed, or the signal was rejected.</p>;

  return (
    <>
    <TierTimeline rows={list.data} />
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Executions of this signal">
        <thead className="bg-slate-50">
          <tr>
            {COLUMNS.map((c) => (
              <th key={c} scope="col" className={`${TH} ${NUMERIC.has(c) ? "text-right" : ""}`}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {list.data.map((e) => (
            <tr key={e.id} data-testid="execution-row" data-status={e.status}>
              <td className={TD}>{e.userEmail ?? "—"}</td>
              <td className={TD}>{e.tier}</td>
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
              <td className={`${TD} text-right font-mono tabular-nums`}>{dash(e.filledAmount)}</td>
              <td className={`${TD} text-right font-mono tabular-nums`}>{dash(e.averagePrice)}</td>
              <td className={`${TD} font-mono text-xs`}>{e.clientOrderId}</td>
              <td className={`${TD} font-mono text-xs`}>{dash(e.exchangeOrderId)}</td>
              <td className={`${TD} text-right tabular-nums`} data-testid="latency">{e.latencyMs === null ? "—" : `${e.latencyMs} ms`}</td>
              <td className={`${TD} tabular-nums text-slate-600`}>{fmtTimeMs(e.sentAt)}</td>
              <td className={`${TD} tabular-nums text-slate-600`}>{fmtTimeMs(e.ackAt)}</td>
              <td className="min-w-64 max-w-md px-3 py-2 align-top text-slate-700">{e.status === ES.FILLED && !e.message ? "—" : explain(e)} <HelpLink help={e.help} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    </>
  );
}
