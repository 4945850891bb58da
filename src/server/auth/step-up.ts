/**
 * Step-up: before an action that can move money or weaken the account (save or delete an exchange
 * key, switch to PERSONAL trading, create an API token, rotate a webhook URL, change 2FA), a browser
 * session must have re-entered its password or a 2FA code within the last STEP_UP_WINDOW_MS
 * (signing in counts). The time is kept on the Session row, so it holds across processes and ends
 * with the session.
 *
 * API tokens (REST, Authorization: Bearer) are not asked: a token is itself a strong credential,
 * created only from a stepped-up browser session, shown once, expiring and revocable, and a script
 * has nobody to type a password. A browser session calling the REST API is asked like the UI.
 */
import { writeAudit } from "~/server/audit/write-audit";
import { verifyPassword } from "~/server/auth/password";
import type { AuthInfo } from "~/server/auth/request-context";
import { checkSecondFactor } from "~/server/auth/two-factor";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import { assertWithinLimit } from "~/server/ratelimit/process-rate-limits";
import type { Keyring } from "~/server/vault/keyring";

export const STEP_UP_WINDOW_MS = 5 * 60_000;

export const STEP_UP_MESSAGE = "Confirm it's you: enter your password or a two-factor code, then try again.";

/** Throws STEP_UP_REQUIRED unless this browser session stepped up recently (API tokens pass). */
export async function assertRecentStepUp(db: Db, auth: AuthInfo | null, now = new Date()): Promise<void> {
  if (!auth) throw new AppError("UNAUTHORIZED", "Sign in to continue.");
  if (auth.via === "token") return;
  const s = await db.session.findUnique({ where: { id: auth.sessionId }, select: { stepUpAt: true } });
  if (!s?.stepUpAt || now.getTime() - s.stepUpAt.getTime() > STEP_UP_WINDOW_MS) {
    throw new AppError("STEP_UP_REQUIRED", STEP_UP_MESSAGE, { details: { stepUp: true, windowSeconds: STEP_UP_WINDOW_MS / 1000 } });
  }
}

/** Re-authenticates this session with the password or a 2FA code (TOTP or recovery code). */
export async function stepUp(
  db: Db,
  keyring: Keyring,
  actor: { userId: string; sessionId: string; meta: RequestMeta },
  input: { password?: string | undefined; code?: string | undefined },
  now = new Date(),
): Promise<{ until: Date }> {
  await assertWithinLimit("secondFactor", actor.userId);
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { passwordHash: true, totpEnabledAt: true } });
  let method: "password" | "totp" | "recovery_code" | null = null;
  if (input.password) {
    if (await verifyPassword(input.password, user.passwordHash)) method = "password";
  } else if (input.code && user.totpEnabledAt) {
    const r = await checkSecondFactor(db, keyring, actor.userId, input.code, now);
    if (r.ok) method = r.method;
  }
  if (!method) {
    await writeAudit(db, { action: "auth.step_up", outcome: "FAILURE", actorId: actor.userId, targetType: "session", targetId: actor.sessionId, meta: actor.meta });
    const field = input.password ? "password" : "code";
    throw new AppError("BAD_INPUT", input.password ? "That password is not right." : "That code is not valid: enter the current 6-digit code or a recovery code.", { field });
  }
  await db.$transaction(async (tx) => {
    await tx.session.update({ where: { id: actor.sessionId }, data: { stepUpAt: now } });
    await writeAudit(tx, { action: "auth.step_up", outcome: "SUCCESS", actorId: actor.userId, targetType: "session", targetId: actor.sessionId, meta: actor.meta, details: { method } });
  });
  return { until: new Date(now.getTime() + STEP_UP_WINDOW_MS) };
}
