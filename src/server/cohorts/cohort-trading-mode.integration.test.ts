/**
 * The cohort where users switch mode: setTradingMode, the tRPC procedure and the real REST handler
 * (POST /api/user-api-keys/trading-mode with a bearer token) all refuse PERSONAL to a TRIAL user
 * outside a PRO-only cohort with the same reason (403, not 500), audited DENIED; a PRO user goes
 * live; the TRIAL user asks, an admin approves, and then the TRIAL user goes live. Real PostgreSQL,
 * real exchange simulator behind the keys.
 */
import crypto from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimAccount } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { sessionAuth } from "~/server/test/test-session";

const REASON = "Live trading is open to PRO users and the beta list for now. Ask for access in Settings, under Trading mode.";

let t: TestDatabase;
let sim: Simulator;
let handle: typeof import("~/server/api/rest/user-api-keys").handleUserApiKeys;
let root: typeof import("~/server/api/root");
const users = { trial: { id: "", token: "" }, pro: { id: "", token: "" }, admin: { id: "", token: "" } };

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    EXCHANGE_SIMULATOR_URL: sim.url,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
  });
  ({ handleUserApiKeys: handle } = await import("~/server/api/rest/user-api-keys"));
  root = await import("~/server/api/root");
  const { createApiToken } = await import("~/server/tokens/api-tokens");
  for (const who of ["trial", "pro", "admin"] as const) {
    const u = await t.database.prisma.user.create({
      data: { email: `${who}@cohort.example.com`, name: who, passwordHash: "x", tier: who === "pro" ? "PRO" : "TRIAL", ...(who === "admin" ? { role: "ADMIN", totpEnabledAt: new Date() } : {}) },
    });
    users[who].id = u.id;
    users[who].token = (await createApiToken(t.database.prisma, { userId: u.id, name: "test", days: 1 }, { ip: "127.0.0.1", userAgent: "vitest" })).token;
  }
  // Each live candidate has an ACTIVE key, saved and verified through the REST surface against the simulator.
  for (const who of ["trial", "pro"] as const) {
    const acct = await createSimAccount(sim.url, { exchange: "bybit" });
    const saved = await call(who, "POST", "/bybit", { apiKey: acct.apiKey, apiSecret: acct.secret });
    expect((saved.json!.credential as { status: string }).status).toBe("ACTIVE");
  }
});
afterAll(async () => {
  const { closeRoot } = await import("~/server/composition");
  await closeRoot();
  await sim.close();
  await t.drop();
});

