/**
 * Admin metrics against real PostgreSQL: a small hand-made data set whose every expected number
 * is written out literally below, with the arithmetic beside it.
 *
 * Window: asOf 2026-03-10 15:00Z, days 3 -> UTC days 2026-03-08, 03-09, 03-10. Rows on 03-07 and
 * 03-11 sit just outside it and must not count.
 *
 * Accounts (tier / trading mode / keys):
 *   PRO   p1 PERSONAL  BINANCE ACTIVE + BYBIT ACTIVE (one user, counted once)
 *         p2 PAPER     DISABLED
 *         p3 PERSONAL  ACTIVE            (role ADMIN: the router caller)
 *   FLEX  f1 PERSONAL  ACTIVE
 *         f2 OFF       UNVERIFIED
 *         f3 OFF       no key
 *         f4 PAPER     REJECTED
 *   TRIAL t1 PERSONAL  ACTIVE
 *         t2 OFF       no key
 *   d1: PRO PERSONAL ACTIVE but the account is disabled -> left out of metrics 1 and 2.
 */
import crypto from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricsRouter } from "~/server/api/routers/metrics";
import { createCallerFactory, createTRPCRouter, type Context } from "~/server/api/trpc";
import type { Db } from "~/server/db";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import {
  activeKeyShare,
  executionSuccessByDay,
  getMetricsDashboard,
  keyCheckFailuresByDay,
  latencyByDay,
  metricsWindow,
  tradingModeCounts,
} from "./metrics";

type Tier = "PRO" | "FLEX" | "TRIAL";
type Mode = "PERSONAL" | "PAPER" | "OFF";
type KeyStatus = "UNVERIFIED" | "ACTIVE" | "DISABLED" | "REJECTED";
type ExecStatus = "QUEUED" | "SUBMITTING" | "SUBMITTED" | "FILLED" | "PARTIALLY_FILLED" | "REJECTED" | "FAILED" | "SKIPPED";

const AS_OF = new Date("2026-03-10T15:00:00Z");
const at = (iso: string) => new Date(`${iso}Z`);
const ms = (base: Date, plus: number) => new Date(base.getTime() + plus);

let t: TestDatabase;
let db: Db;
const users: Record<string, { id: string; subscriptionId: string; credentialIds: string[]; sessionId: string }> = {};

async function makeUser(name: string, tier: Tier, tradingMode: Mode, keys: { exchange: "BINANCE" | "BYBIT"; status: KeyStatus }[], strategyId: string, extra: { role?: "ADMIN"; disabled?: boolean } = {}) {
  const user = await db.user.create({
    data: {
      email: `${name}-${crypto.randomBytes(3).toString("hex")}@example.com`,
      name,
      passwordHash: "x",
      tier,
      tradingMode,
      role: extra.role ?? "USER",
      trialEndsAt: tier === "TRIAL" ? new Date("2027-01-01T00:00:00Z") : null,
      disabledAt: extra.disabled ? new Date("2026-03-01T00:00:00Z") : null,
      totpEnabledAt: extra.role === "ADMIN" ? new Date() : null, // admins must use 2FA
    },
  });
  const session = await db.session.create({ data: { userId: user.id } });
  const credentialIds: string[] = [];
  for (const k of keys) {
    const c = await db.exchangeCredential.create({
      data: { userId: user.id, exchange: k.exchange, apiKey: `${name}-${k.exchange}`, sealedSecret: "sealed", keyId: "k1", status: k.status },
    });
    credentialIds.push(c.id);
  }
  const sub = await db.subscription.create({ data: { userId: user.id, strategyId, credentialId: credentialIds[0] ?? null, sizingValue: 50 } });
  users[name] = { id: user.id, subscriptionId: sub.id, credentialIds, sessionId: session.id };
}

async function check(name: string, ok: boolean, when: string, keyIndex = 0) {
  const u = users[name]!;
  await db.credentialCheck.create({
    data: { credentialId: u.credentialIds[keyIndex]!, userId: u.id, status: ok ? "ACTIVE" : "REJECTED", ok, errorKind: ok ? null : "AUTH", durationMs: 100, createdAt: at(when) },
  });
}

let strategyId = "";
async function signal(receivedAt: string) {
  return db.signal.create({
    data: { strategyId, dedupeKey: crypto.randomBytes(6).toString("hex"), action: "buy", symbol: "BTC/USDT", alert: {}, receivedAt: at(receivedAt) },
  });
}

