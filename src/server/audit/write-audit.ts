/**
 * The audit writer. Call it with the same transaction client as the change it records, so the
 * row exists exactly when the change does.
 */
import type { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/db";
import type { AuditAction, AuditOutcome } from "~/server/audit/audit-actions";
import type { RequestMeta } from "~/server/http/request-meta";

export interface AuditEntry {
  action: AuditAction;
  outcome: AuditOutcome;
  actorId?: string | null;
  actorEmail?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  meta?: RequestMeta | null;
  details?: Prisma.InputJsonValue;
}

type AuditClient = Pick<Db, "auditLog">;

export async function writeAudit(db: AuditClient, e: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      action: e.action,
      outcome: e.outcome,
      actorId: e.actorId ?? null,
      actorEmail: e.actorEmail ?? null,
      targetType: e.targetType ?? null,
      targetId: e.targetId ?? null,
      ip: e.meta?.ip ?? null,
      userAgent: e.meta?.userAgent ?? null,
      details: e.details,
    },
  });
}
