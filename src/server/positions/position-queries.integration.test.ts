/**
 * The positions screens' figures on a real database: fills booked through the real ledger
 * (bookFills), then open positions with marks, the dashboard summary, the filtered and paginated
 * history, its CSV and the admin totals, each checked against figures computed by hand (below).
 * Then the router: a user sees and closes only their own positions (IDOR).
 *
 * The book (all USDT):
 *  1  Ann/Alpha ETH/USDT live   buy  0.1   @ 3000   fee 0.3 USDT      3 days ago   open
 *  2  Ann/Alpha ETH/USDT live   sell 0.1   @ 3100   fee 0.31 USDT     3 days ago   close: 310 - 300 - 0.3 - 0.31 = 9.39
 *  3  Ann/Alpha BTC/USDT live   buy  0.002 @ 50050  fee 0.000002 BTC  (ref 50000: slippage +0.1 %)
 *       holds 0.001998 (fee in BTC), cost 100.1, fee in quote 0.1001; at 51000: 101.898 - 100.1 = 1.798
 *  4  Ann/Gamma BTC/USDT live   buy  0.001 @ 51000  fee 0.051 USDT    (ref 51200: -200/51200 = -0.390625 %)
 *       at 51000: 51 - 51 - 0.051 = -0.051
 *  5  Ann/Gamma SOL/USDT live (Binance) buy 2 @ 150 fee 0.3 USDT: no price to be had -> unrealized unknown
 *       (4 and 5 share a timestamp: the keyset breaks the tie by id)
 *  6  Ann/Beta ETH/USDT:USDT paper sell 1   @ 3000 fee 3 USDT      short 1, cost 3000, open fees 3
 *  7  Ann/Beta ETH/USDT:USDT paper buy  0.4 @ 2900 fee 1.16 USDT   reduce: (1160 - 1200) x -1 - 1.2 - 1.16 = 37.64
 *       left: short 0.6, cost 1800, open fees 1.8; at 2950 (Binance, the paper mark): (1770 - 1800) x -1 - 1.8 = 28.2
 *  8  Bob/Alpha BTC/USDT live   buy  0.01  @ 50000  fee 0.5 USDT      (ref 50000: slippage 0)
 */
import crypto from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/server/db";
import { bookFills, type FillToBook } from "~/server/positions/position-ledger";
import { openPositions, positionsSummary, type PriceFn } from "~/server/positions/position-queries";
import { historyOptions, tradeHistory } from "~/server/positions/trade-history";
import { strategyTotals } from "~/server/positions/strategy-totals";
import { HISTORY_CSV_COLUMNS, tradeHistoryCsv } from "~/server/positions/trade-history-csv";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import { startSimulator, type Simulator } from "~/sim/server";

let t: TestDatabase;
let sim: Simulator;
let db: Db;
const NOW = Date.now();
const MIN = 60_000;
const at = (msAgo: number) => new Date(NOW - msAgo);
const ids = { ann: "", bob: "", alpha: "", beta: "", gamma: "", delta: "" };
const subs = { annAlpha: "", annBeta: "", annGamma: "", bobAlpha: "" };

const prices: Record<string, string> = { "BYBIT|BTC/USDT": "51000", "BINANCE|ETH/USDT:USDT": "2950" };
const priceCalls: string[] = [];
const fakePrices: PriceFn = async (exchange, symbol) => {
  priceCalls.push(`${exchange}|${symbol}`);
  const p = prices[`${exchange}|${symbol}`];
  if (!p) throw new Error("no such market");
  return p;
};

let signalSeq = 0;
/** An execution (and its signal) as the engine leaves it, and its fill booked through the ledger at `when`. */
async function fill(
  n: number,
  sub: { id: string; userId: string; strategyId: string },
  f: Pick<FillToBook, "symbol" | "side" | "amount" | "price" | "fee" | "feeCurrency" | "paper" | "exchange"> & { refPrice?: string; when: Date },
) {
  const executionId = `xt${String(n).padStart(2, "0")}`;
  const signal = await db.signal.create({ data: { strategyId: sub.strategyId, dedupeKey: `k${signalSeq++}`, action: f.side, symbol: f.symbol, alert: {}, status: "DONE" } });
  await db.execution.create({
    data: {
      id: executionId, signalId: signal.id, subscriptionId: sub.id, userId: sub.userId, tier: "PRO", priority: 0, clientOrderId: `kr-${executionId}`,
      status: "FILLED", paper: f.paper, symbol: f.symbol, side: f.side, exchange: f.exchange as "BINANCE" | "BYBIT" | null, amount: f.amount, filledAmount: f.amount, averagePrice: f.price,
    },
  });
  await db.$transaction((tx) =>
    bookFills(tx, [{ executionId, subscriptionId: sub.id, userId: sub.userId, strategyId: sub.strategyId, refPrice: f.refPrice ?? null, dustBelow: null, ...f }]),
  );
  await db.fill.update({ where: { executionId }, data: { createdAt: f.when } });
  return `f${executionId}`;
}

