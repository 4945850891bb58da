/**
 * Two-factor authentication: TOTP (RFC 6238 through otplib; 30 s steps, 6 digits, SHA-1, what every
 * authenticator app speaks) and ten one-time recovery codes.
 * - The TOTP secret is sealed with the vault's keyring (AES-256-GCM, bound to the user), so a
 *   database dump alone cannot mint codes. A code is accepted once: its time step must be later
 *   than the last one accepted (a conditional UPDATE, so two racing requests cannot both use it).
 * - Recovery codes have 80 random bits; only their SHA-256 is stored; each works once.
 * Turning 2FA on or off ends every session (this browser continues on a fresh one, see
 * auth/sessions.ts endSessionsWithHandoff); that and regenerating codes email the owner.
 */
import crypto from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";
import type { Prisma } from "~/generated/prisma/client";
import { writeAudit } from "~/server/audit/write-audit";
import { endSessionsWithHandoff } from "~/server/auth/sessions";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import { notifySecurityEvent } from "~/server/mail/security-notices";
import type { Keyring } from "~/server/vault/keyring";
import { isVaultError, open, seal, type SecretAad } from "~/server/vault/secret-box";

export const TOTP_ISSUER = "KeyRelay";
export const RECOVERY_CODE_COUNT = 10;
const TOTP_TOLERANCE_S = 30; // the previous and the next step too: phones' clocks drift

type Tx = Db | Prisma.TransactionClient;

export interface Actor {
  userId: string;
  /** The session making the change; it stays signed in, every other one is signed out. */
  sessionId: string | null;
  meta: RequestMeta;
}

// The vault's associated data names an exchange key; for a TOTP secret it names the account's second factor.
const totpAad = (userId: string): SecretAad => ({ userId, exchange: "TOTP", environment: "ACCOUNT", apiKey: "second-factor" });

export function sealTotpSecret(keyring: Keyring, userId: string, secret: string): string {
  return seal(keyring, secret, totpAad(userId));
}

function openTotpSecret(keyring: Keyring, userId: string, sealed: string): string {
  return open(keyring, sealed, totpAad(userId));
}

const BASE32 = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i: codes are read off paper
/** Ten codes like `k7pq-x2mn-4hta-9wre` (16 characters of a 31-letter alphabet: 79 bits each). */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: 16 }, () => BASE32[crypto.randomInt(BASE32.length)]!).join("");
    return chars.match(/.{4}/g)!.join("-");
  });
}

export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, "");
}

export function hashRecoveryCode(code: string): string {
  return crypto.createHash("sha256").update(normalizeRecoveryCode(code), "utf8").digest("hex");
}

async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({ data: codes.map((c) => ({ userId, codeHash: hashRecoveryCode(c) })) });
  return codes;
}

export interface TwoFactorSetup {
  secret: string;
  otpauthUrl: string;
  qrCodeDataUrl: string;
}

/** Starts enrolment: a fresh secret (kept sealed, inactive until a code from it is confirmed). */
export async function beginTwoFactorSetup(db: Db, keyring: Keyring, userId: string): Promise<TwoFactorSetup> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, totpEnabledAt: true } });
  if (user.totpEnabledAt) throw new AppError("CONFLICT", "Two-factor authentication is already on. Turn it off first to move it to another device.");
  const secret = generateSecret();
  await db.user.update({ where: { id: userId }, data: { totpSecretSealed: sealTotpSecret(keyring, userId, secret), totpLastStep: null } });
  const otpauthUrl = generateURI({ issuer: TOTP_ISSUER, label: user.email, secret });
  const qrCodeDataUrl = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: "M", margin: 1, width: 220 });
  return { secret, otpauthUrl, qrCodeDataUrl };
}

/**
 * Checks a TOTP code against the user's secret and, when good, records its time step so it
 * cannot be used again. `pending` allows the not-yet-enabled secret (enrolment).
 */
