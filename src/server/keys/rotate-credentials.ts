/**
 * Online key rotation over the credential table (and the 2FA and notification-channel secrets, sealed with the same keyring):
 * re-seals every credential not on the primary key,
 * in batches, each row in its own short transaction (row lock + compare on the sealed value), so it
 * is safe while the app runs, safe to interrupt, and a re-run continues where it stopped. The
 * crypto is the vault's (pure reseal); the table paging lives here, with the rest of the key store.
 */
import { writeAudit } from "~/server/audit/write-audit";
import { resealTotpSecrets, totpSecretsByKeyId } from "~/server/auth/two-factor";
import type { Db } from "~/server/db";
import { logger } from "~/server/logger";
import { channelSecretsByKeyId, resealChannelSecrets } from "~/server/notifications/rotate-channel-secrets";
import type { Keyring } from "~/server/vault/keyring";
import { isVaultError, reseal } from "~/server/vault/secret-box";

export interface RotationProgress {
  scanned: number;
  resealed: number;
  failed: number;
}

export interface RotationResult extends RotationProgress {
  primaryId: string;
  /** Credentials per key id after the run. */
  byKeyId: Record<string, number>;
  /** Rows whose key is not in the ring (their owners must re-enter the key), by key id. */
  unreadable: Record<string, number>;
}

export async function rotateCredentials(
  db: Db,
  keyring: Keyring,
  opts: { batchSize?: number; onProgress?: (p: RotationProgress) => void; actor?: string } = {},
): Promise<RotationResult> {
  const batchSize = opts.batchSize ?? 100;
  const progress: RotationProgress = { scanned: 0, resealed: 0, failed: 0 };
  const unreadable: Record<string, number> = {};
  let cursor: string | undefined;

  for (;;) {
    const batch = await db.exchangeCredential.findMany({
      where: { keyId: { not: keyring.primaryId }, ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: "asc" },
      take: batchSize,
      select: { id: true },
    });
    if (batch.length === 0) break;
    for (const { id } of batch) {
      progress.scanned++;
      try {
        if (await resealOne(db, keyring, id)) progress.resealed++;
      } catch (err) {
        if (!isVaultError(err)) throw err;
        progress.failed++;
        logger.warn({ err, credentialId: id }, "credential could not be re-sealed");
        const keyId = (err.details?.keyId as string | undefined) ?? "unknown";
        unreadable[keyId] = (unreadable[keyId] ?? 0) + 1;
      }
    }
    cursor = batch.at(-1)!.id;
    opts.onProgress?.({ ...progress });
  }

  // 2FA secrets are sealed with the same keyring (auth/two-factor.ts): rotated in the same run.
  const totp = await resealTotpSecrets(db, keyring);
  progress.resealed += totp.resealed;
  progress.failed += totp.failed;
  // So are notification channels' secrets (Telegram bot tokens, webhook signing secrets).
  const channels = await resealChannelSecrets(db, keyring);
  progress.resealed += channels.resealed;
  progress.failed += channels.failed;
  const byKeyId = await credentialsByKeyId(db);
  logger.info({ ...progress, byKeyId, primaryId: keyring.primaryId }, "key rotation finished");
  await writeAudit(db, {
    action: "vault.rotate",
    outcome: progress.failed ? "FAILURE" : "SUCCESS",
    actorEmail: opts.actor ?? "operator-cli",
    targetType: "keyring",
    targetId: keyring.primaryId,
    details: { ...progress, byKeyId, unreadable },
  });
  return { ...progress, primaryId: keyring.primaryId, byKeyId, unreadable };
}

async function resealOne(db: Db, keyring: Keyring, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<
      { userId: string; exchange: string; environment: string; apiKey: string; sealedSecret: string; keyId: string }[]
    >`SELECT "userId", exchange::text AS exchange, environment::text AS environment, "apiKey", "sealedSecret", "keyId"
      FROM "ExchangeCredential" WHERE id = ${id} FOR UPDATE`;
    const row = rows[0];
    // Gone, or re-saved/rotated by someone else meanwhile: nothing to do.
    if (!row || row.keyId === keyring.primaryId) return false;
    const aad = { userId: row.userId, exchange: row.exchange, environment: row.environment, apiKey: row.apiKey };
    const sealedSecret = reseal(keyring, row.sealedSecret, aad);
    await tx.exchangeCredential.update({ where: { id }, data: { sealedSecret, keyId: keyring.primaryId } });
    return true;
  });
}

/** Sealed values (exchange, 2FA and notification-channel secrets) per encryption key id (`npm run keys:status`). */
export async function credentialsByKeyId(db: Db): Promise<Record<string, number>> {
  const groups = await db.exchangeCredential.groupBy({ by: ["keyId"], _count: { _all: true } });
  const out: Record<string, number> = Object.fromEntries(groups.map((g) => [g.keyId, g._count._all]));
  for (const [keyId, n] of Object.entries(await totpSecretsByKeyId(db))) out[keyId] = (out[keyId] ?? 0) + n;
  for (const [keyId, n] of Object.entries(await channelSecretsByKeyId(db))) out[keyId] = (out[keyId] ?? 0) + n;
  return out;
}