/** An execution that never filled (counts as an order placed when the exchange saw it). */
async function unfilled(sub: { id: string; userId: string; strategyId: string }, status: "REJECTED" | "SKIPPED") {
  const signal = await db.signal.create({ data: { strategyId: sub.strategyId, dedupeKey: `k${signalSeq++}`, action: "buy", symbol: "BTC/USDT", alert: {}, status: "DONE" } });
  const id = `xu${crypto.randomBytes(4).toString("hex")}`;
  await db.execution.create({
    data: { id, signalId: signal.id, subscriptionId: sub.id, userId: sub.userId, tier: "PRO", priority: 0, clientOrderId: `kr-${id}`, status, symbol: "BTC/USDT", side: "buy", exchange: "BYBIT" },
  });
}

const F: Record<number, string> = {};

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  db = t.database.prisma;
  const user = (email: string, role: "USER" | "ADMIN" = "USER") => db.user.create({ data: { email, name: email, passwordHash: "x", role, totpEnabledAt: role === "ADMIN" ? new Date() : null } });
  const strategy = (name: string, marketType: "SPOT" | "LINEAR", allowedSymbols: string[]) =>
    insertStrategy(db, { name, marketType, allowedSymbols });
  ids.ann = (await user("ann@example.com")).id;
  ids.bob = (await user("bob@example.com")).id;
  ids.alpha = (await strategy("Alpha", "SPOT", ["BTC/USDT", "ETH/USDT"])).id;
  ids.beta = (await strategy("Beta", "LINEAR", ["ETH/USDT"])).id;
  // A name a spreadsheet would run as a formula: the CSV must neutralise it.
  ids.gamma = (await strategy("=Gamma", "SPOT", ["BTC/USDT", "SOL/USDT"])).id;
  ids.delta = (await strategy("Delta", "SPOT", ["BTC/USDT"])).id;
  const sub = async (userId: string, strategyId: string) => (await db.subscription.create({ data: { userId, strategyId, sizingValue: 50 } })).id;
  subs.annAlpha = await sub(ids.ann, ids.alpha);
  subs.annBeta = await sub(ids.ann, ids.beta);
  subs.annGamma = await sub(ids.ann, ids.gamma);
  subs.bobAlpha = await sub(ids.bob, ids.alpha);
  const annAlpha = { id: subs.annAlpha, userId: ids.ann, strategyId: ids.alpha };
  const annBeta = { id: subs.annBeta, userId: ids.ann, strategyId: ids.beta };
  const annGamma = { id: subs.annGamma, userId: ids.ann, strategyId: ids.gamma };
  const bobAlpha = { id: subs.bobAlpha, userId: ids.bob, strategyId: ids.alpha };
  const live = { paper: false, exchange: "BYBIT" };
  const usdt = "USDT";
  F[1] = await fill(1, annAlpha, { ...live, symbol: "ETH/USDT", side: "buy", amount: "0.1", price: "3000", fee: "0.3", feeCurrency: usdt, when: at(3 * 1440 * MIN + 60 * MIN) });
  F[2] = await fill(2, annAlpha, { ...live, symbol: "ETH/USDT", side: "sell", amount: "0.1", price: "3100", fee: "0.31", feeCurrency: usdt, when: at(3 * 1440 * MIN) });
  F[3] = await fill(3, annAlpha, { ...live, symbol: "BTC/USDT", side: "buy", amount: "0.002", price: "50050", fee: "0.000002", feeCurrency: "BTC", refPrice: "50000", when: at(50 * MIN) });
  F[4] = await fill(4, annGamma, { ...live, symbol: "BTC/USDT", side: "buy", amount: "0.001", price: "51000", fee: "0.051", feeCurrency: usdt, refPrice: "51200", when: at(35 * MIN) });
  F[5] = await fill(5, annGamma, { paper: false, exchange: "BINANCE", symbol: "SOL/USDT", side: "buy", amount: "2", price: "150", fee: "0.3", feeCurrency: usdt, when: at(35 * MIN) });
  F[6] = await fill(6, annBeta, { paper: true, exchange: null, symbol: "ETH/USDT:USDT", side: "sell", amount: "1", price: "3000", fee: "3", feeCurrency: usdt, when: at(20 * MIN) });
  F[7] = await fill(7, annBeta, { paper: true, exchange: null, symbol: "ETH/USDT:USDT", side: "buy", amount: "0.4", price: "2900", fee: "1.16", feeCurrency: usdt, when: at(10 * MIN) });
  F[8] = await fill(8, bobAlpha, { ...live, symbol: "BTC/USDT", side: "buy", amount: "0.01", price: "50000", fee: "0.5", feeCurrency: usdt, refPrice: "50000", when: at(45 * MIN) });
  await unfilled(annAlpha, "REJECTED");
  await unfilled(annAlpha, "SKIPPED");
  await db.position.updateMany({ where: { subscriptionId: subs.annGamma, symbol: "BTC/USDT" }, data: { driftNote: "The account held less than the ledger.", driftAt: at(5 * MIN) } });
});
afterAll(async () => {
  const { closeDatabase } = await import("~/server/db");
  await closeDatabase();
  await sim?.close();
  await t?.drop();
});