async function acceptTotp(db: Db, keyring: Keyring, userId: string, code: string, opts: { pending?: boolean; now?: Date } = {}): Promise<boolean> {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return false;
  const user = await db.user.findUnique({ where: { id: userId }, select: { totpSecretSealed: true, totpEnabledAt: true, totpLastStep: true } });
  if (!user?.totpSecretSealed || (!user.totpEnabledAt && !opts.pending)) return false;
  const secret = openTotpSecret(keyring, userId, user.totpSecretSealed);
  const result = await verify({
    secret,
    token,
    epoch: Math.floor((opts.now ?? new Date()).getTime() / 1000),
    epochTolerance: TOTP_TOLERANCE_S,
    ...(user.totpLastStep !== null ? { afterTimeStep: user.totpLastStep } : {}),
  });
  if (!result.valid || !("timeStep" in result)) return false;
  const claimed = await db.user.updateMany({
    where: { id: userId, OR: [{ totpLastStep: null }, { totpLastStep: { lt: result.timeStep } }] },
    data: { totpLastStep: result.timeStep },
  });
  return claimed.count === 1;
}

async function spendRecoveryCode(db: Db, userId: string, code: string, now = new Date()): Promise<{ remaining: number } | null> {
  const normalized = normalizeRecoveryCode(code);
  if (!/^[a-z0-9]{16}$/.test(normalized)) return null;
  const r = await db.recoveryCode.updateMany({ where: { userId, codeHash: hashRecoveryCode(normalized), usedAt: null }, data: { usedAt: now } });
  if (r.count !== 1) return null;
  return { remaining: await db.recoveryCode.count({ where: { userId, usedAt: null } }) };
}

export type SecondFactorResult = { ok: true; method: "totp" } | { ok: true; method: "recovery_code"; remaining: number } | { ok: false };

/** A 6-digit TOTP code or a recovery code, for an account with 2FA on. */
export async function checkSecondFactor(db: Db, keyring: Keyring, userId: string, code: string, now = new Date()): Promise<SecondFactorResult> {
  if (/^\s*\d{3}\s?\d{3}\s*$/.test(code)) return (await acceptTotp(db, keyring, userId, code, { now })) ? { ok: true, method: "totp" } : { ok: false };
  const used = await spendRecoveryCode(db, userId, code, now);
  return used ? { ok: true, method: "recovery_code", remaining: used.remaining } : { ok: false };
}

/** Confirms enrolment with a code from the new secret: 2FA is on, and the recovery codes are returned (once). */
export async function enableTwoFactor(db: Db, keyring: Keyring, actor: Actor, code: string): Promise<{ recoveryCodes: string[]; handoff: string | null }> {
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { totpEnabledAt: true, totpSecretSealed: true } });
  if (user.totpEnabledAt) throw new AppError("CONFLICT", "Two-factor authentication is already on.");
  if (!user.totpSecretSealed) throw new AppError("CONFLICT", "Start the setup first: scan the new QR code, then enter its code.");
  if (!(await acceptTotp(db, keyring, actor.userId, code, { pending: true }))) {
    await writeAudit(db, { action: "auth.two_factor_enable", outcome: "FAILURE", actorId: actor.userId, meta: actor.meta, details: { reason: "bad_code" } });
    throw new AppError("BAD_INPUT", "That code does not match. Enter the 6-digit code your authenticator app shows now.", { field: "code" });
  }
  const result = await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.userId }, data: { totpEnabledAt: new Date() } });
    const recoveryCodes = await replaceRecoveryCodes(tx, actor.userId);
    const { otherSessionsSignedOut, handoff } = await endSessionsWithHandoff(tx, actor.userId, "two_factor_change", actor.sessionId);
    await writeAudit(tx, { action: "auth.two_factor_enable", outcome: "SUCCESS", actorId: actor.userId, targetType: "user", targetId: actor.userId, meta: actor.meta, details: { otherSessionsSignedOut } });
    return { recoveryCodes, handoff };
  });
  notifySecurityEvent(db, actor.userId, { kind: "two_factor_enabled" });
  return result;
}