/** An execution of `name` for the signal; ackAfterMs is measured from the signal's receivedAt. */
async function exec(
  sig: { id: string; receivedAt: Date },
  name: string,
  status: ExecStatus,
  o: { ackAfterMs?: number; paper?: boolean; tier?: Tier; queuedAfterMs?: number } = {},
) {
  const u = users[name]!;
  const user = await db.user.findUniqueOrThrow({ where: { id: u.id }, select: { tier: true } });
  await db.execution.create({
    data: {
      signalId: sig.id,
      subscriptionId: u.subscriptionId,
      userId: u.id,
      tier: o.tier ?? user.tier,
      priority: 0,
      clientOrderId: `kr-${crypto.randomBytes(8).toString("hex")}`,
      status,
      paper: o.paper ?? false,
      symbol: "BTC/USDT",
      side: "buy",
      queuedAt: ms(sig.receivedAt, o.queuedAfterMs ?? 5),
      ackAt: o.ackAfterMs === undefined ? null : ms(sig.receivedAt, o.ackAfterMs),
    },
  });
}

beforeAll(async () => {
  t = await createTestDatabase({ prefix: "kr_metrics" });
  db = t.database.prisma;
  strategyId = (await insertStrategy(db, { name: "Metrics", allowedSymbols: ["BTC/USDT"] })).id;

  await makeUser("p1", "PRO", "PERSONAL", [{ exchange: "BINANCE", status: "ACTIVE" }, { exchange: "BYBIT", status: "ACTIVE" }], strategyId);
  await makeUser("p2", "PRO", "PAPER", [{ exchange: "BINANCE", status: "DISABLED" }], strategyId);
  await makeUser("p3", "PRO", "PERSONAL", [{ exchange: "BYBIT", status: "ACTIVE" }], strategyId, { role: "ADMIN" });
  await makeUser("f1", "FLEX", "PERSONAL", [{ exchange: "BYBIT", status: "ACTIVE" }], strategyId);
  await makeUser("f2", "FLEX", "OFF", [{ exchange: "BINANCE", status: "UNVERIFIED" }], strategyId);
  await makeUser("f3", "FLEX", "OFF", [], strategyId);
  await makeUser("f4", "FLEX", "PAPER", [{ exchange: "BYBIT", status: "REJECTED" }], strategyId);
  await makeUser("t1", "TRIAL", "PERSONAL", [{ exchange: "BINANCE", status: "ACTIVE" }], strategyId);
  await makeUser("t2", "TRIAL", "OFF", [], strategyId);
  await makeUser("d1", "PRO", "PERSONAL", [{ exchange: "BINANCE", status: "ACTIVE" }], strategyId, { disabled: true });

  // Key checks (tier = the owner's tier).
  await check("f2", false, "2026-03-07T23:59:59.999"); // before the window
  await check("p1", true, "2026-03-08T08:00:00", 0);
  await check("p1", true, "2026-03-08T08:00:01", 1);
  await check("f2", false, "2026-03-08T09:00:00");
  await check("f4", false, "2026-03-08T23:59:59.999");
  await check("p2", false, "2026-03-09T10:00:00");
  await check("p3", true, "2026-03-09T11:00:00");
  await check("t1", true, "2026-03-09T12:00:00");
  await check("f1", false, "2026-03-10T00:00:00"); // first instant of 03-10
  await check("d1", true, "2026-03-10T06:00:00"); // a disabled account's key check still counts (PRO)
  await check("f2", false, "2026-03-11T00:00:00"); // after the window

  // S0: received 03-07, just before the window: excluded from metrics 3 and 5 alike.
  const s0 = await signal("2026-03-07T23:59:59.900");
  await exec(s0, "p1", "FILLED", { ackAfterMs: 200, queuedAfterMs: 50 });

  // S1 on 03-08.
  const s1 = await signal("2026-03-08T10:00:00");
  await exec(s1, "p1", "FILLED", { ackAfterMs: 200 });
  await exec(s1, "p3", "REJECTED", { ackAfterMs: 300 }); // the exchange answered "no": a latency sample, a failure
  await exec(s1, "f1", "FAILED"); // no answer: no latency sample
  await exec(s1, "p2", "FILLED", { paper: true, ackAfterMs: 10 }); // paper: ignored everywhere
  await exec(s1, "f2", "SKIPPED"); // skipped: not in the denominator

  // S2 and S3 on 03-09.
  const s2 = await signal("2026-03-09T12:00:00");
  await exec(s2, "p1", "PARTIALLY_FILLED", { ackAfterMs: 120 });
  await exec(s2, "p3", "SUBMITTED", { ackAfterMs: 400 });
  await exec(s2, "f1", "FILLED", { ackAfterMs: 1000 });
  await exec(s2, "t1", "FILLED", { ackAfterMs: 600 });
  await exec(s2, "t2", "QUEUED"); // in flight: not in the denominator
  const s3 = await signal("2026-03-09T18:00:00");
  await exec(s3, "p1", "FAILED");
  await exec(s3, "t1", "REJECTED", { ackAfterMs: 50 });
  await exec(s3, "f1", "FILLED", { ackAfterMs: 700, tier: "PRO" }); // f1 was PRO then: the execution's tier counts

  // S4 on 03-10.
  const s4 = await signal("2026-03-10T09:00:00");
  await exec(s4, "p1", "FILLED", { ackAfterMs: 150 });
  await exec(s4, "p3", "FILLED", { ackAfterMs: 90 });
  await exec(s4, "f1", "SUBMITTED", { ackAfterMs: 30 });
  await exec(s4, "t1", "SUBMITTING"); // in flight
  await exec(s4, "t2", "SKIPPED");
});

