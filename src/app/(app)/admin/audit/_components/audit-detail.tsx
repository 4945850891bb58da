"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTRPC } from "~/trpc/react";
import { BUTTON } from "./audit-params";
import { type AuditRow, OutcomeBadge, actorOf } from "./audit-format";

/** One audit row in full, in a modal dialog. Opening it is itself audited (admin.audit.detail). */
export function AuditDetail({ row, onClose }: { row: AuditRow; onClose: () => void }) {
  const trpc = useTRPC();
  const dialog = useRef<HTMLDialogElement>(null);
  const detail = useQuery(trpc.admin.auditDetail.queryOptions({ id: row.id }, { placeholderData: row, staleTime: Infinity }));
  const r = detail.data ?? row;

  useEffect(() => {
    const d = dialog.current;
    // No close() on cleanup: Strict Mode's re-run would fire "close" and unmount the dialog at once.
    if (d && !d.open) d.showModal();
  }, []);

  const fields: [string, React.ReactNode][] = [
    ["Id", r.id],
    ["Seq", r.seq ?? "—"],
    ["Time", `${r.createdAt.toISOString()} (${r.createdAt.toLocaleString()})`],
    ["Actor", actorOf(r)],
    ["Actor id", r.actorId ?? "—"],
    ["Actor email", r.actorEmail ?? "—"],
    ["Action", r.action],
    ["Outcome", <OutcomeBadge key="o" outcome={r.outcome} />],
    ["Target type", r.targetType ?? "—"],
    ["Target id", r.targetId ?? "—"],
    ["IP", r.ip ?? "—"],
    ["User agent", r.userAgent ?? "—"],
    ["Hash", r.hash ?? "—"],
    ["Previous hash", r.prevHash ?? "—"],
  ];

  return (
    <dialog
      ref={dialog}
      onClose={onClose}
      aria-labelledby="audit-detail-title"
      className="m-auto max-h-[90vh] w-[calc(100%-1.5rem)] max-w-2xl overflow-y-auto rounded-xl p-4 shadow-xl backdrop:bg-slate-900/40 sm:p-6"
    >
      <div data-testid="audit-detail" data-id={r.id} className="space-y-4">
        <div className="flex items-start justify-between gap-3">
          <h2 id="audit-detail-title" className="min-w-0 break-words text-lg font-semibold">
            Audit event {r.id}: <span className="font-mono text-base">{r.action}</span>
          </h2>
          <button type="button" onClick={() => dialog.current?.close()} className={BUTTON}>
            Close
          </button>
        </div>
        {detail.isError ? <p role="alert" className="text-sm text-red-600">{detail.error.message}</p> : null}
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
          {fields.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="font-medium text-slate-500">{label}</dt>
              <dd data-field={label} className="mb-1 min-w-0 break-all font-mono text-xs sm:mb-0 sm:text-sm">{value}</dd>
            </div>
          ))}
        </dl>
        <div className="space-y-1">
          <h3 className="text-sm font-medium text-slate-500">Details</h3>
          <pre data-testid="audit-detail-json" className="max-h-80 overflow-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
            {r.details === null || r.details === undefined ? "null" : JSON.stringify(r.details, null, 2)}
          </pre>
        </div>
      </div>
    </dialog>
  );
}
