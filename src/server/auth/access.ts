/**
 * Who may do what, decided here once for tRPC procedures (accountProcedure, protectedProcedure,
 * adminProcedure), route handlers (the audit CSV export, the REST API) and pages
 * (src/trpc/server.ts). The account is read on every check, so a role change or a disabled account
 * takes effect at once; a browser session's server-side row is read too (auth/sessions.ts), so a
 * signed-out, revoked or expired session is refused however valid its cookie still looks.
 *
 * Levels: "account" (signed in: enough to set up 2FA, change the password, manage sessions),
 * "user" (everything a user does; with REQUIRE_2FA=all, only with 2FA on), "admin" (the ADMIN role,
 * and always 2FA on).
 */
import { envVar } from "~/env";
import type { Prisma } from "~/generated/prisma/client";
import { writeAnonymousRefusal } from "~/server/audit/refusal-audit";
import { writeAudit } from "~/server/audit/write-audit";
import type { AuthInfo } from "~/server/auth/request-context";
import { findLiveSession } from "~/server/auth/sessions";
import type { Db } from "~/server/db";
import { AppError, httpStatusFor } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";

export type AccessLevel = "account" | "user" | "admin";

const ACCOUNT_FIELDS = {
  id: true,
  email: true,
  name: true,
  role: true,
  tier: true,
  trialEndsAt: true,
  disabledAt: true,
  tradingMode: true,
  totpEnabledAt: true,
} as const;
export type Account = Prisma.UserGetPayload<{ select: typeof ACCOUNT_FIELDS }>;

export type AccessResult = { ok: true; account: Account } | { ok: false; error: AppError };

export type TwoFactorPolicy = "admins" | "all";

/** The one place a role is compared: admin procedures, routes and pages, and the admin menu. */
export const isAdmin = (account: { role: string }): boolean => account.role === "ADMIN";

/** Whether this account must have 2FA on to act (admins always; everyone with REQUIRE_2FA=all). */
export function twoFactorRequired(account: { role: string }, policy: TwoFactorPolicy = envVar("REQUIRE_2FA")): boolean {
  return isAdmin(account) || policy === "all";
}

/** details.reason of the FORBIDDEN refusal for an account that must set up 2FA first; pages redirect on it. */
export const TWO_FACTOR_SETUP_REQUIRED = "two_factor_setup_required";

const SESSION_ENDED = "Your session has ended. Sign in again.";

/** The refusal for a caller at `level`, or null when it may act. */
export function refusal(
  userId: string | null | undefined,
  account: Account | null,
  level: AccessLevel,
  policy: TwoFactorPolicy = "admins",
): AppError | null {
  if (!userId) return new AppError("UNAUTHORIZED", "Sign in to continue.");
  if (!account || account.disabledAt) return new AppError("UNAUTHORIZED", SESSION_ENDED);
  if (level === "admin" && !isAdmin(account)) return new AppError("FORBIDDEN", "Admins only.");
  const needsTwoFactor = level === "admin" || (level === "user" && policy === "all");
  if (needsTwoFactor && !account.totpEnabledAt) {
    return new AppError(
      "FORBIDDEN",
      level === "admin"
        ? "Admins must use two-factor authentication: turn it on in Settings, then open the admin console again."
        : "This server requires two-factor authentication: turn it on in Settings to continue.",
      { details: { reason: TWO_FACTOR_SETUP_REQUIRED } },
    );
  }
  return null;
}

/** The caller's account when it may act at `level`, else the refusal (UNAUTHORIZED or FORBIDDEN). Writes nothing. */
export async function checkAccess(db: Db, auth: AuthInfo | null | undefined, level: AccessLevel): Promise<AccessResult> {
  const account = auth ? await db.user.findUnique({ where: { id: auth.userId }, select: ACCOUNT_FIELDS }) : null;
  if (auth?.via === "session" && account && !(await findLiveSession(db, auth.sessionId, auth.userId))) {
    return { ok: false, error: new AppError("UNAUTHORIZED", SESSION_ENDED, { details: { reason: "session_ended" } }) };
  }
  const error = refusal(auth?.userId, account, level, envVar("REQUIRE_2FA"));
  return error ? { ok: false, error } : { ok: true, account: account! }; // no refusal means an account was found
}

/**
 * For API calls (procedures, route handlers): the caller's account when it may act at `level`;
 * otherwise an auth.denied audit row naming `target` and the status, and the refusal is thrown.
 */
export async function authorize(
  ctx: { db: Db; auth: AuthInfo | null; meta: RequestMeta },
  level: AccessLevel,
  target: { type: "procedure" | "route"; id: string },
): Promise<Account> {
  const result = await checkAccess(ctx.db, ctx.auth, level);
  if (result.ok) return result.account;
  const reason = result.error.details?.reason;
  // Anonymous refusals are counted per IP and window, not one chained row each (audit/refusal-audit.ts).
  const write = ctx.auth ? writeAudit : writeAnonymousRefusal;
  await write(ctx.db, {
    action: "auth.denied",
    outcome: "DENIED",
    actorId: ctx.auth?.userId ?? null,
    meta: ctx.meta,
    targetType: target.type,
    targetId: target.id,
    details: { status: httpStatusFor(result.error.code), ...(typeof reason === "string" ? { reason } : {}) },
  });
  throw result.error;
}