afterAll(async () => {
  await t?.drop();
});

const W = () => metricsWindow(3, AS_OF);

describe("metricsWindow", () => {
  it("covers whole UTC days ending with asOf's day, and rejects out-of-range days", () => {
    expect(W()).toEqual({ days: 3, from: new Date("2026-03-08T00:00:00Z"), to: new Date("2026-03-11T00:00:00Z") });
    expect(() => metricsWindow(0, AS_OF)).toThrow(/days/);
    expect(() => metricsWindow(91, AS_OF)).toThrow(/days/);
    expect(() => metricsWindow(1.5, AS_OF)).toThrow(/days/);
  });
});

describe("1. users with at least one ACTIVE key", () => {
  it("per tier and overall, disabled accounts left out", async () => {
    const rows = await activeKeyShare(db);
    expect(rows.map(({ pct: _pct, ...r }) => r)).toEqual([
      { tier: "PRO", users: 3, withActiveKey: 2 }, // p1 (two ACTIVE keys, once), p3; p2 DISABLED; d1 disabled account
      { tier: "FLEX", users: 4, withActiveKey: 1 }, // f1
      { tier: "TRIAL", users: 2, withActiveKey: 1 }, // t1
      { tier: "ALL", users: 9, withActiveKey: 4 }, // 3 + 4 + 2 users, 2 + 1 + 1 with a key
    ]);
    const pct = Object.fromEntries(rows.map((r) => [r.tier, r.pct]));
    expect(pct.PRO).toBeCloseTo(66.6667, 4); // 2 / 3 = 66.67 %
    expect(pct.FLEX).toBe(25); // 1 / 4 = 25 %
    expect(pct.TRIAL).toBe(50); // 1 / 2 = 50 %
    expect(pct.ALL).toBeCloseTo(44.4444, 4); // 4 / 9 = 44.44 %
  });
});

describe("2. users by trading mode", () => {
  it("counts per mode per tier", async () => {
    expect(await tradingModeCounts(db)).toEqual([
      { tier: "PRO", users: 3, PERSONAL: 2, PAPER: 1, OFF: 0 }, // p1, p3 | p2 | - (d1 disabled)
      { tier: "FLEX", users: 4, PERSONAL: 1, PAPER: 1, OFF: 2 }, // f1 | f4 | f2, f3
      { tier: "TRIAL", users: 2, PERSONAL: 1, PAPER: 0, OFF: 1 }, // t1 | - | t2
      { tier: "ALL", users: 9, PERSONAL: 4, PAPER: 2, OFF: 3 }, // 2+1+1 | 1+1+0 | 0+2+1
    ]);
  });
});

