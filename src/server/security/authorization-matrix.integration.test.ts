/**
 * Authorization matrix: every tRPC procedure called as anonymous, user and admin, compared to an
 * expected table. A new procedure fails this test until it is classified here.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "~/server/api/root";
import type { AuthInfo } from "~/server/api/trpc";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

const PUBLIC = new Set(["auth.signUp"]);
const ADMIN_PREFIXES = ["admin.", "metrics."];
const ADMIN = new Set([
  "strategies.list",
  "strategies.tradingViewIps",
  "strategies.create",
  "strategies.update",
  "strategies.rotateToken",
  "strategies.signals",
  "strategies.signalExecutions",
]);
const USER = new Set([
  "user.me",
  "user.securityLog",
  "user.notifications",
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
]);

type Level = "public" | "user" | "admin";
function levelOf(path: string): Level | null {
  if (PUBLIC.has(path)) return "public";
  if (ADMIN.has(path) || ADMIN_PREFIXES.some((p) => path.startsWith(p))) return "admin";
  if (USER.has(path)) return "user";
  return null;
}

let t: TestDatabase;
const ids = { user: "", admin: "" };
beforeAll(async () => {
  t = await createTestDatabase();
  process.env.NEXTAUTH_SECRET ??= "x".repeat(40);
  ids.user = (await t.database.prisma.user.create({ data: { email: "matrix-user@example.com", name: "U", passwordHash: "x" } })).id;
  ids.admin = (await t.database.prisma.user.create({ data: { email: "matrix-admin@example.com", name: "A", passwordHash: "x", role: "ADMIN" } })).id;
});
afterAll(async () => {
  await t.drop();
});

async function call(path: string, auth: AuthInfo | null): Promise<string> {
  const caller = appRouter.createCaller({ db: t.database.prisma, auth, meta: { ip: "192.0.2.1", userAgent: "matrix" }, headers: new Headers() });
  const fn = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller) as (input?: unknown) => Promise<unknown>;
  try {
    await fn({});
    return "OK";
  } catch (err) {
    return err instanceof TRPCError ? err.code : "THREW";
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
      const user = await call(path, { userId: ids.user, via: "session" });
      const admin = await call(path, { userId: ids.admin, via: "session" });
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
});
