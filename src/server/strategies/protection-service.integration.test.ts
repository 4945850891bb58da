/**
 * Protection settings through the real routers on a real database: an admin sets a strategy's
 * defaults and bounds (validated, audited), a subscriber chooses the strategy's or their own within
 * those bounds (errors by field, as the forms show them); the Positions page's query returns each
 * position's protective orders and its unprotected flag, and admins get the list of unprotected ones.
 */
import crypto from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/server/db";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { startSimulator, type Simulator } from "~/sim/server";

let t: TestDatabase;
let sim: Simulator;
let db: Db;
let caller: (userId: string) => ReturnType<Awaited<ReturnType<typeof routers>>["createCaller"]>;
let fieldErrorsOf: typeof import("~/server/api/trpc").fieldErrorsOf;
const ids = { admin: "", ann: "", linear: "", locked: "" };

async function routers() {
  const { appRouter } = await import("~/server/api/root");
  return appRouter;
}

async function user(name: string, admin = false) {
  const u = await db.user.create({
    data: { email: `${name}-${crypto.randomBytes(3).toString("hex")}@example.com`, name, passwordHash: "x", tier: "PRO", tradingMode: "PERSONAL", role: admin ? "ADMIN" : "USER", totpEnabledAt: admin ? new Date() : null },
  });
  return u.id;
}

const strategy = (name: string, protection?: object) =>
  insertStrategy(db, { name, allowedSymbols: ["BTC/USDT"], marketType: "LINEAR", ...(protection ? { protection } : {}) });

/** What a failed call shows in the form: its errors by field, or the tRPC code when it has none. */
async function refused(p: Promise<unknown>): Promise<Partial<Record<string, string>> | string> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return fieldErrorsOf(e.cause) ?? e.code;
  }
  throw new Error("expected the call to be refused");
}

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  db = t.database.prisma;
  Object.assign(process.env, { DATABASE_URL: t.url, EXCHANGE_SIMULATOR_URL: sim.url, NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"), ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex") });
  const appRouter = await routers();
  ({ fieldErrorsOf } = await import("~/server/api/trpc"));
  caller = (userId) => appRouter.createCaller({ db, auth: { userId, via: "token" }, meta: { ip: "192.0.2.8", userAgent: "protection-test" }, headers: new Headers() });
  ids.admin = await user("admin", true);
  ids.ann = await user("ann");
  ids.linear = (await strategy("Perp")).id;
  ids.locked = (await strategy("Locked", { defaults: { stopLossPct: "3" }, allowSubscriberOverride: false })).id;
});
afterAll(async () => {
  await sim?.close();
  await t?.drop();
});

describe("a strategy's protection (admin)", () => {
  it("is validated with errors by field, saved and audited; users cannot set it", async () => {
    const admin = caller(ids.admin);
    const tps = [{ pct: "2", sharePct: "60" }, { pct: "4", sharePct: "50" }];
    expect(await refused(admin.strategies.setProtection({ id: ids.linear, protection: { defaults: { stopLossPct: "2", takeProfits: tps } } }))).toEqual({
      "protection.defaults.takeProfits": "The take-profit shares add up to 110 %; they must add up to at most 100 %.",
    });
    expect(await refused(admin.strategies.setProtection({ id: ids.linear, protection: { defaults: { stopLossPct: "abc" } } }))).toEqual({
      "protection.defaults.stopLossPct": 'The stop-loss distance must be a percentage such as "2" or "1.5" (at most 4 decimals)',
    });
    expect(await refused(admin.strategies.setProtection({ id: ids.linear, protection: { defaults: { stopLossPct: "6" }, maxStopLossPct: "5" } }))).toEqual({
      "protection.defaults.stopLossPct": "The default stop-loss (6 %) is wider than the widest stop-loss subscribers may choose (5 %); lower it or raise the bound.",
    });
    expect(await refused(caller(ids.ann).strategies.setProtection({ id: ids.linear, protection: null }))).toBe("FORBIDDEN");

    const saved = await admin.strategies.setProtection({
      id: ids.linear,
      protection: { defaults: { stopLossPct: "2", takeProfits: [{ pct: "2", sharePct: "50" }, { pct: "4", sharePct: "50" }], breakEven: true }, maxStopLossPct: "5" },
    });
    expect(saved.protection).toEqual({
      defaults: { stopLossPct: "2", takeProfits: [{ pct: "2", sharePct: "50" }, { pct: "4", sharePct: "50" }], trailingPct: undefined, breakEven: true },
      maxStopLossPct: "5",
      allowSubscriberOverride: true,
    });
    expect((await admin.strategies.list()).find((s) => s.id === ids.linear)?.protection?.maxStopLossPct).toBe("5");
    const audit = await db.auditLog.findMany({ where: { action: "strategy.update", targetId: ids.linear, outcome: "SUCCESS" } });
    expect(audit.map((a) => a.details)).toEqual([{ changed: ["protection"] }]);

    // Nothing set is stored as nothing, so the protection watch leaves the strategy alone.
    const other = await strategy("Cleared", { defaults: { stopLossPct: "1" } });
    await admin.strategies.setProtection({ id: other.id, protection: { defaults: null, allowSubscriberOverride: true } });
    expect((await db.strategy.findUniqueOrThrow({ where: { id: other.id } })).protection).toBeNull();
  });
});

