/**
 * Chain heads kept outside the database (`npm run audit:verify -- --checkpoint <file>`): after a
 * successful check the head (seq, hash) and the first sealed seq are written to a file the database
 * owner cannot reach (the ops machine, a bucket with object lock); the next check refuses a log
 * whose checkpointed row changed or vanished (tail cut off), or whose seals were stripped to pass
 * rewritten rows off as pre-seal ones. The file is itself sealed with the audit key; it holds no secret.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { sealMac, type AuditKeyring } from "~/server/audit/audit-key";
import type { BrokenRow } from "~/server/audit/verify-seals";
import type { RawSql } from "~/server/db";
import { AppError } from "~/server/errors";

const checkpointSchema = z.object({
  seq: z.string().regex(/^\d+$/),
  hash: z.string().min(1),
  firstSealedSeq: z.string().regex(/^\d+$/).nullable(),
  at: z.string(),
  keyId: z.string(),
  mac: z.string(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

function macOf(keys: AuditKeyring, keyId: string, c: Omit<Checkpoint, "mac" | "keyId">): string | null {
  const key = keys.get(keyId);
  return key ? sealMac(key, `checkpoint:${c.seq}:${c.firstSealedSeq ?? "-"}:${c.at}`, c.hash) : null;
}

export function makeCheckpoint(keys: AuditKeyring, head: { seq: string; hash: string }, firstSealedSeq: string | null, at = new Date()): Checkpoint {
  const body = { seq: head.seq, hash: head.hash, firstSealedSeq, at: at.toISOString() };
  return { ...body, keyId: keys.primaryId, mac: macOf(keys, keys.primaryId, body)! };
}

/** The checkpoint in `file`, or null when there is none yet. Throws when it was altered or is unreadable. */
export function readCheckpoint(file: string, keys: AuditKeyring): Checkpoint | null {
  if (!fs.existsSync(file)) return null;
  const parsed = checkpointSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) throw new AppError("CONFIG", `The checkpoint file ${file} is not a KeyRelay audit checkpoint; move it away to start a new one.`, { field: "--checkpoint" });
  const c = parsed.data;
  if (macOf(keys, c.keyId, c) !== c.mac) {
    throw new AppError("CONFIG", `The checkpoint file ${file} was altered, or was made with an audit key that is not configured (key id ${c.keyId}).`, { field: "--checkpoint" });
  }
  return c;
}

export function writeCheckpoint(file: string, c: Checkpoint): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(c, null, 2)}\n`);
  fs.renameSync(temp, file);
}

/** The head of the chain now (null for an empty log). */
export async function chainHead(raw: RawSql): Promise<{ seq: string; hash: string } | null> {
  const rows = await raw.query<{ seq: string; hash: string }>(`SELECT seq::text AS seq, hash FROM "AuditLog" WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`);
  return rows[0] ?? null;
}

/** What in the database contradicts the checkpoint, or null. */
export async function checkAgainst(raw: RawSql, c: Checkpoint, now: { firstSealedSeq: string | null }): Promise<BrokenRow | null> {
  const rows = await raw.query<{ id: string; hash: string | null }>(`SELECT id::text AS id, hash FROM "AuditLog" WHERE seq = $1::bigint`, [c.seq]);
  const row = rows[0];
  if (!row) return { id: "(removed)", seq: c.seq, reason: `the row checkpointed at ${c.at} is gone (rows were removed)` };
  if (row.hash !== c.hash) return { id: row.id, seq: c.seq, reason: `the row checkpointed at ${c.at} has another hash now (the chain up to it was rewritten)` };
  if (c.firstSealedSeq !== null && now.firstSealedSeq !== c.firstSealedSeq) {
    return { id: "(unsealed)", seq: c.firstSealedSeq, reason: `rows sealed at ${c.at} have lost their seals (first sealed row was seq ${c.firstSealedSeq}, now ${now.firstSealedSeq ?? "none"})` };
  }
  return null;
}
