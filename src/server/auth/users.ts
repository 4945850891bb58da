/**
 * Accounts: sign-up, credential check for sign-in, and operator creation (CLI).
 * Every attempt is audited in the same transaction as its effect.
 */
import { z } from "zod";
import type { Role, Tier } from "~/generated/prisma/enums";
import { writeAudit } from "~/server/audit/write-audit";
import type { Db } from "~/server/db";
import type { RequestMeta } from "~/server/http/request-meta";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "~/server/auth/password";

export const TRIAL_DAYS = 14;

export const emailSchema = z
  .string({ error: "Enter your email address." })
  .trim()
  .toLowerCase()
  .max(254, "Email is too long.")
  .pipe(z.email({ error: "Enter a valid email address, like you@example.com." }));

export const passwordSchema = z
  .string({ error: "Enter a password." })
  .min(10, "Use at least 10 characters for your password.")
  .max(200, "Use at most 200 characters for your password.");

export const signUpInput = z.object({
  name: z.string({ error: "Enter your name." }).trim().min(1, "Enter your name.").max(80, "Use at most 80 characters."),
  email: emailSchema,
  password: passwordSchema,
});
export type SignUpInput = z.infer<typeof signUpInput>;

export const signInInput = z.object({
  email: z.string().trim().toLowerCase().max(254),
  password: z.string().max(200),
});

export type FieldErrors = Partial<Record<string, string>>;
export type SignUpResult = { ok: true; userId: string } | { ok: false; fieldErrors: FieldErrors };

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  tier: Tier;
  trialEndsAt: Date | null;
}

function roleFor(email: string, adminEmails: readonly string[]): Role {
  return adminEmails.includes(email.toLowerCase()) ? "ADMIN" : "USER";
}

function trialEnd(now = new Date()): Date {
  return new Date(now.getTime() + TRIAL_DAYS * 86_400_000);
}

export async function signUp(
  db: Db,
  input: SignUpInput,
  ctx: { meta: RequestMeta; adminEmails: readonly string[] },
): Promise<SignUpResult> {
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await db.$transaction(async (tx) => {
      const u = await tx.user.create({
        data: {
          email: input.email,
          name: input.name,
          passwordHash,
          role: roleFor(input.email, ctx.adminEmails),
          tier: "TRIAL",
          trialEndsAt: trialEnd(),
        },
      });
      await writeAudit(tx, {
        action: "auth.sign_up",
        outcome: "SUCCESS",
        actorId: u.id,
        actorEmail: u.email,
        targetType: "user",
        targetId: u.id,
        meta: ctx.meta,
      });
      return u;
    });
    return { ok: true, userId: user.id };
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") {
      await writeAudit(db, {
        action: "auth.sign_up",
        outcome: "FAILURE",
        actorEmail: input.email,
        meta: ctx.meta,
        details: { reason: "email_taken" },
      });
      return { ok: false, fieldErrors: { email: "An account with this email already exists. Sign in instead." } };
    }
    throw err;
  }
}

/** Checks email + password. Failures never say whether the email exists. */
export async function authenticate(
  db: Db,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<PublicUser | null> {
  const email = input.email.trim().toLowerCase();
  const user = await db.user.findUnique({ where: { email } });
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : await verifyAgainstDummy(input.password);
  const disabled = Boolean(user?.disabledAt);
  const success = ok && !!user && !disabled;
  await writeAudit(db, {
    action: "auth.sign_in",
    outcome: success ? "SUCCESS" : "FAILURE",
    actorId: user?.id ?? null,
    actorEmail: email,
    meta,
    details: success ? undefined : { reason: !user || !ok ? "bad_credentials" : "account_disabled" },
  });
  if (!success || !user) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, tier: user.tier, trialEndsAt: user.trialEndsAt };
}

export async function recordSignOut(db: Db, user: { id: string; email?: string | null }, meta: RequestMeta) {
  await writeAudit(db, { action: "auth.sign_out", outcome: "SUCCESS", actorId: user.id, actorEmail: user.email, meta });
}

export const createUserInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().min(1).max(80).optional(),
  admin: z.boolean().default(false),
  tier: z.enum(["PRO", "FLEX", "TRIAL"]).default("TRIAL"),
});

/** Operator path (npm run user -- create): creates or updates the account, idempotently. */
export async function createOrUpdateUser(db: Db, raw: z.input<typeof createUserInput>, adminEmails: readonly string[] = []) {
  const input = createUserInput.parse(raw);
  const passwordHash = await hashPassword(input.password);
  const role: Role = input.admin ? "ADMIN" : roleFor(input.email, adminEmails);
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
      ? await tx.user.update({ where: { id: existing.id }, data })
      : await tx.user.create({ data: { ...data, email: input.email } });
    await writeAudit(tx, {
      action: existing ? "user.update_cli" : "user.create_cli",
      outcome: "SUCCESS",
      actorEmail: "operator-cli",
      targetType: "user",
      targetId: user.id,
      details: { role, tier: input.tier },
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