/** Turns 2FA off (the caller has stepped up); every session ends, this browser continues with the returned handoff. */
export async function disableTwoFactor(db: Db, actor: Actor): Promise<{ handoff: string | null }> {
  const result = await db.$transaction(async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { totpEnabledAt: true, totpSecretSealed: true } });
    if (!user.totpEnabledAt && !user.totpSecretSealed) throw new AppError("CONFLICT", "Two-factor authentication is already off.");
    await tx.user.update({ where: { id: actor.userId }, data: { totpEnabledAt: null, totpSecretSealed: null, totpLastStep: null } });
    await tx.recoveryCode.deleteMany({ where: { userId: actor.userId } });
    const { otherSessionsSignedOut, handoff } = await endSessionsWithHandoff(tx, actor.userId, "two_factor_change", actor.sessionId);
    await writeAudit(tx, { action: "auth.two_factor_disable", outcome: "SUCCESS", actorId: actor.userId, targetType: "user", targetId: actor.userId, meta: actor.meta, details: { otherSessionsSignedOut } });
    return { handoff };
  });
  notifySecurityEvent(db, actor.userId, { kind: "two_factor_disabled" });
  return result;
}

/** A fresh set of recovery codes (the old ones stop working). */
export async function regenerateRecoveryCodes(db: Db, actor: Actor): Promise<{ recoveryCodes: string[] }> {
  const recoveryCodes = await db.$transaction(async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { totpEnabledAt: true } });
    if (!user.totpEnabledAt) throw new AppError("CONFLICT", "Turn on two-factor authentication first.");
    const codes = await replaceRecoveryCodes(tx, actor.userId);
    await writeAudit(tx, { action: "auth.recovery_codes", outcome: "SUCCESS", actorId: actor.userId, targetType: "user", targetId: actor.userId, meta: actor.meta });
    return codes;
  });
  notifySecurityEvent(db, actor.userId, { kind: "recovery_codes_regenerated" });
  return { recoveryCodes };
}

export async function twoFactorStatus(db: Db, userId: string): Promise<{ enabled: boolean; enabledAt: Date | null; recoveryCodesLeft: number }> {
  const [user, left] = await Promise.all([
    db.user.findUniqueOrThrow({ where: { id: userId }, select: { totpEnabledAt: true } }),
    db.recoveryCode.count({ where: { userId, usedAt: null } }),
  ]);
  return { enabled: Boolean(user.totpEnabledAt), enabledAt: user.totpEnabledAt, recoveryCodesLeft: user.totpEnabledAt ? left : 0 };
}

/** 2FA secrets per encryption key id (keys:status counts them with the exchange secrets). */
export async function totpSecretsByKeyId(db: Db): Promise<Record<string, number>> {
  const rows = await db.$queryRaw<{ keyId: string; n: bigint }[]>`
    SELECT split_part("totpSecretSealed", '.', 2) AS "keyId", count(*) AS n FROM "User" WHERE "totpSecretSealed" IS NOT NULL GROUP BY 1`;
  return Object.fromEntries(rows.map((r) => [r.keyId, Number(r.n)]));
}

/**
 * Key rotation for 2FA secrets (npm run keys:rotate runs it with the exchange secrets): re-seals
 * every secret not on the primary key, one row per short transaction, safe to re-run.
 */
export async function resealTotpSecrets(db: Db, keyring: Keyring): Promise<{ resealed: number; failed: number }> {
  const out = { resealed: 0, failed: 0 };
  const stale = await db.user.findMany({
    where: { totpSecretSealed: { not: null }, NOT: { totpSecretSealed: { startsWith: `v1.${keyring.primaryId}.` } } },
    select: { id: true },
  });
  for (const { id } of stale) {
    try {
      const done = await db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ totpSecretSealed: string | null }[]>`SELECT "totpSecretSealed" FROM "User" WHERE id = ${id} FOR UPDATE`;
        const sealed = rows[0]?.totpSecretSealed;
        if (!sealed || sealed.startsWith(`v1.${keyring.primaryId}.`)) return false;
        await tx.user.update({ where: { id }, data: { totpSecretSealed: sealTotpSecret(keyring, id, openTotpSecret(keyring, id, sealed)) } });
        return true;
      });
      if (done) out.resealed++;
    } catch (err) {
      if (!isVaultError(err)) throw err;
      out.failed++; // its key left the ring: the user turns 2FA off with a recovery code and on again
    }
  }
  return out;
}
