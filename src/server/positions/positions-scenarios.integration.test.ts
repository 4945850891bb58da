/**
 * Positions end to end: TradingView strategy alerts with position fields, through the webhook,
 * the engine and unmodified ccxt, to the simulator, whose ledger shows every order by the API key
 * that signed it; and the position ledger, which must agree with it.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { graphileSink, makeTasks } from "~/server/engine/runtime";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { startGraphileWorker, type WorkerHandle } from "~/server/jobs/graphile-queue";
import { checkDrift } from "~/server/positions/drift-check";
import { dec } from "~/server/money/decimal";
import { receiveSignal } from "~/server/signals/receive-signal";
import { makeStrategy, makeSubscriber, waitFor } from "~/server/test/engine-fixtures";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createKeyring } from "~/server/vault/keyring";
import { bybitClient, ledger, simGet, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";

let t: TestDatabase;
let sim: Simulator;
let worker: WorkerHandle;
let deps: EngineDeps;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  deps = { db: t.database.prisma, sql: t.database.sql, adapter: new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 5_000 })), jobs: graphileSink() };
  worker = await startGraphileWorker({ connectionString: t.url, tasks: makeTasks(deps), concurrency: 4, pollInterval: 100 });
});
afterAll(async () => {
  await worker?.stop();
  await sim.close();
  await t.drop();
});

async function price(symbol: string, p: string) {
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol, price: p });
}

/** Sends a TradingView strategy alert and waits until every leg is settled. */
async function alert(token: string, body: Record<string, unknown>) {
  const r = await receiveSignal({ db: deps.db, sql: deps.sql, jobs: deps.jobs }, { pathToken: token, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", id: crypto.randomUUID(), ...body }), ip: "127.0.0.1" });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  const signalId = String(r.body.signalId);
  await waitFor(async () => {
    const s = await deps.db.signal.findUnique({ where: { id: signalId } });
    return s && (s.status === "DONE" || s.status === "REJECTED") ? s : null;
  }, 30_000);
  return deps.db.execution.findMany({ where: { signalId }, orderBy: { leg: "asc" } });
}

const pos = (userId: string) => deps.db.position.findFirstOrThrow({ where: { userId } });
const sum = (xs: { toString(): string }[]) => xs.reduce((a: ReturnType<typeof dec>, x) => a.plus(x.toString()), dec(0)).toFixed();

/** The ledger equals the sum of its fills: signed amounts (net of base fees) and realized PnL. */
async function ledgerMatchesFills(userId: string) {
  const p = await pos(userId);
  const fills = await deps.db.fill.findMany({ where: { positionId: p.id } });
  expect(sum(fills.map((f) => f.realizedPnl))).toBe(dec(p.realizedPnl.toString()).toFixed());
  return p;
}

/** A TradingView strategy alert's position fields: the action, the position after it and before it. */
const tv = (action: string, next: string, size: string, prev: string, prevSize: string) => ({
  action, marketPosition: next, marketPositionSize: size, prevMarketPosition: prev, prevMarketPositionSize: prevSize, quantity: "1", price: "50000",
});

/** A linear strategy with one Bybit subscriber, long 1 (0.02 BTC at 50,000). */
async function longOnBybit() {
  const strategy = await makeStrategy(deps.db, { marketType: "LINEAR" });
  const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT", sizing: 1000 });
  await price("BTC/USDT:USDT", "50000");
  expect((await alert(strategy.webhookToken, tv("buy", "long", "1", "flat", "0"))).map((e) => `${e.status} ${e.message ?? ""}`)).toEqual(["FILLED "]);
  return { strategy, sub };
}

describe("a linear strategy: open long -> add -> partial close -> flip to short -> flat", () => {
  it("trades exactly those orders on the subscriber's own key and books them in the ledger", async () => {
    const { strategy, sub } = await longOnBybit();
    expect((await pos(sub.userId))).toMatchObject({ side: "LONG" });
    expect((await pos(sub.userId)).size.toString()).toBe("0.02");

    expect((await alert(strategy.webhookToken, tv("buy", "long", "2", "long", "1"))).map((e) => e.intent)).toEqual(["OPEN"]);
    expect((await pos(sub.userId)).size.toString()).toBe("0.04");

    await price("BTC/USDT:USDT", "51000");
    const partial = await alert(strategy.webhookToken, tv("sell", "long", "1", "long", "2"));
    expect(partial.map((e) => [e.intent, e.status, e.closeFraction?.toString()])).toEqual([["CLOSE", "FILLED", "0.5"]]);
    expect((await pos(sub.userId)).size.toString()).toBe("0.02");

    const flip = await alert(strategy.webhookToken, tv("sell", "short", "1", "long", "1"));
    expect(flip.map((e) => [e.leg, e.intent, e.positionSide, e.status])).toEqual([
      [0, "CLOSE", "LONG", "FILLED"],
      [1, "OPEN", "SHORT", "FILLED"],
    ]);
    expect(flip[1]!.sentAt!.getTime()).toBeGreaterThanOrEqual(flip[0]!.completedAt!.getTime()); // the open went after the close filled
    expect(await pos(sub.userId)).toMatchObject({ side: "SHORT" });

    await price("BTC/USDT:USDT", "50500");
    expect((await alert(strategy.webhookToken, tv("buy", "flat", "0", "short", "1"))).map((e) => [e.intent, e.status])).toEqual([["CLOSE", "FILLED"]]);

    const orders = await ledger(sim.url, `?apiKey=${sub.apiKey}`);
    expect(orders.map((o) => [o.side, o.amount, o.reduceOnly])).toEqual([
      ["buy", "0.02", false],
      ["buy", "0.02", false],
      ["sell", "0.02", true],
      ["sell", "0.02", true],
      ["sell", "0.02", false],
      ["buy", "0.02", true],
    ]);
    const p = await ledgerMatchesFills(sub.userId);
    expect(p).toMatchObject({ side: "FLAT" });
    expect(p.size.toString()).toBe("0");
    // The exchange agrees: no position left.
    const account = await simGet<{ positions: { size: string }[] }>(sim.url, `/__sim/accounts/${(orders[0] as { accountId: string }).accountId}`);
    expect(account.positions.filter((x) => !dec(x.size).isZero())).toEqual([]);
    // PnL by hand: long 0.04 @ 50000; closed 0.02 @ 51000 (+20) and 0.02 @ 51000 (+20); short 0.02 @ 51000 closed @ 50500 (+10); minus every fee.
    const fees = sum((await deps.db.fill.findMany({ where: { positionId: p.id } })).map((f) => f.feeQuote ?? 0));
    expect(p.realizedPnl.toString()).toBe(dec(50).minus(fees).toFixed());
  }, 90_000);
});

describe("a reversal whose close does not fill", () => {
  it("stops at the close: the open leg is skipped, saying why, and nothing opens the other way", async () => {
    const { strategy, sub } = await longOnBybit();
    // The user closes the long on the exchange, by hand: the reversal's close finds nothing to close.
    const client = bybitClient(sim.url, { apiKey: sub.apiKey, secret: sub.secret });
    await client.createOrder("BTC/USDT:USDT", "market", "sell", 0.02, undefined, { reduceOnly: true });
    const flip = await alert(strategy.webhookToken, tv("sell", "short", "1", "long", "1"));
    expect(flip.map((e) => [e.leg, e.intent, e.status, e.errorKind])).toEqual([
      [0, "CLOSE", "SKIPPED", "SKIP_CLOSED_OUTSIDE"],
      [1, "OPEN", "SKIPPED", "SKIP_REVERSAL_STOPPED"],
    ]);
    expect(flip[1]!.message).toBe("The close before this open ended SKIPPED, so the reversal stopped at the close.");
    expect((await ledger(sim.url, `?apiKey=${sub.apiKey}`)).map((o) => o.side)).toEqual(["buy", "sell"]); // the engine's open, the user's close
  }, 60_000);
});

describe("a spot strategy", () => {
  it("open -> add -> partial close -> 'short' (a close on spot) -> flat: nothing is ever sold short", async () => {
    const strategy = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BINANCE", sizing: 1000 });
    await price("BTC/USDT", "50000");
    const tv = (action: string, next: string, size: string, prevSize: string) => ({ action, marketPosition: next, marketPositionSize: size, prevMarketPositionSize: prevSize, quantity: "1", price: "50000" });
    await alert(strategy.webhookToken, tv("buy", "long", "1", "0"));
    await alert(strategy.webhookToken, tv("buy", "long", "2", "1"));
    await alert(strategy.webhookToken, tv("sell", "long", "1", "2"));
    const toShort = await alert(strategy.webhookToken, tv("sell", "short", "1", "1"));
    expect(toShort.map((e) => [e.intent, e.status])).toEqual([["CLOSE", "FILLED"]]); // no open leg on spot
    const flat = await alert(strategy.webhookToken, tv("buy", "flat", "0", "1"));
    expect(flat.map((e) => e.status)).toEqual(["SKIPPED"]);
    expect(flat[0]!.message).toMatch(/holds nothing/);
    const orders = await ledger(sim.url, `?apiKey=${sub.apiKey}`);
    expect(orders.map((o) => o.side)).toEqual(["buy", "buy", "sell", "sell"]);
    expect(await ledgerMatchesFills(sub.userId)).toMatchObject({ side: "FLAT" });
  }, 90_000);

  it("a spot buy whose fee was taken in BTC closes fully on flat", async () => {
    const strategy = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BINANCE", sizing: 100 });
    await price("BTC/USDT", "50000");
    await alert(strategy.webhookToken, { action: "buy", marketPosition: "long", price: "50000" });
    const opened = await pos(sub.userId);
    // 100 USDT / 50000 = 0.002 BTC bought, 0.1 % of it (0.000002 BTC) paid as the fee: 0.001998 held.
    expect(opened.size.toString()).toBe("0.001998");
    const [close] = await alert(strategy.webhookToken, { action: "sell", marketPosition: "flat", price: "50000" });
    expect(close).toMatchObject({ status: "FILLED", intent: "CLOSE" });
    expect(close!.amount!.toString()).toBe("0.00199"); // the market's step is 0.00001: the 0.000008 left is dust
    const p = await pos(sub.userId);
    expect(p.side).toBe("FLAT");
  }, 60_000);

  it("a user who held 1 BTC before subscribing still holds it after the strategy's exit", async () => {
    const strategy = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT", sizing: 1000, balances: { USDT: "100000", BTC: "1" } });
    await price("BTC/USDT", "50000");
    await alert(strategy.webhookToken, { action: "buy", price: "50000" });
    const [exit] = await alert(strategy.webhookToken, { action: "exit", price: "50000" });
    expect(exit).toMatchObject({ status: "FILLED", intent: "CLOSE" });
    const client = bybitClient(sim.url, { apiKey: sub.apiKey, secret: sub.secret });
    const balance = await client.fetchBalance();
    expect(dec(String((balance.total as unknown as Record<string, number>).BTC)).toFixed()).toBe("1");
    expect(await pos(sub.userId)).toMatchObject({ side: "FLAT" });
  }, 60_000);
});

describe("a user who closed by hand", () => {
  it("is not sold short by the next close: the ledger follows the account and says so", async () => {
    const strategy = await makeStrategy(deps.db, { marketType: "LINEAR" });
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT", sizing: 1000 });
    await price("BTC/USDT:USDT", "50000");
    await alert(strategy.webhookToken, { action: "buy", marketPosition: "long", price: "50000" });
    // The user closes half on the exchange, by hand.
    const client = bybitClient(sim.url, { apiKey: sub.apiKey, secret: sub.secret });
    await client.createOrder("BTC/USDT:USDT", "market", "sell", 0.01, undefined, { reduceOnly: true });
    const [close] = await alert(strategy.webhookToken, { action: "sell", marketPosition: "flat", price: "50000" });
    expect(close).toMatchObject({ status: "FILLED", intent: "CLOSE" });
    expect(close!.amount!.toString()).toBe("0.01"); // what was left, not the ledger's 0.02
    const p = await pos(sub.userId);
    expect(p.side).toBe("FLAT");
    expect(p.driftNote).toMatch(/outside KeyRelay/);
    // The user then closes the rest by hand before the next exit: nothing is sold.
    await alert(strategy.webhookToken, { action: "buy", marketPosition: "long", price: "50000" });
    await client.createOrder("BTC/USDT:USDT", "market", "sell", 0.02, undefined, { reduceOnly: true });
    const [none] = await alert(strategy.webhookToken, { action: "exit", price: "50000" });
    expect(none).toMatchObject({ status: "SKIPPED" });
    const sells = (await ledger(sim.url, `?apiKey=${sub.apiKey}`)).filter((o) => o.side === "sell");
    expect(sells.map((o) => o.amount)).toEqual(["0.01", "0.01", "0.02"]); // the user's, the engine's, the user's
    const positions = await client.fetchPositions(["BTC/USDT:USDT"]);
    expect(positions.filter((x) => (x.contracts ?? 0) !== 0)).toEqual([]);
  }, 90_000);
});

describe("the drift check", () => {
  it("follows an account that holds less, notes it for the user and audits it; leaves extra coins alone", async () => {
    const strategy = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT", sizing: 1000 });
    const other = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT", sizing: 1000 });
    await price("BTC/USDT", "50000");
    await alert(strategy.webhookToken, { action: "buy", price: "50000" });
    // One user sells half of the strategy's BTC by hand; the other buys more of their own.
    const held = (await pos(sub.userId)).size.toString();
    await bybitClient(sim.url, { apiKey: sub.apiKey, secret: sub.secret }).createOrder("BTC/USDT", "market", "sell", Number(dec(held).div(2).toFixed()));
    await bybitClient(sim.url, { apiKey: other.apiKey, secret: other.secret }).createOrder("BTC/USDT", "market", "buy", 0.01);
    const report = await checkDrift(deps, { all: true });
    expect(report).toMatchObject({ followed: 1, failed: 0 });
    const p = await pos(sub.userId);
    expect(p.size.toString()).toBe(dec(held).div(2).toFixed());
    expect(p.driftNote).toMatch(/outside KeyRelay/);
    expect(await deps.db.auditLog.count({ where: { action: "position.drift", targetId: p.id } })).toBe(1);
    expect((await pos(other.userId)).driftNote).toBeNull();
    expect((await pos(other.userId)).size.toString()).toBe(held);
  }, 60_000);
});