describe("open positions", () => {
  it("lists each open position with entry, mark and unrealized PnL; prices each market once; unknown price is null, not 0", async () => {
    priceCalls.length = 0;
    const open = await openPositions(db, ids.ann, fakePrices);
    expect(open).toHaveLength(3 + 1);
    const find = (strategyId: string, symbol: string) => open.find((p) => p.strategyId === strategyId && p.symbol === symbol)!;

    expect(find(ids.alpha, "BTC/USDT")).toMatchObject({
      strategyName: "Alpha", side: "LONG", size: "0.001998", averageEntry: "50050", mark: "51000", unrealizedPnl: "1.798",
      realizedPnl: "0", feesPaid: "0.1001", paper: false, exchange: "BYBIT", markExchange: "BYBIT", quote: "USDT", driftNote: null, inFlight: null,
    });
    expect(find(ids.gamma, "BTC/USDT")).toMatchObject({ strategyName: "=Gamma", size: "0.001", averageEntry: "51000", mark: "51000", unrealizedPnl: "-0.051", feesPaid: "0.051", driftNote: "The account held less than the ledger." });
    expect(find(ids.gamma, "SOL/USDT")).toMatchObject({ size: "2", averageEntry: "150", mark: null, unrealizedPnl: null, exchange: "BINANCE" });
    expect(find(ids.beta, "ETH/USDT:USDT")).toMatchObject({
      side: "SHORT", marketType: "LINEAR", size: "0.6", averageEntry: "3000", markExchange: "BINANCE", mark: "2950", unrealizedPnl: "28.2",
      realizedPnl: "37.64", feesPaid: "4.16", paper: true, exchange: null,
    });
    expect(open.every((p) => p.openedAt instanceof Date)).toBe(true);
    // The closed ETH/USDT book is not open; BTC/USDT on Bybit was asked once for two positions.
    expect(open.some((p) => p.symbol === "ETH/USDT")).toBe(false);
    expect([...priceCalls].sort()).toEqual(["BINANCE|ETH/USDT:USDT", "BINANCE|SOL/USDT", "BYBIT|BTC/USDT"]);
  });

  it("is per user", async () => {
    const open = await openPositions(db, ids.bob, fakePrices);
    expect(open.map((p) => [p.strategyName, p.symbol, p.size, p.unrealizedPnl])).toEqual([["Alpha", "BTC/USDT", "0.01", "9.5"]]); // 510 - 500 - 0.5
  });
});

describe("summary", () => {
  it("counts open positions and adds PnL, LIVE and PAPER apart, today from the caller's midnight", async () => {
    const s = await positionsSummary(db, ids.ann, fakePrices, at(2 * 60 * MIN));
    expect(s.live).toEqual({
      openPositions: 3,
      unrealizedPnl: [{ currency: "USDT", amount: "1.747" }], // 1.798 - 0.051; SOL has no price
      unpriced: 1,
      realizedToday: [{ currency: "USDT", amount: "0" }],
      realizedTotal: [{ currency: "USDT", amount: "9.39" }],
    });
    expect(s.paper).toEqual({
      openPositions: 1,
      unrealizedPnl: [{ currency: "USDT", amount: "28.2" }],
      unpriced: 0,
      realizedToday: [{ currency: "USDT", amount: "37.64" }],
      realizedTotal: [{ currency: "USDT", amount: "37.64" }],
    });
    // From four days ago, the ETH close is "today" too.
    expect((await positionsSummary(db, ids.ann, fakePrices, at(4 * 1440 * MIN))).live.realizedToday).toEqual([{ currency: "USDT", amount: "9.39" }]);
  });
});

