/**
 * Accounts: sign-up, the password check behind sign-in, and operator creation (CLI).
 * Every attempt is audited in the same transaction as its effect.
 *
 * Sign-up never says whether an address already has an account: it always answers "check your
 * email". A new account gets a verification link; the owner of an existing one gets an email
 * saying so instead. Nobody becomes an admin by signing up: ADMIN_EMAILS is applied only once the
 * address is verified (auth/sign-in.ts), and the operator CLI grants the role explicitly.
 */
import { z } from "zod";
import type { Role, Tier } from "~/generated/prisma/enums";
import { writeAudit } from "~/server/audit/write-audit";
import { ACCOUNT_TOKEN_TTL_MS, issueAccountToken } from "~/server/auth/account-tokens";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "~/server/auth/password";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from "~/server/auth/password-strength";
import { revokeSessions } from "~/server/auth/sessions";
import type { Db } from "~/server/db";
import type { RequestMeta } from "~/server/http/request-meta";
import { deliver } from "~/server/mail/mailer";
import { accountExistsMessage, appUrl, linkWithToken, verifyEmailMessage } from "~/server/mail/templates";
import { consume } from "~/server/ratelimit/process-rate-limits";

export const TRIAL_DAYS = 14;

export const emailSchema = z
  .string({ error: "Enter your email address." })
  .trim()
  .toLowerCase()
  .max(254, "Email is too long.")
  .pipe(z.email({ error: "Enter a valid email address, like you@example.com." }));

