"use client";

import { useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { TH, fmtDateTime } from "~/app/(app)/signals/_components/execution-format";
import { CellLabel, RT } from "~/components/responsive-table";
import { type RouterOutputs, useTRPC } from "~/trpc/react";
import { SignalExecutions } from "./signal-executions";
import { SignalProgress } from "./signal-progress";

type Signal = RouterOutputs["strategies"]["signals"][number];

const LIVE = new Set(["RECEIVED", "FANNING_OUT"]);
const SIGNAL_STYLE: Record<Signal["status"], string> = {
  RECEIVED: "bg-blue-50 text-blue-900 ring-blue-600/20",
  FANNING_OUT: "bg-blue-100 text-blue-900 ring-blue-600/20",
  DONE: "bg-green-100 text-green-900 ring-green-600/20",
  REJECTED: "bg-red-100 text-red-900 ring-red-600/20",
};
const COLUMNS = ["Received", "Strategy", "Signal", "Status", "Decision", "Progress", ""];

export function SignalsTable() {
  const trpc = useTRPC();
  const [open, setOpen] = useState<string | null>(null);
  const list = useQuery(
    trpc.strategies.signals.queryOptions(undefined, {
      refetchInterval: (q) => (q.state.data?.some((s) => LIVE.has(s.status)) ? 1000 : 5000),
    }),
  );

  if (list.isPending) return <p className="text-sm text-slate-500">Loading signals…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-600">{list.error.message}</p>;
  if (list.data.length === 0) return <p className="text-sm text-slate-500">No signals received yet.</p>;

  return (
    <div className="rounded-lg border border-slate-200 bg-white sm:overflow-x-auto">
      <table className={RT.table} aria-label="Signals">
        <thead className={`${RT.thead} bg-slate-50`}>
          <tr>
            {COLUMNS.map((c, i) => (
              <th key={i} scope="col" className={TH}>{c || <span className="sr-only">Details</span>}</th>
            ))}
          </tr>
        </thead>
        <tbody className={RT.tbody}>
          {list.data.map((s) => {
            const expanded = open === s.id;
            const toggle = () => setOpen(expanded ? null : s.id);
            return (
              <Fragment key={s.id}>
                <tr data-testid="signal-row" data-status={s.status} onClick={toggle} className={`${RT.row} cursor-pointer hover:bg-slate-50 ${expanded ? "bg-slate-50" : ""}`}>
                  <td className={`${RT.cell} text-slate-700 sm:whitespace-normal`}><CellLabel>Received</CellLabel>{fmtDateTime(s.receivedAt)}</td>
                  <td className={RT.cell}><CellLabel>Strategy</CellLabel>{s.strategyName}</td>
                  <td className={RT.cell}>
                    <CellLabel>Signal</CellLabel>
                    <span className="font-medium capitalize">{s.action}</span> <span className="font-mono">{s.symbol}</span>
                  </td>
                  <td className={`${RT.cell} max-sm:order-first`}>
                    <CellLabel>Status</CellLabel>
                    <span data-testid="signal-status" className={`inline-flex whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${SIGNAL_STYLE[s.status]}`}>
                      {s.status.replace("_", " ")}
                    </span>
                  </td>
                  <td className={`${RT.wideCell} max-sm:order-1 sm:min-w-48 sm:max-w-sm`}>
                    <CellLabel>Decision</CellLabel>
                    <Decision signal={s} />
                  </td>
                  <td className={RT.cell}>
                    <CellLabel>Progress</CellLabel>
                    <SignalProgress progress={s.progress} />
                  </td>
                  <td className={RT.cell}>
                    <button
                      type="button"
                      aria-expanded={expanded}
                      aria-controls={`signal-${s.id}-executions`}
                      onClick={(e) => {
                        e.stopPropagation();
                        toggle();
                      }}
                      className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
                    >
                      Details
                    </button>
                  </td>
                </tr>
                {expanded ? (
                  <tr id={`signal-${s.id}-executions`} data-testid="signal-details" className="block sm:table-row">
                    <td colSpan={COLUMNS.length} className="block bg-slate-50 px-3 py-3 sm:table-cell">
                      {/* Zero intrinsic width: the wide executions table scrolls inside the row instead of widening the signals table off-screen. */}
                      <div className="w-0 min-w-full">
                        <SignalExecutions signalId={s.id} live={LIVE.has(s.status)} />
                      </div>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Decision({ signal: s }: { signal: Signal }) {
  return (
    <div data-testid="signal-decision" className="space-y-1 text-sm">
      {s.approved === null ? (
        <span className="text-slate-500">Pending</span>
      ) : s.approved ? (
        <span className="font-medium text-green-700">Approved</span>
      ) : (
        <span className="font-medium text-red-700">Rejected</span>
      )}
      {s.reasons.length ? (
        <ul className="list-disc space-y-0.5 pl-4 text-slate-700">
          {s.reasons.map((r, i) => (
            <li key={`${r.code}-${i}`}>{r.message}</li>
          ))}
        </ul>
      ) : null}
      {s.model ? (
        <p className="text-xs text-slate-600" data-testid="model-verdict">
          Model ({s.model.source}): <span className="font-medium">{s.model.decision}</span>. {s.model.reason}
        </p>
      ) : null}
      {s.subscriberCount ? <p className="text-xs text-slate-500">{s.subscriberCount} subscriber{s.subscriberCount === 1 ? "" : "s"}</p> : null}
    </div>
  );
}