describe("a subscription's protection (user)", () => {
  const base = { sizingMode: "FIXED_QUOTE" as const, sizingValue: 50 };

  it("is the strategy's or the subscriber's own within the strategy's bounds, with errors by field", async () => {
    const ann = caller(ids.ann);
    const strategyId = ids.linear; // defaults SL 2 %, subscribers' stop-loss at most 5 %
    expect(await refused(ann.strategies.subscribe({ ...base, strategyId, protection: { stopLossPct: "8" } }))).toEqual({
      "protection.stopLossPct": "This strategy allows a stop-loss at most 5 % from the entry.",
    });
    expect(await refused(ann.strategies.subscribe({ ...base, strategyId, protection: { takeProfits: [{ pct: "3", sharePct: "100" }] } }))).toEqual({
      "protection.stopLossPct": "This strategy requires a stop-loss (at most 5 % from the entry).",
    });
    expect(await refused(ann.strategies.subscribe({ ...base, strategyId, protection: { stopLossPct: "3", takeProfits: [{ pct: "3", sharePct: "70" }, { pct: "2", sharePct: "40" }] } }))).toEqual({
      "protection.takeProfits": "The take-profit shares add up to 110 %; they must add up to at most 100 %.",
    });
    expect(await refused(ann.strategies.subscribe({ ...base, strategyId: ids.locked, protection: { stopLossPct: "1" } }))).toEqual({
      protection: "This strategy does not let subscribers set their own protection; its defaults apply.",
    });
    expect(await db.subscription.count({ where: { userId: ids.ann } })).toBe(0);

    const own = { stopLossPct: "4", takeProfits: [{ pct: "3", sharePct: "100" }], trailingPct: null, breakEven: false };
    await ann.strategies.subscribe({ ...base, strategyId, protection: own });
    const shown = (await ann.strategies.available()).find((s) => s.id === strategyId)!;
    expect(shown.protection?.defaults?.stopLossPct).toBe("2");
    expect(shown.subscription?.protection).toEqual(own);

    // Saving the sizing without the field leaves the protection as it is; null goes back to the strategy's.
    await ann.strategies.subscribe({ ...base, strategyId, sizingValue: 60 });
    expect((await db.subscription.findFirstOrThrow({ where: { userId: ids.ann, strategyId } })).protection).toEqual(own);
    await ann.strategies.subscribe({ ...base, strategyId, protection: null });
    expect((await db.subscription.findFirstOrThrow({ where: { userId: ids.ann, strategyId } })).protection).toBeNull();
    const audit = await db.auditLog.findMany({ where: { action: "subscription.save", actorId: ids.ann }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => (a.details as { protection: string }).protection)).toEqual(["own", "unchanged", "strategy"]);
  });
});