describe("3. live execution success rate per day", () => {
  it("success = SUBMITTED/FILLED/PARTIALLY_FILLED over those + REJECTED + FAILED; paper, SKIPPED and in-flight left out", async () => {
    const rows = await executionSuccessByDay(db, W());
    expect(rows).toHaveLength(12); // 3 days x (PRO, FLEX, TRIAL, ALL), zero-filled
    expect(rows.map(({ pct: _pct, ...r }) => r)).toEqual([
      // 03-08: p1 FILLED ok, p3 REJECTED, f1 FAILED (p2 paper and f2 SKIPPED do not count)
      { day: "2026-03-08", tier: "PRO", succeeded: 1, total: 2 },
      { day: "2026-03-08", tier: "FLEX", succeeded: 0, total: 1 },
      { day: "2026-03-08", tier: "TRIAL", succeeded: 0, total: 0 },
      { day: "2026-03-08", tier: "ALL", succeeded: 1, total: 3 },
      // 03-09: PRO p1 PARTIALLY_FILLED ok, p3 SUBMITTED ok, p1 FAILED, f1-as-PRO FILLED ok;
      //        FLEX f1 FILLED ok; TRIAL t1 FILLED ok, t1 REJECTED (t2 QUEUED does not count)
      { day: "2026-03-09", tier: "PRO", succeeded: 3, total: 4 },
      { day: "2026-03-09", tier: "FLEX", succeeded: 1, total: 1 },
      { day: "2026-03-09", tier: "TRIAL", succeeded: 1, total: 2 },
      { day: "2026-03-09", tier: "ALL", succeeded: 5, total: 7 },
      // 03-10: p1 FILLED, p3 FILLED, f1 SUBMITTED (t1 SUBMITTING and t2 SKIPPED do not count)
      { day: "2026-03-10", tier: "PRO", succeeded: 2, total: 2 },
      { day: "2026-03-10", tier: "FLEX", succeeded: 1, total: 1 },
      { day: "2026-03-10", tier: "TRIAL", succeeded: 0, total: 0 },
      { day: "2026-03-10", tier: "ALL", succeeded: 3, total: 3 },
    ]);
    const pct = rows.map((r) => r.pct);
    expect(pct[0]).toBe(50); // 1 / 2
    expect(pct[1]).toBe(0); // 0 / 1
    expect(pct[2]).toBeNull(); // 0 / 0: undefined, not 0 %
    expect(pct[3]).toBeCloseTo(33.3333, 4); // 1 / 3
    expect(pct[4]).toBe(75); // 3 / 4
    expect(pct[5]).toBe(100); // 1 / 1
    expect(pct[6]).toBe(50); // 1 / 2
    expect(pct[7]).toBeCloseTo(71.4286, 4); // 5 / 7
    expect(pct.slice(8)).toEqual([100, 100, null, 100]); // 2/2, 1/1, 0/0, 3/3
  });
});

describe("4. key verification failure rate per day", () => {
  it("failed checks over all checks, by the key owner's tier", async () => {
    const rows = await keyCheckFailuresByDay(db, W());
    expect(rows).toEqual([
      // 03-08: p1 ok, p1 ok | f2 fail, f4 fail (23:59:59.999) | -
      { day: "2026-03-08", tier: "PRO", failed: 0, total: 2, pct: 0 }, // 0 / 2
      { day: "2026-03-08", tier: "FLEX", failed: 2, total: 2, pct: 100 }, // 2 / 2
      { day: "2026-03-08", tier: "TRIAL", failed: 0, total: 0, pct: null }, // no checks
      { day: "2026-03-08", tier: "ALL", failed: 2, total: 4, pct: 50 }, // 2 / 4
      // 03-09: p2 fail, p3 ok | - | t1 ok
      { day: "2026-03-09", tier: "PRO", failed: 1, total: 2, pct: 50 }, // 1 / 2
      { day: "2026-03-09", tier: "FLEX", failed: 0, total: 0, pct: null },
      { day: "2026-03-09", tier: "TRIAL", failed: 0, total: 1, pct: 0 }, // 0 / 1
      { day: "2026-03-09", tier: "ALL", failed: 1, total: 3, pct: expect.closeTo(33.3333, 4) }, // 1 / 3
      // 03-10: d1 ok | f1 fail (00:00:00.000) | -   (f2's 03-11 check is after the window)
      { day: "2026-03-10", tier: "PRO", failed: 0, total: 1, pct: 0 }, // 0 / 1
      { day: "2026-03-10", tier: "FLEX", failed: 1, total: 1, pct: 100 }, // 1 / 1
      { day: "2026-03-10", tier: "TRIAL", failed: 0, total: 0, pct: null },
      { day: "2026-03-10", tier: "ALL", failed: 1, total: 2, pct: 50 }, // 1 / 2
    ]);
  });
});

