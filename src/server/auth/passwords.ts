/**
 * Changing a password (signed in, with the current one) and resetting a forgotten one (a
 * single-use link by email, 30 minutes). Either way every other session ends, and the owner gets
 * an email. A reset request answers the same whether or not the address has an account.
 */
import { writeAudit } from "~/server/audit/write-audit";
import { ACCOUNT_TOKEN_TTL_MS, consumeAccountToken, hashAccountToken, issueAccountToken } from "~/server/auth/account-tokens";
import { hashPassword, verifyPassword } from "~/server/auth/password";
import { passwordProblem } from "~/server/auth/password-strength";
import { endSessionsWithHandoff, revokeSessions } from "~/server/auth/sessions";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import { deliver } from "~/server/mail/mailer";
import { notifySecurityEvent } from "~/server/mail/security-notices";
import { linkWithToken, resetPasswordMessage } from "~/server/mail/templates";
import { assertWithinLimit, consume } from "~/server/ratelimit/process-rate-limits";

function assertStrong(password: string, user: { email: string; name: string }, field: string) {
  const problem = passwordProblem(password, [user.email, user.name]);
  if (problem) throw new AppError("BAD_INPUT", problem, { field });
}

/**
 * Signed in: the current password, then the new one. Every session ends, a copy of this one's
 * cookie included; this browser continues on a fresh session with the returned handoff.
 */
export async function changePassword(
  db: Db,
  actor: { userId: string; sessionId: string | null; meta: RequestMeta },
  input: { currentPassword: string; newPassword: string },
): Promise<{ otherSessionsSignedOut: number; handoff: string | null }> {
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { email: true, name: true, passwordHash: true } });
  await assertWithinLimit("secondFactor", actor.userId); // the current password is a guess like any other
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    await writeAudit(db, { action: "auth.password_change", outcome: "FAILURE", actorId: actor.userId, meta: actor.meta, details: { reason: "bad_current_password" } });
    throw new AppError("BAD_INPUT", "Your current password is not right.", { field: "currentPassword" });
  }
  if (input.newPassword === input.currentPassword) throw new AppError("BAD_INPUT", "Choose a password different from your current one.", { field: "newPassword" });
  assertStrong(input.newPassword, user, "newPassword");
  const passwordHash = await hashPassword(input.newPassword);
  const result = await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.userId }, data: { passwordHash } });
    const r = await endSessionsWithHandoff(tx, actor.userId, "password_change", actor.sessionId);
    await writeAudit(tx, { action: "auth.password_change", outcome: "SUCCESS", actorId: actor.userId, targetType: "user", targetId: actor.userId, meta: actor.meta, details: { otherSessionsSignedOut: r.otherSessionsSignedOut } });
    return r;
  });
  notifySecurityEvent(db, actor.userId, { kind: "password_changed" });
  return result;
}

/** Emails a reset link when the address has an (enabled) account; the answer is the same either way. */
export async function requestPasswordReset(db: Db, email: string, meta: RequestMeta): Promise<{ status: "check_email" }> {
  await assertWithinLimit("passwordReset", meta.ip ?? "unknown");
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, disabledAt: true } });
  await writeAudit(db, {
    action: "auth.password_reset_request",
    outcome: user && !user.disabledAt ? "SUCCESS" : "FAILURE",
    actorId: user?.id ?? null,
    actorEmail: email,
    meta,
    ...(user && !user.disabledAt ? {} : { details: { reason: user ? "account_disabled" : "no_account" } }),
  });
  if (user && !user.disabledAt && (await consume("accountEmail", user.email)).ok) {
    const token = await issueAccountToken(db, user.id, "RESET_PASSWORD");
    deliver(resetPasswordMessage(user.email, user.name, linkWithToken("/reset-password", token), ACCOUNT_TOKEN_TTL_MS.RESET_PASSWORD / 60_000));
  }
  return { status: "check_email" };
}

export const RESET_LINK_INVALID = "This reset link has expired or was already used. Ask for a new one on the sign-in page (Forgot your password?).";

/**
 * Sets a new password with a reset link. Proves control of the address, so it also verifies it;
 * every session ends (the one who forgot is not signed in anywhere they trust), 2FA stays on.
 */
export async function resetPassword(db: Db, input: { token: string; password: string }, meta: RequestMeta): Promise<{ email: string }> {
  await assertWithinLimit("passwordReset", meta.ip ?? "unknown");
  const invalid = async () => {
    await writeAudit(db, { action: "auth.password_reset", outcome: "FAILURE", meta, details: { reason: "invalid_link" } });
    return new AppError("BAD_INPUT", RESET_LINK_INVALID, { field: "token" });
  };
  const link = await db.accountToken.findUnique({ where: { tokenHash: hashAccountToken(input.token) }, select: { userId: true, purpose: true, usedAt: true, expiresAt: true } });
  if (!link || link.purpose !== "RESET_PASSWORD" || link.usedAt || link.expiresAt <= new Date()) throw await invalid();
  const user = await db.user.findUniqueOrThrow({ where: { id: link.userId }, select: { id: true, email: true, name: true, disabledAt: true, emailVerifiedAt: true } });
  if (user.disabledAt) throw await invalid();
  // Checked before the link is spent, so a refused password can be retried with the same link.
  assertStrong(input.password, user, "password");
  const passwordHash = await hashPassword(input.password);
  const done = await db.$transaction(async (tx) => {
    if (!(await consumeAccountToken(tx, "RESET_PASSWORD", input.token, { userId: user.id }))) return false;
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? new Date() } });
    await tx.accountToken.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: new Date() } });
    const n = await revokeSessions(tx, user.id, "password_reset");
    await writeAudit(tx, { action: "auth.password_reset", outcome: "SUCCESS", actorId: user.id, actorEmail: user.email, targetType: "user", targetId: user.id, meta, details: { sessionsSignedOut: n } });
    return true;
  });
  if (!done) throw await invalid(); // spent by a concurrent request meanwhile
  notifySecurityEvent(db, user.id, { kind: "password_reset" });
  return { email: user.email };
}