describe("trade history", () => {
  it("is newest first, one row per fill with its strategy, fee and realized PnL", async () => {
    const { items, nextCursor } = await tradeHistory(db, ids.ann, {});
    expect(items.map((r) => r.id)).toEqual([F[7], F[6], F[5], F[4], F[3], F[2], F[1]]);
    expect(nextCursor).toBeNull();
    expect(items[0]).toMatchObject({
      strategyName: "Beta", symbol: "ETH/USDT:USDT", side: "buy", effect: "REDUCE", amount: "0.4", price: "2900", fee: "1.16", feeCurrency: "USDT", feeQuote: "1.16",
      realizedPnl: "37.64", slippagePct: null, paper: true, exchange: null, at: at(10 * MIN),
    });
    expect(items.find((r) => r.id === F[3])).toMatchObject({ fee: "0.000002", feeCurrency: "BTC", feeQuote: "0.1001", slippagePct: "0.1", exchange: "BYBIT", effect: "OPEN", realizedPnl: "0" });
    expect(items.find((r) => r.id === F[4])!.slippagePct).toBe("-0.390625");
    expect(items.find((r) => r.id === F[2])).toMatchObject({ effect: "CLOSE", realizedPnl: "9.39" });
  });

  it("filters by strategy, symbol, paper/live and dates", async () => {
    const ids_ = async (filter: Parameters<typeof tradeHistory>[2]) => (await tradeHistory(db, ids.ann, filter)).items.map((r) => r.id);
    expect(await ids_({ strategyId: ids.alpha })).toEqual([F[3], F[2], F[1]]);
    expect(await ids_({ symbol: "ETH/USDT" })).toEqual([F[2], F[1]]);
    expect(await ids_({ mode: "PAPER" })).toEqual([F[7], F[6]]);
    expect(await ids_({ mode: "LIVE", strategyId: ids.gamma })).toEqual([F[5], F[4]]);
    expect(await ids_({ from: at(60 * MIN) })).toEqual([F[7], F[6], F[5], F[4], F[3]]);
    expect(await ids_({ to: at(1440 * MIN) })).toEqual([F[2], F[1]]);
    expect(await ids_({ from: at(40 * MIN), to: at(15 * MIN) })).toEqual([F[6], F[5], F[4]]);
    // Another user's strategy filter shows nothing of theirs.
    expect((await tradeHistory(db, ids.bob, { strategyId: ids.beta })).items).toEqual([]);
  });

  it("pages by keyset without gaps or repeats, across rows that share a timestamp", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const page: Awaited<ReturnType<typeof tradeHistory>> = await tradeHistory(db, ids.ann, {}, { cursor, limit: 3 });
      sizes.push(page.items.length);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual([F[7], F[6], F[5], F[4], F[3], F[2], F[1]]);
  });

  it("offers the user's own strategies and symbols as filters", async () => {
    expect(await historyOptions(db, ids.bob)).toEqual({ strategies: [{ id: ids.alpha, name: "Alpha" }], symbols: ["BTC/USDT"] });
    expect((await historyOptions(db, ids.ann)).symbols).toEqual(["BTC/USDT", "ETH/USDT", "ETH/USDT:USDT", "SOL/USDT"]);
  });

  it("exports the filtered history as CSV, in batches, formula-safe, numbers left as numbers", async () => {
    let text = "";
    for await (const chunk of tradeHistoryCsv(db, ids.ann, { mode: "LIVE" }, 2)) text += chunk;
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe(HISTORY_CSV_COLUMNS.join(","));
    expect(lines).toHaveLength(1 + 5);
    const gamma = lines.find((l) => l.includes("SOL/USDT"))!;
    expect(gamma).toContain(`"'=Gamma"`);
    expect(lines.find((l) => l.includes('"-0.390625"'))).toBeDefined();
    expect(lines.find((l) => l.includes(`"xt02"`))).toMatch(/"sell","CLOSE","0.1","3100","0.31","USDT","0.31","9.39","USDT",,"LIVE","BYBIT","xt02","STRATEGY"$/);
    expect(text).not.toContain("Beta");
  });
});

