/**
 * A signed-in browser session for tests that call procedures directly: a real Session row (the
 * same one sign-in creates), so access checks, step-up and revocation behave as in production.
 */
import type { AuthInfo } from "~/server/auth/request-context";
import type { Db } from "~/server/db";

export async function sessionAuth(db: Db, userId: string, opts: { stepUpAt?: Date | null } = {}): Promise<AuthInfo & { via: "session" }> {
  const now = new Date();
  const s = await db.session.create({ data: { userId, ip: "192.0.2.1", userAgent: "test", stepUpAt: opts.stepUpAt === undefined ? now : opts.stepUpAt } });
  return { userId, via: "session", sessionId: s.id };
}
