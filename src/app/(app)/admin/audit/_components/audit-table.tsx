"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { TH, fmtDateTime } from "~/app/(app)/signals/_components/execution-format";
import { CellLabel, RT } from "~/components/responsive-table";
import { type RouterInputs, useTRPC } from "~/trpc/react";
import { AuditDetail } from "./audit-detail";
import { type AuditRow, OutcomeBadge, actorOf, targetOf } from "./audit-format";
import { BUTTON } from "./audit-params";

type Filter = NonNullable<RouterInputs["admin"]["auditList"]["filter"]>;

const COLUMNS = ["Time", "Actor", "Action", "Outcome", "Target", "IP", ""];

/** Newest first, 50 a page; "Load more" appends the next keyset page and keeps the ones already loaded. */
export function AuditTable({ filter }: { filter: Filter }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<AuditRow | null>(null);
  const list = useInfiniteQuery(trpc.admin.auditList.infiniteQueryOptions({ filter, limit: 50 }, { getNextPageParam: (p) => p.nextCursor }));

  if (list.isPending) return <p className="text-sm text-slate-500">Loading the audit log…</p>;
  if (!list.data) return <p role="alert" className="text-sm text-red-600">{list.error?.message ?? "Could not load the audit log."}</p>;
  const rows = list.data.pages.flatMap((p) => p.items);
  if (rows.length === 0) return <p className="text-sm text-slate-500" data-testid="audit-empty">No audit events match these filters.</p>;

  return (
    <div className="space-y-3">
      <div className="relative rounded-lg border border-slate-200 bg-white sm:overflow-x-auto">
        <table className={RT.table} aria-label="Audit log">
          <thead className={`${RT.thead} bg-slate-50`}>
            <tr>
              {COLUMNS.map((c, i) => (
                <th key={i} scope="col" className={TH}>{c || <span className="sr-only">Details</span>}</th>
              ))}
            </tr>
          </thead>
          <tbody className={RT.tbody}>
            {rows.map((r) => (
              <tr key={r.id} data-testid="audit-row" data-action={r.action} data-outcome={r.outcome} data-id={r.id} className={RT.row}>
                <td className={`${RT.cell} tabular-nums text-slate-700`}>
                  <CellLabel>Time</CellLabel>
                  <time dateTime={r.createdAt.toISOString()}>{fmtDateTime(r.createdAt)}</time>
                </td>
                <td className={`${RT.cell} sm:max-w-64 sm:truncate`} title={actorOf(r)}><CellLabel>Actor</CellLabel><span className="min-w-0 truncate">{actorOf(r)}</span></td>
                <td className={`${RT.cell} font-mono text-xs`}><CellLabel>Action</CellLabel>{r.action}</td>
                <td className={`${RT.cell} max-sm:order-first`}>
                  <CellLabel>Outcome</CellLabel>
                  <OutcomeBadge outcome={r.outcome} />
                </td>
                <td className={`${RT.cell} font-mono text-xs sm:max-w-64 sm:truncate`} title={targetOf(r)}><CellLabel>Target</CellLabel><span className="min-w-0 truncate">{targetOf(r)}</span></td>
                <td className={`${RT.cell} font-mono text-xs`}><CellLabel>IP</CellLabel>{r.ip ?? "—"}</td>
                <td className={RT.cell}>
                  <button type="button" onClick={() => setOpen(r)} aria-haspopup="dialog" className={BUTTON}>
                    Details
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
        <span role="status" data-testid="audit-count">
          {rows.length} event{rows.length === 1 ? "" : "s"} shown{list.hasNextPage ? "" : " (all)"}
        </span>
        {list.hasNextPage ? (
          <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage} className={BUTTON}>
            {list.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        ) : null}
        {list.isError ? <span role="alert" className="text-red-600">{list.error.message}</span> : null}
      </div>
      {open ? <AuditDetail row={open} onClose={() => setOpen(null)} /> : null}
    </div>
  );
}