describe("5. median webhook-to-order latency per day", () => {
  it("percentile_cont(0.5) of ackAt - receivedAt in ms, live executions with an ack", async () => {
    expect(await latencyByDay(db, W())).toEqual([
      // 03-08: p1 200, p3 300 (p2's paper 10 ms ignored; f1 FAILED has no ack)
      { day: "2026-03-08", tier: "PRO", samples: 2, medianMs: 250 }, // (200 + 300) / 2
      { day: "2026-03-08", tier: "FLEX", samples: 0, medianMs: null },
      { day: "2026-03-08", tier: "TRIAL", samples: 0, medianMs: null },
      { day: "2026-03-08", tier: "ALL", samples: 2, medianMs: 250 }, // (200 + 300) / 2
      // 03-09: PRO p1 120, p3 400, f1-as-PRO 700 | FLEX f1 1000 | TRIAL t1 600, t1 50
      { day: "2026-03-09", tier: "PRO", samples: 3, medianMs: 400 }, // middle of 120, 400, 700
      { day: "2026-03-09", tier: "FLEX", samples: 1, medianMs: 1000 },
      { day: "2026-03-09", tier: "TRIAL", samples: 2, medianMs: 325 }, // (50 + 600) / 2
      { day: "2026-03-09", tier: "ALL", samples: 6, medianMs: 500 }, // 50 120 400 | 600 700 1000 -> (400 + 600) / 2
      // 03-10: p1 150, p3 90 | f1 30 | -
      { day: "2026-03-10", tier: "PRO", samples: 2, medianMs: 120 }, // (90 + 150) / 2
      { day: "2026-03-10", tier: "FLEX", samples: 1, medianMs: 30 },
      { day: "2026-03-10", tier: "TRIAL", samples: 0, medianMs: null },
      { day: "2026-03-10", tier: "ALL", samples: 3, medianMs: 90 }, // middle of 30, 90, 150
    ]);
  });
});

describe("getMetricsDashboard", () => {
  it("bundles all five and narrows the window with days", async () => {
    const d = await getMetricsDashboard(db, { days: 1, asOf: AS_OF });
    expect(d.window).toEqual({ days: 1, from: "2026-03-10", to: "2026-03-10" });
    expect(d.activeKeys).toHaveLength(4);
    expect(d.tradingModes).toHaveLength(4);
    expect(d.executionSuccess.map((r) => `${r.tier}:${r.succeeded}/${r.total}`)).toEqual(["PRO:2/2", "FLEX:1/1", "TRIAL:0/0", "ALL:3/3"]);
    expect(d.keyCheckFailures.map((r) => `${r.tier}:${r.failed}/${r.total}`)).toEqual(["PRO:0/1", "FLEX:1/1", "TRIAL:0/0", "ALL:1/2"]);
    expect(d.latency.map((r) => r.medianMs)).toEqual([120, 30, null, 90]);
  });
});

describe("metrics router", () => {
  const createCaller = createCallerFactory(createTRPCRouter({ metrics: metricsRouter }));
  const caller = (name: string) => {
    const ctx: Context = { db, auth: { userId: users[name]!.id, via: "session", sessionId: users[name]!.sessionId }, meta: { ip: "192.0.2.9", userAgent: "metrics-test" }, headers: new Headers() };
    return createCaller(ctx);
  };

  it("admins get the dashboard (default 14 days, ending today UTC); others are refused; days is bounded", async () => {
    const d = await caller("p3").metrics.dashboard({});
    expect(d.window.days).toBe(14);
    expect(d.window.to).toBe(new Date().toISOString().slice(0, 10));
    expect(d.executionSuccess).toHaveLength(14 * 4);
    expect(d.latency).toHaveLength(14 * 4);
    expect(d.keyCheckFailures).toHaveLength(14 * 4);
    expect(d.activeKeys.find((r) => r.tier === "ALL")).toMatchObject({ users: 9, withActiveKey: 4 });

    await expect(caller("p1").metrics.dashboard({ days: 7 })).rejects.toSatisfy((e) => e instanceof TRPCError && e.code === "FORBIDDEN");
    for (const days of [0, 91, 2.5]) {
      await expect(caller("p3").metrics.dashboard({ days })).rejects.toSatisfy((e) => e instanceof TRPCError && e.code === "BAD_REQUEST");
    }
  });
});
