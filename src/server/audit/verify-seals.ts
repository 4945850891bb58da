/**
 * The keyed half of the chain check: every AuditLog row from the first sealed one on must carry a
 * seal (AuditSeal) whose HMAC, under the audit key named by its key id, matches the row's seq and
 * chain hash. The SQL half (audit-query.ts) recomputes the plain SHA-256 chain; someone who owns
 * the database can recompute that too, but not these.
 *
 * Rows before the first seal are the ones written before seals existed (the upgrade); they are
 * checked by the plain chain only. Dropping every seal from some row on, to pass rewritten rows off
 * as such, is caught only against an earlier checkpoint (audit-checkpoint.ts): `--checkpoint`.
 */
import { sealMac, type AuditKeyring } from "~/server/audit/audit-key";
import type { RawSql } from "~/server/db";

export interface BrokenRow {
  id: string;
  seq: string;
  reason: string;
}

export interface SealReport {
  firstBroken: BrokenRow | null;
  /** Rows carrying a valid seal. */
  sealed: number;
  /** Rows before the first seal (written before seals existed). */
  unsealedBefore: number;
  /** seq of the first sealed row, if any. */
  firstSealedSeq: string | null;
}

const BATCH = 5000;

export async function verifySeals(raw: RawSql, keys: AuditKeyring, batch = BATCH): Promise<SealReport> {
  let after = "0";
  let sealed = 0;
  let unsealedBefore = 0;
  let firstSealedSeq: string | null = null;
  for (;;) {
    const rows = await raw.query<{ id: string; seq: string; hash: string | null; keyId: string | null; mac: string | null }>(
      `SELECT a.id::text AS id, a.seq::text AS seq, a.hash, s."keyId", s.mac
         FROM "AuditLog" a LEFT JOIN "AuditSeal" s ON s.seq = a.seq
        WHERE a.seq > $1::bigint ORDER BY a.seq LIMIT ${Number(batch)}`,
      [after],
    );
    for (const r of rows) {
      const broken = (reason: string): SealReport => ({ firstBroken: { id: r.id, seq: r.seq, reason }, sealed, unsealedBefore, firstSealedSeq });
      if (r.mac === null || r.keyId === null) {
        if (firstSealedSeq !== null) return broken("no keyed seal, though earlier rows have one (written or rewritten without the audit key)");
        unsealedBefore++;
        continue;
      }
      const key = keys.get(r.keyId);
      if (!key) return broken(`sealed with audit key ${r.keyId}, which is not configured (put the retired key in AUDIT_HMAC_KEYS_OLD)`);
      if (r.hash === null || sealMac(key, r.seq, r.hash) !== r.mac) {
        return broken("keyed seal does not match (the row, or one before it, was changed and the hashes recomputed without the audit key)");
      }
      firstSealedSeq ??= r.seq;
      sealed++;
    }
    if (rows.length < batch) break;
    after = rows.at(-1)!.seq;
  }
  // A seal whose row is gone: rows were deleted (and the chain after them renumbered or cut).
  const orphan = await raw.query<{ seq: string }>(
    `SELECT s.seq::text AS seq FROM "AuditSeal" s WHERE NOT EXISTS (SELECT 1 FROM "AuditLog" a WHERE a.seq = s.seq) ORDER BY s.seq LIMIT 1`,
  );
  if (orphan[0]) {
    return { firstBroken: { id: "(removed)", seq: orphan[0].seq, reason: "a keyed seal exists for this position but its row is gone (rows were removed)" }, sealed, unsealedBefore, firstSealedSeq };
  }
  return { firstBroken: null, sealed, unsealedBefore, firstSealedSeq };
}