describe("strategy totals (admin)", () => {
  it("adds orders, fills, volume, realized PnL, slippage and open positions per strategy, LIVE and PAPER apart", async () => {
    const totals = await strategyTotals(db);
    const of = (id: string) => totals.find((s) => s.strategyId === id)!;
    const zero = { ordersPlaced: 0, fills: 0, volume: [], realizedPnl: [], avgSlippagePct: null, openPositions: 0 };
    expect(totals.map((s) => s.name)).toEqual(["Alpha", "Beta", "=Gamma", "Delta"]);
    // Alpha: 4 fills + 1 rejected (the skip is no order); 300 + 310 + 100.1 + 500; slippage (0.1 + 0) / 2.
    expect(of(ids.alpha).live).toEqual({
      ordersPlaced: 5, fills: 4, volume: [{ currency: "USDT", amount: "1210.1" }], realizedPnl: [{ currency: "USDT", amount: "9.39" }], avgSlippagePct: "0.05", openPositions: 2,
    });
    expect(of(ids.alpha).paper).toEqual(zero);
    expect(of(ids.beta).paper).toEqual({
      ordersPlaced: 2, fills: 2, volume: [{ currency: "USDT", amount: "4160" }], realizedPnl: [{ currency: "USDT", amount: "37.64" }], avgSlippagePct: null, openPositions: 1,
    });
    expect(of(ids.beta).live).toEqual(zero);
    expect(of(ids.gamma).live).toEqual({
      ordersPlaced: 2, fills: 2, volume: [{ currency: "USDT", amount: "351" }], realizedPnl: [{ currency: "USDT", amount: "0" }], avgSlippagePct: "-0.390625", openPositions: 2,
    });
    expect(of(ids.delta)).toMatchObject({ enabled: true, live: zero, paper: zero });
  });
});

describe("router: a user sees and closes only their own positions", () => {
  it("keeps other users' positions out of reach (IDOR), closes one's own through the engine", async () => {
    Object.assign(process.env, {
      DATABASE_URL: t.url,
      EXCHANGE_SIMULATOR_URL: sim.url,
      NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"),
      ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
    });
    const { appRouter } = await import("~/server/api/root");
    const caller = (userId: string) => appRouter.createCaller({ db, auth: { userId, via: "token" }, meta: { ip: "192.0.2.7", userAgent: "idor" }, headers: new Headers() });
    const ann = caller(ids.ann);
    const bob = caller(ids.bob);
    const code = (p: Promise<unknown>) => p.then(() => "OK", (e: unknown) => (e instanceof TRPCError ? e.code : String(e)));
    const annBtc = await db.position.findFirstOrThrow({ where: { subscriptionId: subs.annAlpha, symbol: "BTC/USDT" } });
    const annShort = await db.position.findFirstOrThrow({ where: { subscriptionId: subs.annBeta } });
    const annFlat = await db.position.findFirstOrThrow({ where: { subscriptionId: subs.annAlpha, symbol: "ETH/USDT" } });

    // Bob sees only his own position, fills and filter options.
    expect((await bob.positions.open()).map((p) => p.strategyName + " " + p.symbol)).toEqual(["Alpha BTC/USDT"]);
    expect((await bob.positions.history({})).items.map((r) => r.id)).toEqual([F[8]]);
    expect((await bob.positions.history({ filter: { strategyId: ids.beta } })).items).toEqual([]);
    expect((await bob.positions.historyOptions()).strategies.map((s) => s.name)).toEqual(["Alpha"]);
    expect((await bob.positions.summary({})).live.openPositions).toBe(1);
    // Bob cannot close Ann's position: "not found", exactly as for an id that does not exist.
    expect(await code(bob.positions.close({ positionId: annBtc.id }))).toBe("NOT_FOUND");
    expect(await code(bob.positions.close({ positionId: "no-such-position" }))).toBe("NOT_FOUND");
    expect(await db.execution.count({ where: { userId: ids.ann, intent: "CLOSE" } })).toBe(0);
    // Totals are for admins.
    expect(await code(bob.positions.strategyTotals())).toBe("FORBIDDEN");

    // Ann closes her paper short: one CLOSE execution queued, audited; the position shows it in flight.
    expect(await code(ann.positions.close({ positionId: annFlat.id }))).toBe("CONFLICT");
    const closed = await ann.positions.close({ positionId: annShort.id });
    const exec = await db.execution.findUniqueOrThrow({ where: { id: closed.executionId } });
    expect(exec).toMatchObject({ userId: ids.ann, subscriptionId: subs.annBeta, intent: "CLOSE", side: "buy", paper: true, status: "QUEUED" });
    expect(await db.auditLog.count({ where: { action: "position.close", actorId: ids.ann, targetId: annShort.id } })).toBe(1);
    const open = await ann.positions.open();
    expect(open.find((p) => p.id === annShort.id)!.inFlight).toEqual({ status: "QUEUED", intent: "CLOSE" });
    // A second click while the first is in flight is refused, not doubled.
    expect(await code(ann.positions.close({ positionId: annShort.id }))).toBe("CONFLICT");
  });
});