async function call(who: keyof typeof users, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { "user-agent": "vitest", "x-keyrelay-client-ip": "192.0.2.9", authorization: `Bearer ${users[who].token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const req = new Request(`http://localhost/api/user-api-keys${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const res = await handle(req, path.split("/").filter(Boolean));
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** A tRPC caller for a stepped-up browser session, as the web UI calls. */
async function caller(who: keyof typeof users) {
  const auth = await sessionAuth(t.database.prisma, users[who].id);
  return root.createCaller({ db: t.database.prisma, auth, meta: { ip: "192.0.2.9", userAgent: "vitest" }, headers: new Headers() });
}

const modeOf = async (id: string) => (await t.database.prisma.user.findUniqueOrThrow({ where: { id } })).tradingMode;

describe("live trading cohort, where users switch to PERSONAL", () => {
  it("a fresh install is open to everyone", async () => {
    const admin = await caller("admin");
    expect(await admin.cohorts.get()).toMatchObject({ everyone: true, tiers: [], description: "Live trading is open to everyone." });
    expect(await (await caller("trial")).cohorts.myAccess()).toMatchObject({ allowed: true, why: null, pendingRequest: null });
  });

  it("PRO only: a TRIAL user with an ACTIVE key is refused PERSONAL by setTradingMode, tRPC and REST, with the reason, audited DENIED", async () => {
    const admin = await caller("admin");
    const r = await admin.cohorts.update({ everyone: false, tiers: ["PRO"] });
    expect(r).toMatchObject({ cohort: { everyone: false, tiers: ["PRO"], description: "Live trading is open to PRO users and the beta list." }, movedToPaper: [] });

    const { setTradingMode } = await import("~/server/keys/key-service");
    await expect(setTradingMode({ db: t.database.prisma, userId: users.trial.id, meta: null }, "PERSONAL")).rejects.toMatchObject({ code: "FORBIDDEN", message: REASON, field: "mode" });

    const viaTrpc = await (await caller("trial")).keys.setTradingMode({ mode: "PERSONAL" }).catch((e: unknown) => e);
    expect(viaTrpc).toBeInstanceOf(TRPCError);
    expect(viaTrpc).toMatchObject({ code: "FORBIDDEN", message: REASON });

    const rest = await call("trial", "POST", "/trading-mode", { mode: "PERSONAL" });
    expect(rest.status).toBe(403);
    expect(rest.json).toEqual({ error: { code: "FORBIDDEN", message: REASON, fieldErrors: { mode: REASON }, help: "/help/troubleshooting#api-forbidden" } });
    expect(await modeOf(users.trial.id)).toBe("OFF");

    const denied = await t.database.prisma.auditLog.findMany({ where: { action: "user.trading_mode", actorId: users.trial.id, outcome: "DENIED" } });
    expect(denied).toHaveLength(3);
    for (const d of denied) expect(d.details).toMatchObject({ mode: "PERSONAL", reason: "outside_live_cohort", cohort: "Live trading is open to PRO users and the beta list." });
    // The REST row carries the caller's address.
    expect(denied.map((d) => d.ip)).toContain("192.0.2.9");

    // PAPER and OFF stay open to everyone.
    expect((await call("trial", "POST", "/trading-mode", { mode: "PAPER" })).status).toBe(200);
    expect(await modeOf(users.trial.id)).toBe("PAPER");
    expect(await (await caller("trial")).cohorts.myAccess()).toMatchObject({ allowed: false, why: REASON, onBetaList: false });
  });

  it("a PRO user goes live through the same endpoint", async () => {
    const rest = await call("pro", "POST", "/trading-mode", { mode: "PERSONAL" });
    expect(rest).toEqual({ status: 200, json: { mode: "PERSONAL", previous: "OFF" } });
  });

  it("the TRIAL user asks, an admin approves: the user is told and can go live", async () => {
    const me = await caller("trial");
    const asked = await me.cohorts.requestAccess({ message: "I trade this strategy by hand already" });
    expect(asked).toMatchObject({ status: "PENDING", message: "I trade this strategy by hand already" });
    await expect(me.cohorts.requestAccess({})).rejects.toMatchObject({ code: "CONFLICT", message: /already waiting/ });
    expect((await me.cohorts.myAccess()).pendingRequest).toMatchObject({ id: asked.id });

    const admin = await caller("admin");
    expect(await admin.cohorts.listRequests({})).toMatchObject([{ id: asked.id, email: "trial@cohort.example.com", tier: "TRIAL", status: "PENDING" }]);
    expect(await admin.cohorts.decide({ requestId: asked.id, decision: "approve" })).toMatchObject({ status: "APPROVED", userId: users.trial.id });
    await expect(admin.cohorts.decide({ requestId: asked.id, decision: "refuse" })).rejects.toMatchObject({ code: "CONFLICT" });

    const notice = await t.database.prisma.notification.findFirstOrThrow({ where: { userId: users.trial.id, kind: "LIVE_ACCESS_CHANGED" } });
    expect(notice.message).toBe("You can now trade live: switch to Personal (live) in Settings when you are ready.");
    expect(await t.database.prisma.auditLog.count({ where: { action: "cohort.decide", actorId: users.admin.id, targetId: asked.id } })).toBe(1);
    expect(await t.database.prisma.auditLog.count({ where: { action: "cohort.request", actorId: users.trial.id, outcome: "SUCCESS" } })).toBe(1);

    expect(await me.cohorts.myAccess()).toMatchObject({ allowed: true, onBetaList: true, pendingRequest: null, lastDecision: { status: "APPROVED" } });
    expect(await call("trial", "POST", "/trading-mode", { mode: "PERSONAL" })).toEqual({ status: 200, json: { mode: "PERSONAL", previous: "PAPER" } });
  });
});
