/**
 * Key rotation for notification channels' secrets (Telegram bot tokens, webhook signing secrets),
 * sealed with the same keyring as exchange secrets: `npm run keys:rotate` re-seals them in the same
 * run, one row per short transaction (row lock + compare), safe while the app runs and to re-run.
 * Without this a channel saved before a rotation stopped sending once the old key left the ring.
 */
import type { Db } from "~/server/db";
import { channelAad } from "~/server/notifications/send-channel";
import type { Keyring } from "~/server/vault/keyring";
import { isVaultError, reseal, sealedKeyId } from "~/server/vault/secret-box";

export async function resealChannelSecrets(db: Db, keyring: Keyring): Promise<{ resealed: number; failed: number }> {
  const out = { resealed: 0, failed: 0 };
  const rows = await db.notificationChannel.findMany({ where: { sealedSecret: { not: null } }, select: { id: true, sealedSecret: true } });
  for (const { id, sealedSecret } of rows) {
    try {
      if (!sealedSecret || sealedKeyId(sealedSecret) === keyring.primaryId) continue;
      const done = await db.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ userId: string; type: string; sealedSecret: string | null }[]>`
          SELECT "userId", type::text AS type, "sealedSecret" FROM "NotificationChannel" WHERE id = ${id} FOR UPDATE`;
        if (!row?.sealedSecret || sealedKeyId(row.sealedSecret) === keyring.primaryId) return false;
        const aad = channelAad({ id, userId: row.userId, type: row.type as "TELEGRAM" });
        await tx.notificationChannel.update({ where: { id }, data: { sealedSecret: reseal(keyring, row.sealedSecret, aad) } });
        return true;
      });
      if (done) out.resealed++;
    } catch (err) {
      if (!isVaultError(err)) throw err;
      out.failed++; // its key left the ring: the owner enters the channel's secret again
    }
  }
  return out;
}

/** Channel secrets per encryption key id, for `npm run keys:status`. */
export async function channelSecretsByKeyId(db: Db): Promise<Record<string, number>> {
  const rows = await db.notificationChannel.findMany({ where: { sealedSecret: { not: null } }, select: { sealedSecret: true } });
  const out: Record<string, number> = {};
  for (const r of rows) {
    let keyId = "unreadable";
    try {
      keyId = sealedKeyId(r.sealedSecret!);
    } catch (err) {
      if (!isVaultError(err)) throw err;
    }
    out[keyId] = (out[keyId] ?? 0) + 1;
  }
  return out;
}
