/**
 * Authorization matrix: every tRPC procedure called as anonymous, user and admin, compared to an
 * expected table. A new procedure fails this test until it is classified here. Also: an admin
 * without 2FA, a session that has not stepped up lately (the money-moving procedures), and a
 * signed-out session.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "~/server/api/root";
import type { AuthInfo } from "~/server/api/trpc";
import { isAppError } from "~/server/errors";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { sessionAuth } from "~/server/test/test-session";

const PUBLIC = new Set(["auth.signUp", "auth.requestPasswordReset", "auth.resetPassword"]);
const ADMIN_PREFIXES = ["admin.", "metrics.", "mailbox."];
const ADMIN = new Set([
  "strategies.list",
  "strategies.tradingViewIps",
  "strategies.create",
  "strategies.update",
  "strategies.rotateToken",
  "strategies.setProtection",
  "strategies.convertAlert",
  "strategies.signals",
  "strategies.signalExecutions",
  "strategies.webhookBase",
  "strategies.archive",
  "strategies.sendTestAlert",
  "strategies.testAlertResult",
  "strategies.deliveries",
  "strategies.deliveryBody",
  "positions.strategyTotals",
  "satisfaction.report",
  "cohorts.get",
  "cohorts.preview",
  "cohorts.update",
  "cohorts.setUserAccess",
  "cohorts.listRequests",
  "cohorts.decide",
  "halts.list",
  "halts.halt",
  "halts.resume",
]);
const USER = new Set([
  // account security: any signed-in account (accountProcedure), even one that must still set up 2FA
  "account.changePassword",
  "account.sessions",
  "account.revokeSession",
  "account.signOutEverywhere",
  "account.stepUp",
  "account.twoFactorStatus",
  "account.twoFactorSetup",
  "account.twoFactorEnable",
  "account.twoFactorDisable",
  "account.regenerateRecoveryCodes",
  "user.me",
  "user.securityLog",
  "user.notifications",
  "notifications.unread",
  "notifications.list",
  "notifications.markRead",
  "notifications.markAllRead",
  "notifications.channels",
  "notifications.addChannel",
  "notifications.updateChannel",
  "notifications.removeChannel",
  "notifications.testChannel",
  "keys.save",
  "keys.verify",
  "keys.status",
  "keys.delete",
  "keys.allStatus",
  "keys.history",
  "keys.setTradingMode",
  "tokens.list",
  "tokens.create",
  "tokens.revoke",
  "strategies.available",
  "strategies.subscribe",
  "strategies.setPaused",
  "strategies.unsubscribe",
  "strategies.myExecutions",
  "strategies.myRejectedSignals",
  "positions.open",
  "positions.summary",
  "positions.history",
  "positions.historyOptions",
  "positions.close",
  "dashboard.overview",
  "dashboard.goLivePreview",
  "satisfaction.prompt",
  "satisfaction.answer",
  "satisfaction.dismiss",
  "cohorts.myAccess",
  "cohorts.requestAccess",
  "halts.banner",
]);

/** Actions that can move money or weaken the account: a session must have stepped up in the last 5 minutes. */
const STEP_UP = new Set([
  "keys.save",
  "keys.delete",
  "keys.setTradingMode", // to PERSONAL
  "tokens.create",
  "strategies.rotateToken",
  "account.twoFactorSetup",
  "account.twoFactorEnable",
  "account.twoFactorDisable",
  "account.regenerateRecoveryCodes",
]);
/** Inputs that get past validation to the step-up check (the rest are checked with {}). */
const STEP_UP_INPUT: Record<string, unknown> = { "keys.setTradingMode": { mode: "PERSONAL" } };

type Level = "public" | "user" | "admin";
function levelOf(path: string): Level | null {
  if (PUBLIC.has(path)) return "public";
  if (ADMIN.has(path) || ADMIN_PREFIXES.some((p) => path.startsWith(p))) return "admin";
  if (USER.has(path)) return "user";
  return null;
}

let t: TestDatabase;
const ids = { user: "", admin: "", adminWithout2fa: "" };
beforeAll(async () => {
  t = await createTestDatabase();
  process.env.NEXTAUTH_SECRET ??= "x".repeat(40);
  ids.user = (await t.database.prisma.user.create({ data: { email: "matrix-user@example.com", name: "U", passwordHash: "x" } })).id;
  // Admins must use 2FA; the one without it is refused the admin level (below).
  ids.admin = (await t.database.prisma.user.create({ data: { email: "matrix-admin@example.com", name: "A", passwordHash: "x", role: "ADMIN", totpEnabledAt: new Date() } })).id;
  ids.adminWithout2fa = (await t.database.prisma.user.create({ data: { email: "matrix-admin-no2fa@example.com", name: "B", passwordHash: "x", role: "ADMIN" } })).id;
});

