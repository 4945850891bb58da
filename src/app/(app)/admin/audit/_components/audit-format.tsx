/** How an audit row reads in the table and the detail dialog. */
import type { RouterOutputs } from "~/trpc/react";

export type AuditRow = RouterOutputs["admin"]["auditList"]["items"][number];

const OUTCOME_STYLE: Record<AuditRow["outcome"], string> = {
  SUCCESS: "bg-green-100 text-green-800 ring-green-600/20",
  FAILURE: "bg-red-100 text-red-800 ring-red-600/20",
  DENIED: "bg-amber-100 text-amber-900 ring-amber-600/20",
};

export function OutcomeBadge({ outcome }: { outcome: AuditRow["outcome"] }) {
  return (
    <span data-testid="audit-outcome" data-outcome={outcome} className={`inline-flex whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${OUTCOME_STYLE[outcome]}`}>
      {outcome}
    </span>
  );
}

export const actorOf = (r: AuditRow) => r.actorEmail ?? r.actorId ?? "—";
export const targetOf = (r: AuditRow) => (r.targetType || r.targetId ? `${r.targetType ?? "?"}:${r.targetId ?? "—"}` : "—");
