/**
 * Reading the audit log: filters, keyset pagination (id descending, never OFFSET, so page N
 * costs what page 1 costs at a million rows), a streamed CSV export, the chain check, and a
 * user's own security log.
 */
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import type { AuditKeyring } from "~/server/audit/audit-key";
import { verifySeals } from "~/server/audit/verify-seals";
import { processAuditKeyring, writeAudit } from "~/server/audit/write-audit";
import { rawFromPrisma, type Db, type RawSql } from "~/server/db";
import type { RequestMeta } from "~/server/http/request-meta";

export const auditFilterSchema = z.object({
  user: z.string().trim().max(254).optional(),
  action: z.string().trim().max(80).optional(),
  outcome: z.enum(["SUCCESS", "FAILURE", "DENIED"]).optional(),
  targetType: z.string().trim().max(40).optional(),
  targetId: z.string().trim().max(100).optional(),
  ip: z.string().trim().max(64).optional(),
  from: z.coerce.date({ error: "from must be a date" }).optional(),
  to: z.coerce.date({ error: "to must be a date" }).optional(),
  q: z.string().trim().max(100).optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export async function auditWhere(db: Db, f: AuditFilter): Promise<Prisma.AuditLogWhereInput> {
  const and: Prisma.AuditLogWhereInput[] = [];
  if (f.user) {
    // A user is given by email (or id); rows carry the actor's id, and the email for sign-in failures.
    const u = await db.user.findFirst({ where: { OR: [{ email: f.user.toLowerCase() }, { id: f.user }] }, select: { id: true } });
    and.push(u ? { OR: [{ actorId: u.id }, { actorEmail: f.user.toLowerCase() }] } : { actorEmail: f.user.toLowerCase() });
  }
  if (f.action) and.push(f.action.endsWith("*") ? { action: { startsWith: f.action.slice(0, -1) } } : { action: f.action });
  if (f.outcome) and.push({ outcome: f.outcome });
  if (f.targetType) and.push({ targetType: f.targetType });
  if (f.targetId) and.push({ targetId: f.targetId });
  if (f.ip) and.push({ ip: f.ip });
  if (f.from) and.push({ createdAt: { gte: f.from } });
  if (f.to) and.push({ createdAt: { lte: f.to } });
  if (f.q) {
    const c = { contains: f.q, mode: "insensitive" as const };
    and.push({ OR: [{ action: c }, { actorEmail: c }, { targetType: c }, { targetId: c }, { ip: c }, { userAgent: c }] });
  }
  return and.length ? { AND: and } : {};
}

export interface AuditRowView {
  id: string;
  seq: string | null;
  createdAt: Date;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  outcome: "SUCCESS" | "FAILURE" | "DENIED";
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
  hash: string | null;
  prevHash: string | null;
}

type Row = Prisma.AuditLogGetPayload<object>;
export function auditView(r: Row): AuditRowView {
  return { ...r, id: r.id.toString(), seq: r.seq?.toString() ?? null, details: r.details ?? null };
}

export async function listAudit(db: Db, filter: AuditFilter, page: { cursor?: string | null; limit?: number } = {}) {
  const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
  const where = await auditWhere(db, filter);
  const rows = await db.auditLog.findMany({
    where: page.cursor ? { AND: [where, { id: { lt: BigInt(page.cursor) } }] } : where,
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const more = rows.length > limit;
  const items = await withActorEmails(db, rows.slice(0, limit).map(auditView));
  return { items, nextCursor: more ? items.at(-1)!.id : null };
}

export async function getAuditRow(db: Db, id: string) {
  const r = await db.auditLog.findUnique({ where: { id: BigInt(id) } });
  return r ? (await withActorEmails(db, [auditView(r)]))[0]! : null;
}

/** Most rows store only the actor's id; show the account's email beside it (the stored row is unchanged). */
async function withActorEmails(db: Db, items: AuditRowView[]): Promise<AuditRowView[]> {
  const ids = [...new Set(items.filter((i) => !i.actorEmail && i.actorId).map((i) => i.actorId!))];
  if (ids.length === 0) return items;
  const emails = new Map((await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]));
  return items.map((i) => (!i.actorEmail && i.actorId ? { ...i, actorEmail: emails.get(i.actorId) ?? null } : i));
}

const CSV_COLUMNS = ["id", "seq", "createdAt", "actorId", "actorEmail", "action", "outcome", "targetType", "targetId", "ip", "userAgent", "details", "hash"] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = v instanceof Date ? v.toISOString() : typeof v === "object" ? JSON.stringify(v) : String(v);
  // Quote always; neutralise spreadsheet formulas (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** An admin's export of the filtered set: audited (with the filter) before the first row is read. */
export async function exportAuditCsv(db: Db, actor: { id: string; meta: RequestMeta }, filter: AuditFilter): Promise<AsyncGenerator<string>> {
  await writeAudit(db, { action: "admin.audit.export", outcome: "SUCCESS", actorId: actor.id, meta: actor.meta, details: { filter: JSON.parse(JSON.stringify(filter)) } });
  return auditCsv(db, filter);
}

/** The filtered set as CSV, read in keyset batches so memory stays flat at any size. */
export async function* auditCsv(db: Db, filter: AuditFilter, batch = 2000): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(",")}\n`;
  const where = await auditWhere(db, filter);
  let cursor: bigint | null = null;
  for (;;) {
    const rows: Row[] = await db.auditLog.findMany({
      where: cursor === null ? where : { AND: [where, { id: { lt: cursor } }] },
      orderBy: { id: "desc" },
      take: batch,
    });
    if (rows.length === 0) return;
    yield rows.map((r) => CSV_COLUMNS.map((c) => csvCell(c === "id" || c === "seq" ? r[c]?.toString() : r[c])).join(",")).join("\n") + "\n";
    cursor = rows.at(-1)!.id;
    if (rows.length < batch) return;
  }
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  firstBroken: { id: string; seq: string; reason: string } | null;
  /** Rows with a valid keyed seal, and rows before the first seal (written before seals existed). */
  sealed: number;
  unsealed: number;
  /** seq of the first sealed row (for checkpoints), if any. */
  firstSealedSeq: string | null;
}

/** verifyAuditChain through a Prisma client (or transaction), for callers handed one rather than a Database. */
export function verifyAuditChainIn(db: Db, keys?: AuditKeyring): Promise<ChainReport> {
  return verifyAuditChain(rawFromPrisma(db), keys);
}

/**
 * Checks the whole log and names the first broken row (lowest seq): the plain chain recomputed in
 * the database (content, links, gaps), then every keyed seal recomputed here with the audit key.
 */
export async function verifyAuditChain(raw: RawSql, keys: AuditKeyring = processAuditKeyring()): Promise<ChainReport> {
  const plain = await verifyPlainChain(raw);
  const seals = await verifySeals(raw, keys);
  const a = plain.firstBroken;
  const b = seals.firstBroken;
  // The lower seq is the first broken row; at the same row, the plain reason says more (content vs link).
  const firstBroken = a && b ? (BigInt(b.seq) < BigInt(a.seq) ? b : a) : (a ?? b);
  return { ok: firstBroken === null, checked: plain.checked, firstBroken, sealed: seals.sealed, unsealed: seals.unsealedBefore, firstSealedSeq: seals.firstSealedSeq };
}

/** Recomputes every row's SHA-256 chain hash in the database (one pass, ordered by seq). */
async function verifyPlainChain(raw: RawSql): Promise<Pick<ChainReport, "checked" | "firstBroken">> {
  const rows = await raw.query<{ id: string; seq: string; reason: string; checked: string }>(`
    WITH c AS (
      SELECT a.id, a.seq, a.hash, a."prevHash",
             lag(a.hash) OVER w AS prev, lag(a.seq) OVER w AS prev_seq,
             audit_row_hash(lag(a.hash) OVER w, a) AS expected
      FROM "AuditLog" a WHERE a.seq IS NOT NULL WINDOW w AS (ORDER BY a.seq)
    ), bad AS (
      SELECT id::text, seq::text,
        CASE WHEN hash IS DISTINCT FROM expected THEN 'content does not match its hash (the row was changed)'
             WHEN "prevHash" IS DISTINCT FROM prev THEN 'previous hash does not match (a row before it was removed or changed)'
             ELSE 'sequence gap (a row before it was removed)' END AS reason
      FROM c
      WHERE hash IS DISTINCT FROM expected OR "prevHash" IS DISTINCT FROM prev OR (prev_seq IS NOT NULL AND seq <> prev_seq + 1)
      ORDER BY seq LIMIT 1
    )
    SELECT bad.*, (SELECT count(*) FROM c)::text AS checked FROM bad
    UNION ALL SELECT NULL, NULL, NULL, (SELECT count(*) FROM c)::text WHERE NOT EXISTS (SELECT 1 FROM bad)`);
  const r = rows[0]!;
  return { checked: Number(r.checked), firstBroken: r.id === null ? null : { id: r.id, seq: r.seq, reason: r.reason } };
}

/** A user's own latest audit rows (Settings -> Security log): what, when, from which IP. */
export async function userSecurityLog(db: Db, userId: string, limit = 50) {
  const rows = await db.auditLog.findMany({
    where: { actorId: userId },
    orderBy: { id: "desc" },
    take: limit,
    select: { id: true, createdAt: true, action: true, outcome: true, ip: true, userAgent: true },
  });
  return rows.map((r) => ({ id: r.id.toString(), at: r.createdAt, action: r.action, outcome: r.outcome, ip: r.ip, userAgent: r.userAgent }));
}
