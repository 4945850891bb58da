/**
 * Sign-in, step by step (the next-auth Credentials provider calls this, nothing else does):
 * 1. email + password (auth/users.ts checkPassword; the same answer for an unknown email);
 * 2. a verified email: an unverified account needs the link from its verification email, which
 *    the /verify-email page sends along with the password (so the link alone, forwarded or
 *    pre-fetched by a mail scanner, confirms nothing); without it a fresh link is emailed;
 * 3. with 2FA on, a TOTP code or a recovery code;
 * 4. ADMIN_EMAILS applied, now that the address is proven;
 * 5. a Session row (the cookie carries its id), an audit row, and an email when the browser/IP
 *    pair is new for this account.
 * Every refusal is audited with its reason; the caller turns `reason` into a message.
 */
import { writeAudit } from "~/server/audit/write-audit";
import { consumeAccountToken } from "~/server/auth/account-tokens";
import { createSession, seenBefore } from "~/server/auth/sessions";
import { checkSecondFactor } from "~/server/auth/two-factor";
import { checkPassword, sendVerificationEmail, type PublicUser } from "~/server/auth/users";
import type { Db } from "~/server/db";
import type { RequestMeta } from "~/server/http/request-meta";
import { notifySecurityEvent } from "~/server/mail/security-notices";
import { consume } from "~/server/ratelimit/process-rate-limits";
import type { Keyring } from "~/server/vault/keyring";
import { z } from "zod";

export const signInInput = z.object({
  email: z.string().trim().toLowerCase().max(254),
  password: z.string().max(200),
  /** A 6-digit TOTP code or a recovery code, when the account has 2FA. */
  code: z.string().max(64).optional(),
  /** The token from a verification email (the /verify-email page). */
  verifyToken: z.string().max(200).optional(),
});
export type SignInInput = z.infer<typeof signInInput>;

export type SignInRefusal =
  | "bad_credentials"
  | "email_not_verified"
  | "second_factor_required"
  | "second_factor_invalid"
  | "second_factor_rate_limited";

export type SignInResult = { ok: true; user: PublicUser; sessionId: string } | { ok: false; reason: SignInRefusal; retryAfterSeconds?: number };

export interface SignInContext {
  meta: RequestMeta;
  adminEmails: readonly string[];
  keyring: Keyring;
}

export async function signIn(db: Db, input: SignInInput, ctx: SignInContext): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const fail = async (reason: string, userId: string | null, details: Record<string, unknown> = {}) =>
    writeAudit(db, { action: "auth.sign_in", outcome: "FAILURE", actorId: userId, actorEmail: email, meta: ctx.meta, details: { reason, ...details } });

  const checked = await checkPassword(db, { email, password: input.password });
  if (!checked.ok) {
    await fail(checked.reason, checked.userId);
    return { ok: false, reason: "bad_credentials" };
  }
  let user = checked.user;

  if (!user.emailVerifiedAt) {
    const verified = input.verifyToken ? await consumeAccountToken(db, "VERIFY_EMAIL", input.verifyToken, { userId: user.id }) : null;
    if (!verified) {
      await fail("email_not_verified", user.id, { linkGiven: Boolean(input.verifyToken) });
      await sendVerificationEmail(db, user);
      return { ok: false, reason: "email_not_verified" };
    }
    const at = new Date();
    await db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { emailVerifiedAt: at } });
      await writeAudit(tx, { action: "auth.email_verify", outcome: "SUCCESS", actorId: user.id, actorEmail: email, targetType: "user", targetId: user.id, meta: ctx.meta });
    });
    user = { ...user, emailVerifiedAt: at };
  }

  let secondFactor: "totp" | "recovery_code" | null = null;
  let recoveryCodesLeft: number | null = null;
  if (user.totpEnabledAt) {
    if (!input.code?.trim()) {
      await fail("second_factor_required", user.id);
      return { ok: false, reason: "second_factor_required" };
    }
    const limited = await consume("secondFactor", user.id);
    if (!limited.ok) {
      await fail("second_factor_rate_limited", user.id);
      return { ok: false, reason: "second_factor_rate_limited", retryAfterSeconds: limited.retryAfterSeconds };
    }
    const factor = await checkSecondFactor(db, ctx.keyring, user.id, input.code);
    if (!factor.ok) {
      await writeAudit(db, { action: "auth.second_factor", outcome: "FAILURE", actorId: user.id, actorEmail: email, meta: ctx.meta, details: { reason: "bad_code" } });
      return { ok: false, reason: "second_factor_invalid" };
    }
    secondFactor = factor.method;
    if (factor.method === "recovery_code") recoveryCodesLeft = factor.remaining;
  }

  const grantAdmin = user.role === "USER" && ctx.adminEmails.includes(email);
  const session = await db.$transaction(async (tx) => {
    if (grantAdmin) {
      await tx.user.update({ where: { id: user.id }, data: { role: "ADMIN" } });
      await writeAudit(tx, { action: "user.admin_grant", outcome: "SUCCESS", actorId: user.id, actorEmail: email, targetType: "user", targetId: user.id, meta: ctx.meta, details: { via: "ADMIN_EMAILS" } });
    }
    const s = await createSession(tx, user.id, ctx.meta);
    await writeAudit(tx, {
      action: "auth.sign_in",
      outcome: "SUCCESS",
      actorId: user.id,
      actorEmail: email,
      targetType: "session",
      targetId: s.id,
      meta: ctx.meta,
      ...(secondFactor ? { details: { secondFactor } } : {}),
    });
    return s;
  });

  const seen = await seenBefore(db, user.id, ctx.meta, session.id);
  if (!seen.firstSignIn && !seen.known) notifySecurityEvent(db, user.id, { kind: "new_sign_in", ip: ctx.meta.ip, userAgent: ctx.meta.userAgent });
  if (recoveryCodesLeft !== null) notifySecurityEvent(db, user.id, { kind: "recovery_code_used", remaining: recoveryCodesLeft });

  const { id, name, tier, trialEndsAt } = user;
  return { ok: true, user: { id, email: user.email, name, role: grantAdmin ? "ADMIN" : user.role, tier, trialEndsAt }, sessionId: session.id };
}
