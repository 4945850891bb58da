/**
 * The dashboard's overview and the go-live summary on a real database: a new user's checklist is
 * empty, each step turns done as its row appears, what needs attention is listed with where to fix
 * it, and another user's rows never show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/server/db";
import { dashboardOverview } from "~/server/dashboard/dashboard-overview";
import { goLivePreview } from "~/server/dashboard/go-live-preview";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { insertStrategy } from "~/server/test/strategy-fixtures";

let t: TestDatabase;
let db: Db;
let seq = 0;

beforeAll(async () => {
  t = await createTestDatabase({ prefix: "kr_dashboard" });
  db = t.database.prisma;
});
afterAll(async () => {
  await t?.drop();
});

const user = (mode: "PERSONAL" | "PAPER" | "OFF" = "OFF") =>
  db.user.create({ data: { email: `d${seq++}-${Date.now()}@example.com`, name: "D", passwordHash: "x", tradingMode: mode } });
const key = (userId: string, exchange: "BINANCE" | "BYBIT", status: "ACTIVE" | "DISABLED" | "REJECTED", lastError: string | null = null) =>
  db.exchangeCredential.create({
    data: { userId, exchange, apiKey: `APIKEY${seq++}abcdefghijklmnop`, sealedSecret: "sealed", keyId: "k", status, lastError, lastVerifiedAt: new Date() },
  });
async function execution(userId: string, subscriptionId: string, strategyId: string, status: "FILLED" | "FAILED" | "SKIPPED", paper: boolean, message: string | null = null) {
  const signal = await db.signal.create({ data: { strategyId, dedupeKey: `k${seq++}`, action: "buy", symbol: "BTC/USDT", alert: {}, status: "DONE" } });
  const id = `xd${seq++}${Date.now().toString(36)}`;
  await db.execution.create({
    data: { id, signalId: signal.id, subscriptionId, userId, tier: "PRO", priority: 0, clientOrderId: `kr-${id}`, status, paper, symbol: "BTC/USDT", side: "buy", exchange: "BYBIT", message },
  });
}

describe("dashboardOverview", () => {
  it("walks the checklist: key -> mode -> subscribe -> first order", async () => {
    const u = await user();
    const step = async () => Object.fromEntries((await dashboardOverview(db, u.id)).checklist.map((s) => [s.step, s.done]));
    expect(await step()).toEqual({ KEY: false, MODE: false, SUBSCRIBE: false, FIRST_ORDER: false });

    const k = await key(u.id, "BYBIT", "ACTIVE");
    await db.user.update({ where: { id: u.id }, data: { tradingMode: "PAPER" } });
    expect(await step()).toEqual({ KEY: true, MODE: true, SUBSCRIBE: false, FIRST_ORDER: false });

    const s = await insertStrategy(db, { name: "Trend", allowedSymbols: ["BTC/USDT"] });
    const sub = await db.subscription.create({ data: { userId: u.id, strategyId: s.id, credentialId: k.id, sizingValue: 50 } });
    await execution(u.id, sub.id, s.id, "SKIPPED", true, "Trading mode is OFF.");
    // A skipped order is not a first order.
    expect(await step()).toEqual({ KEY: true, MODE: true, SUBSCRIBE: true, FIRST_ORDER: false });

    await execution(u.id, sub.id, s.id, "FILLED", true);
    const o = await dashboardOverview(db, u.id);
    expect(o.checklist.every((c) => c.done)).toBe(true);
    expect(o.firstOrderPaper).toBe(true);
    expect(o.tradingMode).toBe("PAPER");
    expect(o.recentOrders.map((r) => r.status)).toEqual(["FILLED", "SKIPPED"]);
    expect(o.recentSignals).toHaveLength(2);
    expect(o.recentSignals[0]!.strategyName).toBe("Trend");
    expect(o.keys.find((x) => x.exchange === "BYBIT")!.keys[0]).toMatchObject({ status: "ACTIVE", apiKeyMasked: expect.stringMatching(/^APIK…mnop$/), balance: null });
    expect(o.keys.find((x) => x.exchange === "BINANCE")!.keys).toEqual([]);
    expect(o.attention).toEqual([]);
  });

  it("lists what needs attention, each with where to fix it; never another user's rows", async () => {
    const u = await user("PERSONAL");
    await key(u.id, "BINANCE", "DISABLED", "The exchange refused the API key.");
    const s = await insertStrategy(db, { name: "Momentum", allowedSymbols: ["BTC/USDT"] });
    const sub = await db.subscription.create({ data: { userId: u.id, strategyId: s.id, credentialId: null, sizingValue: 50 } });
    await execution(u.id, sub.id, s.id, "FAILED", false, "Not enough balance.");
    await db.position.create({
      data: { subscriptionId: sub.id, userId: u.id, strategyId: s.id, paper: false, exchange: "BYBIT", symbol: "BTC/USDT", marketType: "SPOT", side: "LONG", size: "0.001", unprotectedAt: new Date(), protectionNote: "The exchange refused the stop-loss." },
    });
    const other = await user("PERSONAL");
    await key(other.id, "BYBIT", "REJECTED");

    const o = await dashboardOverview(db, u.id);
    expect(o.attention.map((a) => [a.kind, a.href])).toEqual([
      ["KEY_DISABLED", "/keys"],
      ["NO_ACTIVE_KEY_LIVE", "/keys"],
      ["SUBSCRIPTION_KEY", "/signals"],
      ["ORDERS_FAILED", "/signals"],
      ["UNPROTECTED", "/positions"],
    ]);
    expect(o.attention[0]!.message).toContain("The exchange refused the API key.");
    expect(o.attention[3]!.message).toBe("1 order failed or was rejected in the last 24 hours.");
    expect(o.attention[4]!.message).toContain("BTC/USDT");
    expect(o.keys.find((x) => x.exchange === "BYBIT")!.keys).toEqual([]);
  });
});

describe("goLivePreview", () => {
  it("lists each subscription's size and key, and whether it would trade live", async () => {
    const u = await user("PAPER");
    const active = await key(u.id, "BYBIT", "ACTIVE");
    const disabled = await key(u.id, "BINANCE", "DISABLED");
    const a = await insertStrategy(db, { name: "A", allowedSymbols: ["BTC/USDT"] });
    const b = await insertStrategy(db, { name: "B", allowedSymbols: ["BTC/USDT"] });
    const c = await insertStrategy(db, { name: "C", allowedSymbols: ["BTC/USDT"] });
    await db.subscription.create({ data: { userId: u.id, strategyId: a.id, credentialId: active.id, sizingValue: "50.5", maxNotional: "200" } });
    await db.subscription.create({ data: { userId: u.id, strategyId: b.id, credentialId: disabled.id, sizingMode: "PERCENT_BALANCE", sizingValue: 5 } });
    await db.subscription.create({ data: { userId: u.id, strategyId: c.id, credentialId: active.id, sizingValue: 10, paused: true } });

    const p = await goLivePreview(db, u.id);
    expect(p.activeKeys).toBe(1);
    expect(p.subscriptions.map((s) => [s.strategyName, s.sizingMode, s.sizingValue, s.maxNotional, s.key?.exchange, s.key?.status, s.willTrade])).toEqual([
      ["A", "FIXED_QUOTE", "50.5", "200", "BYBIT", "ACTIVE", true],
      ["B", "PERCENT_BALANCE", "5", null, "BINANCE", "DISABLED", false],
      ["C", "FIXED_QUOTE", "10", null, "BYBIT", "ACTIVE", false],
    ]);
    expect(JSON.stringify(p)).not.toContain(active.apiKey);
  });
});