describe("open positions with their protection", () => {
  it("shows live and filled protective orders, the plan's notes and the unprotected flag; admins see the unprotected list", async () => {
    const sub = await db.subscription.findFirstOrThrow({ where: { userId: ids.ann, strategyId: ids.linear } });
    const openedAt = new Date(Date.now() - 60_000);
    const pos = await db.position.create({
      data: {
        subscriptionId: sub.id, userId: ids.ann, strategyId: ids.linear, paper: false, exchange: "BYBIT", symbol: "BTC/USDT:USDT", marketType: "LINEAR",
        side: "LONG", size: "0.01", grossSize: "0.01", entryValue: "500", openedAt,
        protectionPlan: { side: "long", entry: "50000", stopLoss: "49000", takeProfits: [], trailingPct: null, breakEven: true, filledLevels: [1], breakEvenDone: true, notes: ["The trailing stop was left out."] },
        unprotectedAt: new Date(), protectionNote: "No stop-loss is on the exchange for this BTC/USDT:USDT position: refused.",
      },
    });
    const order = (kind: "STOP_LOSS" | "TAKE_PROFIT", level: number, status: "OPEN" | "FILLED" | "CANCELED", createdAt: Date, extra: object = {}) =>
      db.protectiveOrder.create({
        data: { positionId: pos.id, subscriptionId: sub.id, userId: ids.ann, symbol: pos.symbol, kind, level, clientOrderId: `kp${crypto.randomBytes(6).toString("hex")}`, side: "sell", amount: "0.01", status, createdAt, ...extra },
      });
    await order("TAKE_PROFIT", 1, "FILLED", new Date(openedAt.getTime() - 3_600_000)); // an earlier position's: not shown
    await order("STOP_LOSS", 0, "CANCELED", new Date(), { triggerPrice: "49000" }); // replaced: not shown
    await order("TAKE_PROFIT", 1, "FILLED", new Date(), { triggerPrice: "51000", filledAmount: "0.01", averagePrice: "51000.5" });
    await order("STOP_LOSS", 0, "OPEN", new Date(), { triggerPrice: "50000" });
    await order("TAKE_PROFIT", 2, "OPEN", new Date(), { triggerPrice: "52000.10" });

    const [p] = await caller(ids.ann).positions.open();
    expect(p!.protectiveOrders.map((o) => [o.kind, o.level, o.status, o.amount, o.triggerPrice, o.averagePrice])).toEqual([
      ["STOP_LOSS", 0, "OPEN", "0.01", "50000", null],
      ["TAKE_PROFIT", 1, "FILLED", "0.01", "51000", "51000.5"],
      ["TAKE_PROFIT", 2, "OPEN", "0.01", "52000.1", null],
    ]);
    expect(p).toMatchObject({ protectionNotes: ["The trailing stop was left out."], breakEvenDone: true, protectionNote: pos.protectionNote });
    expect(p!.unprotectedAt).toBeInstanceOf(Date);

    const list = await caller(ids.admin).metrics.unprotected();
    expect(list.count).toBe(1);
    expect(list.items.map((i) => [i.strategyName, i.symbol, i.side, i.size, i.exchange, i.protectionNote])).toEqual([["Perp", "BTC/USDT:USDT", "LONG", "0.01", "BYBIT", pos.protectionNote]]);
    expect(await refused(caller(ids.ann).metrics.unprotected())).toBe("FORBIDDEN");
  });

  it("leverage and margin mode per subscription: saved and shown; a leverage above the subscriber's own cap is refused on its field", async () => {
    const base = { sizingMode: "FIXED_QUOTE" as const, sizingValue: 50 };
    const bob = caller(ids.ann);
    const strategyId = ids.linear;
    expect(await refused(bob.strategies.subscribe({ ...base, strategyId, leverageCap: 5, leverage: 10 }))).toEqual({
      leverage: "leverage 10 is above your leverage cap of 5; lower it or raise the cap.",
    });
    expect(await refused(bob.strategies.subscribe({ ...base, strategyId, leverage: 200 }))).toEqual({ leverage: "leverage must be at most 125" });
    expect(await refused(bob.strategies.subscribe({ ...base, strategyId, marginMode: "PORTFOLIO" as never }))).toEqual({ marginMode: "marginMode must be ISOLATED or CROSS (or empty: the account's own)" });
    await bob.strategies.subscribe({ ...base, strategyId, leverageCap: 10, leverage: 5, marginMode: "ISOLATED" });
    const shown = (await bob.strategies.available()).find((s) => s.id === strategyId)!;
    expect([shown.subscription?.leverage, shown.subscription?.marginMode]).toEqual([5, "ISOLATED"]);
  });
});