/** A fresh signed-in browser session per call (some procedures end sessions), stepped up unless `stale`. */
async function as(userId: string, opts: { stale?: boolean; revoked?: boolean } = {}): Promise<AuthInfo> {
  // account.twoFactorDisable, called as the admin, turns its 2FA off: turn it back on for every call.
  if (userId === ids.admin) await t.database.prisma.user.update({ where: { id: userId }, data: { totpEnabledAt: new Date() } });
  const auth = await sessionAuth(t.database.prisma, userId, { stepUpAt: opts.stale ? new Date(Date.now() - 10 * 60_000) : new Date() });
  if (opts.revoked) await t.database.prisma.session.update({ where: { id: auth.sessionId }, data: { revokedAt: new Date() } });
  return auth;
}
afterAll(async () => {
  await t.drop();
});

async function call(path: string, auth: AuthInfo | null, input: unknown = {}): Promise<string> {
  const caller = appRouter.createCaller({ db: t.database.prisma, auth, meta: { ip: "192.0.2.1", userAgent: "matrix" }, headers: new Headers() });
  const fn = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller) as (input?: unknown) => Promise<unknown>;
  try {
    await fn(input);
    return "OK";
  } catch (err) {
    if (!(err instanceof TRPCError)) return "THREW";
    // The module's own code when there is one (STEP_UP_REQUIRED is a FORBIDDEN with a reason).
    return isAppError(err.cause, "STEP_UP_REQUIRED") ? "STEP_UP_REQUIRED" : err.code;
  }
}

describe("authorization matrix", () => {
  const procedures = Object.keys(appRouter._def.procedures).sort();

  it("every procedure is classified", () => {
    expect(procedures.filter((p) => levelOf(p) === null)).toEqual([]);
  });

  it("anonymous, user and admin get exactly what the table says", async () => {
    const rows: string[] = [];
    for (const path of procedures) {
      const level = levelOf(path)!;
      const anon = await call(path, null);
      const user = await call(path, await as(ids.user));
      const admin = await call(path, await as(ids.admin));
      const expectAnon = level === "public" ? "allowed" : "UNAUTHORIZED";
      const expectUser = level === "admin" ? "FORBIDDEN" : "allowed";
      const got = (r: string) => (r === "UNAUTHORIZED" || r === "FORBIDDEN" ? r : "allowed");
      rows.push(`${path}: anon ${got(anon)} user ${got(user)} admin ${got(admin)}`);
      expect({ path, anon: got(anon), user: got(user), admin: got(admin) }).toEqual({ path, anon: expectAnon, user: expectUser, admin: "allowed" });
      // No procedure answers a 500 for an empty input.
      for (const r of [anon, user, admin]) expect(r, `${path}`).not.toBe("INTERNAL_SERVER_ERROR");
    }
    expect(rows.length).toBe(procedures.length);
    // Refusals are audited.
    expect(await t.database.prisma.auditLog.count({ where: { action: "auth.denied" } })).toBeGreaterThan(0);
  });

  it("an admin without 2FA is refused every admin procedure, and keeps the user ones", async () => {
    for (const path of procedures) {
      const level = levelOf(path)!;
      if (level === "public") continue;
      const got = await call(path, await as(ids.adminWithout2fa));
      if (level === "admin") expect(got, path).toBe("FORBIDDEN");
      else expect(["FORBIDDEN", "UNAUTHORIZED"], path).not.toContain(got);
    }
    const denied = await t.database.prisma.auditLog.findFirst({ where: { action: "auth.denied", actorId: ids.adminWithout2fa }, orderBy: { id: "desc" } });
    expect(denied?.details).toMatchObject({ status: 403, reason: "two_factor_setup_required" });
  });

  it("a session that has not stepped up in 5 minutes is refused exactly the step-up procedures", async () => {
    const refused: string[] = [];
    for (const path of procedures) {
      if (levelOf(path) === "public") continue;
      const who = levelOf(path) === "admin" ? ids.admin : ids.user;
      if ((await call(path, await as(who, { stale: true }), STEP_UP_INPUT[path] ?? {})) === "STEP_UP_REQUIRED") refused.push(path);
    }
    expect(refused.sort()).toEqual([...STEP_UP].sort());
  });

  it("a signed-out (revoked) session is refused everything but the public procedures", async () => {
    for (const path of procedures) {
      const expected = levelOf(path) === "public" ? "allowed" : "UNAUTHORIZED";
      const got = await call(path, await as(levelOf(path) === "admin" ? ids.admin : ids.user, { revoked: true }));
      expect({ path, got: got === "UNAUTHORIZED" ? got : "allowed" }).toEqual({ path, got: expected });
    }
  });
});