/** The length floor, per field; the estimator runs with the account's own words in strongPassword. */
export const passwordSchema = z
  .string({ error: "Enter a password." })
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters for your password.`)
  .superRefine((pw, ctx) => {
    if (pw.length < PASSWORD_MIN_LENGTH) ctx.addIssue({ code: "custom", message: passwordProblem(pw)! });
  });

/** The strength check of `password`, against the email and name beside it (for .superRefine). */
function strongPassword(v: { email: string; password: string; name?: string | undefined }, ctx: z.RefinementCtx): void {
  const problem = passwordProblem(v.password, [v.email, v.name]);
  if (problem) ctx.addIssue({ code: "custom", path: ["password"], message: problem });
}

export const signUpInput = z
  .object({
    name: z.string({ error: "Enter your name." }).trim().min(1, "Enter your name.").max(80, "Use at most 80 characters."),
    email: emailSchema,
    password: passwordSchema,
  })
  .superRefine(strongPassword);
export type SignUpInput = z.infer<typeof signUpInput>;

export type FieldErrors = Partial<Record<string, string>>;

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  tier: Tier;
  trialEndsAt: Date | null;
}

function trialEnd(now = new Date()): Date {
  return new Date(now.getTime() + TRIAL_DAYS * 86_400_000);
}

/** Issues a verification link and emails it (at most a few per address an hour). */
export async function sendVerificationEmail(db: Db, user: { id: string; email: string; name: string }): Promise<void> {
  if (!(await consume("accountEmail", user.email)).ok) return;
  const token = await issueAccountToken(db, user.id, "VERIFY_EMAIL");
  deliver(verifyEmailMessage(user.email, user.name, linkWithToken("/verify-email", token), ACCOUNT_TOKEN_TTL_MS.VERIFY_EMAIL / 3600_000));
}

async function tellExistingOwner(user: { email: string; name: string; emailVerifiedAt: Date | null }): Promise<void> {
  if (!(await consume("accountEmail", user.email)).ok) return;
  deliver(accountExistsMessage(user.email, user.name, { verified: Boolean(user.emailVerifiedAt), signInUrl: appUrl("/sign-in"), resetUrl: appUrl("/forgot-password") }));
}

/**
 * Creates an unverified USER account and emails a verification link; for an address that already
 * has an account, emails its owner instead. The caller sees the same outcome either way.
 */
export async function signUp(db: Db, input: SignUpInput, ctx: { meta: RequestMeta }): Promise<{ status: "check_email" }> {
  // Hashed in both branches, so the answer takes as long for an existing address as for a new one.
  const passwordHash = await hashPassword(input.password);
  const existing = await db.user.findUnique({ where: { email: input.email }, select: { id: true, email: true, name: true, emailVerifiedAt: true } });
  if (!existing) {
    try {
      const user = await db.$transaction(async (tx) => {
        const u = await tx.user.create({
          data: { email: input.email, name: input.name, passwordHash, role: "USER", tier: "TRIAL", trialEndsAt: trialEnd() },
        });
        await writeAudit(tx, { action: "auth.sign_up", outcome: "SUCCESS", actorId: u.id, actorEmail: u.email, targetType: "user", targetId: u.id, meta: ctx.meta });
        return u;
      });
      await sendVerificationEmail(db, user);
      return { status: "check_email" };
    } catch (err) {
      if ((err as { code?: string }).code !== "P2002") throw err;
      // Created by a concurrent sign-up meanwhile: treat as existing, below.
    }
  }
  const owner = existing ?? (await db.user.findUnique({ where: { email: input.email }, select: { id: true, email: true, name: true, emailVerifiedAt: true } }));
  await writeAudit(db, { action: "auth.sign_up", outcome: "FAILURE", actorId: owner?.id ?? null, actorEmail: input.email, meta: ctx.meta, details: { reason: "email_taken" } });
  if (owner) await tellExistingOwner(owner);
  return { status: "check_email" };
}

export type PasswordCheck =
  | { ok: true; user: { id: string; email: string; name: string; role: Role; tier: Tier; trialEndsAt: Date | null; emailVerifiedAt: Date | null; totpEnabledAt: Date | null } }
  | { ok: false; reason: "bad_credentials" | "account_disabled"; userId: string | null };

/** Email + password, in constant-ish time whether or not the email exists. Writes nothing. */
export async function checkPassword(db: Db, input: { email: string; password: string }): Promise<PasswordCheck> {
  const email = input.email.trim().toLowerCase();
  const user = await db.user.findUnique({ where: { email } });
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : await verifyAgainstDummy(input.password);
  if (!user || !ok) return { ok: false, reason: "bad_credentials", userId: user?.id ?? null };
  if (user.disabledAt) return { ok: false, reason: "account_disabled", userId: user.id };
  const { id, name, role, tier, trialEndsAt, emailVerifiedAt, totpEnabledAt } = user;
  return { ok: true, user: { id, email: user.email, name, role, tier, trialEndsAt, emailVerifiedAt, totpEnabledAt } };
}

/** Sign-out: ends the server-side session (its cookie, even if copied, stops working) and audits it. */
export async function recordSignOut(db: Db, user: { id: string; email?: string | null }, meta: RequestMeta, sessionId?: string | null) {
  await db.$transaction(async (tx) => {
    if (sessionId) await tx.session.updateMany({ where: { id: sessionId, userId: user.id, revokedAt: null }, data: { revokedAt: new Date(), revokedReason: "sign_out" } });
    await writeAudit(tx, {
      action: "auth.sign_out",
      outcome: "SUCCESS",
      actorId: user.id,
      actorEmail: user.email,
      meta,
      ...(sessionId ? { targetType: "session", targetId: sessionId } : {}),
    });
  });
}

export const createUserInput = z
  .object({
    email: emailSchema,
    password: passwordSchema,
    name: z.string().trim().min(1).max(80).optional(),
    admin: z.boolean().default(false),
    tier: z.enum(["PRO", "FLEX", "TRIAL"]).default("TRIAL"),
  })
  .superRefine(strongPassword);

/**
 * Operator path (npm run user -- create): creates or updates the account, idempotently. The
 * operator vouches for the address (it is marked verified) and grants ADMIN with --admin (or when
 * the address is in ADMIN_EMAILS). Setting a password this way signs the account out everywhere.
 */
export async function createOrUpdateUser(db: Db, raw: z.input<typeof createUserInput>, adminEmails: readonly string[] = []) {
  const input = createUserInput.parse(raw);
  const passwordHash = await hashPassword(input.password);
  const role: Role = input.admin || adminEmails.includes(input.email) ? "ADMIN" : "USER";
  const data = {
    name: input.name ?? input.email.split("@")[0]!,
    passwordHash,
    role,
    tier: input.tier,
    trialEndsAt: input.tier === "TRIAL" ? trialEnd() : null,
  };
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: input.email } });
    const user = existing
      ? await tx.user.update({ where: { id: existing.id }, data: { ...data, emailVerifiedAt: existing.emailVerifiedAt ?? new Date() } })
      : await tx.user.create({ data: { ...data, email: input.email, emailVerifiedAt: new Date() } });
    const signedOut = existing ? await revokeSessions(tx, user.id, "operator") : 0;
    await writeAudit(tx, {
      action: existing ? "user.update_cli" : "user.create_cli",
      outcome: "SUCCESS",
      actorEmail: "operator-cli",
      targetType: "user",
      targetId: user.id,
      details: { role, tier: input.tier, ...(existing ? { sessionsSignedOut: signedOut } : {}) },
    });
    return { user, created: !existing };
  });
}

export async function getPublicUser(db: Db, id: string): Promise<PublicUser | null> {
  return db.user.findUnique({
    where: { id },
    select: { id: true, email: true, name: true, role: true, tier: true, trialEndsAt: true },
  });
}
