/**
 * Single-use links sent by email: verify an address (24 h), reset a password (30 min). The token
 * is 256 random bits; only its SHA-256 is stored, so a database dump holds no usable link. A new
 * reset link retires the earlier ones; consuming is one conditional UPDATE, so two requests racing
 * with the same link cannot both win.
 */
import crypto from "node:crypto";
import type { Prisma } from "~/generated/prisma/client";
import type { AccountTokenPurpose } from "~/generated/prisma/enums";
import type { Db } from "~/server/db";

export const ACCOUNT_TOKEN_TTL_MS: Record<AccountTokenPurpose, number> = {
  VERIFY_EMAIL: 24 * 3600_000,
  RESET_PASSWORD: 30 * 60_000,
};

type Tx = Db | Prisma.TransactionClient;

export function hashAccountToken(token: string): string {
  return crypto.createHash("sha256").update(token, "utf8").digest("hex");
}

export async function issueAccountToken(db: Tx, userId: string, purpose: AccountTokenPurpose, now = new Date()): Promise<string> {
  const token = crypto.randomBytes(32).toString("base64url");
  // Only the newest reset link works. Verification links may overlap: each needs the password too.
  if (purpose === "RESET_PASSWORD") await db.accountToken.updateMany({ where: { userId, purpose, usedAt: null }, data: { usedAt: now } });
  await db.accountToken.create({
    data: { userId, purpose, tokenHash: hashAccountToken(token), createdAt: now, expiresAt: new Date(now.getTime() + ACCOUNT_TOKEN_TTL_MS[purpose]) },
  });
  return token;
}

/** Marks the token used and returns its user, or null when it is unknown, used, expired or (with `userId`) someone else's. */
export async function consumeAccountToken(
  db: Tx,
  purpose: AccountTokenPurpose,
  token: string,
  opts: { userId?: string; now?: Date } = {},
): Promise<{ userId: string } | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const now = opts.now ?? new Date();
  const tokenHash = hashAccountToken(token);
  const r = await db.accountToken.updateMany({
    where: { tokenHash, purpose, usedAt: null, expiresAt: { gt: now }, ...(opts.userId ? { userId: opts.userId } : {}) },
    data: { usedAt: now },
  });
  if (r.count !== 1) return null;
  const row = await db.accountToken.findUnique({ where: { tokenHash }, select: { userId: true } });
  return row ? { userId: row.userId } : null;
}
