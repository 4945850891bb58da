/**
 * The audit writer. Call it with the same transaction client as the change it records, so the
 * row exists exactly when the change does.
 *
 * The database chains each row (seq, prevHash, SHA-256 hash, under advisory lock 727001); this
 * writer then seals it: an HMAC of its seq and hash under the audit key (audit-key.ts), inserted
 * into "AuditSeal" in the same transaction. The key never reaches the database.
 */
import type { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/db";
import type { AuditAction, AuditOutcome } from "~/server/audit/audit-actions";
import { sealFor, type AuditKeyring } from "~/server/audit/audit-key";
import { rootAuditKeyring } from "~/server/composition";
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

type Tx = Pick<Db, "auditLog" | "auditSeal">;
/** A Prisma client (the write gets its own transaction) or a transaction client (it joins it). */
export type AuditClient = Tx & { $transaction?: Db["$transaction"]; $connect?: Db["$connect"] };

/** The process's audit keyring (AUDIT_HMAC_KEY), for callers that pass none. */
export function processAuditKeyring(): AuditKeyring {
  return rootAuditKeyring();
}

export async function writeAudit(db: AuditClient, e: AuditEntry, keys: AuditKeyring = processAuditKeyring()): Promise<void> {
  const write = async (tx: Tx) => {
    const row = await tx.auditLog.create({
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
      select: { seq: true, hash: true },
    });
    await tx.auditSeal.create({ data: sealFor(keys, row.seq!, row.hash!) });
  };
  // Only a root client has $connect; a transaction client has a $transaction too (savepoints, which PGlite lacks).
  if (typeof db.$connect === "function" && typeof db.$transaction === "function") await db.$transaction((tx) => write(tx));
  else await write(db);
}

/** A Prisma transaction, or anything that runs one parameterised statement (a pg client in tests). */
type RawTx = { $executeRawUnsafe(sql: string, ...values: unknown[]): PromiseLike<unknown> };

/**
 * Seals rows a caller inserted with its own SQL (`INSERT INTO "AuditLog" ... RETURNING seq, hash`),
 * in that caller's transaction: one statement for any number of rows.
 */
export async function sealAuditRows(tx: RawTx, rows: { seq: bigint | string | number; hash: string }[], keys: AuditKeyring = processAuditKeyring()): Promise<void> {
  if (rows.length === 0) return;
  const seals = rows.map((r) => sealFor(keys, BigInt(r.seq), r.hash)).map((s) => ({ seq: s.seq.toString(), keyId: s.keyId, mac: s.mac }));
  await tx.$executeRawUnsafe(
    `INSERT INTO "AuditSeal" (seq, "keyId", mac) SELECT x.seq::bigint, x."keyId", x.mac FROM json_to_recordset($1::json) AS x(seq text, "keyId" text, mac text)`,
    JSON.stringify(seals),
  );
}
