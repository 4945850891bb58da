// Futures controls through unmodified ccxt: margin mode and leverage per symbol
// (Bybit UTA: margin mode per account), hedge mode with both sides held and
// closed separately, the real error codes and the ccxt classes they become.
import ccxt from "ccxt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AccountSpec, binanceClient, bybitClient, createSimAccount, ledger, rejection, setSimPrice, simGet, simPost } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;
const PERP = "BTC/USDT:USDT";

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());
beforeEach(() => setSimPrice(sim.url, "BTCUSDT", 65000));

function code(e: Error): number {
  const body = JSON.parse(e.message.slice(e.message.indexOf("{"))) as { code?: number; retCode?: number };
  return body.code ?? (body.retCode as number);
}

async function binance(spec: Partial<AccountSpec> = {}) {
  const acct = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: 10000 }, ...spec });
  return { acct, c: binanceClient(sim.url, acct, { realHosts: true }) };
}

async function bybit(spec: Partial<AccountSpec> = {}) {
  const acct = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: 10000 }, ...spec });
  return { acct, c: bybitClient(sim.url, acct) };
}

describe("binance margin type and leverage", () => {
  it("setMarginMode per symbol: -4046 when unchanged (MarginModeAlreadySet, or a plain answer), -4048 with a position, -4047 with open orders", async () => {
    const { c } = await binance();
    expect(await c.setMarginMode("isolated", PERP)).toEqual({ code: 200, msg: "success" });
    expect(await c.fetchMarginMode(PERP)).toMatchObject({ marginMode: "isolated" });
    expect((await c.fetchMarginMode("ETH/USDT:USDT")).marginMode).toBe("cross");
    // ccxt throws MarginModeAlreadySet on -4046 (options.setMarginMode.throwMarginModeAlreadySet defaults to true)...
    expect((await rejection(c.setMarginMode("isolated", PERP))).constructor).toBe(ccxt.MarginModeAlreadySet);
    // ...or answers with it when told not to
    c.options.setMarginMode = { throwMarginModeAlreadySet: false };
    expect(await c.setMarginMode("isolated", PERP)).toEqual({ code: -4046, msg: "No need to change margin type." });

    await c.createOrder(PERP, "market", "buy", 0.01);
    const [pos] = await c.fetchPositions([PERP]);
    expect(pos).toMatchObject({ marginMode: "isolated", collateral: 32.5 }); // 650 at 20x
    const v2 = (await c.fapiPrivateV2GetPositionRisk({ symbol: "BTCUSDT" })) as { marginType: string; leverage: string }[];
    expect(v2[0]).toMatchObject({ marginType: "isolated", leverage: "20" });
    const withPosition = await rejection(c.setMarginMode("cross", PERP));
    expect([withPosition.constructor, code(withPosition)]).toEqual([ccxt.OperationRejected, -4048]);

    await c.createOrder("ETH/USDT:USDT", "limit", "buy", 0.01, 3000);
    const withOrders = await rejection(c.setMarginMode("isolated", "ETH/USDT:USDT"));
    expect([withOrders.constructor, code(withOrders)]).toEqual([ccxt.OperationRejected, -4047]);
  });

  it("setLeverage up to the symbol's maximum, -4028 above it; positionRisk and symbolConfig report it", async () => {
    const { c } = await binance();
    expect(await c.setLeverage(75, "BNB/USDT:USDT")).toMatchObject({ leverage: 75, symbol: "BNBUSDT" });
    const above = await rejection(c.setLeverage(100, "BNB/USDT:USDT")); // BNB's maximum is 75
    expect([above.constructor, code(above)]).toEqual([ccxt.BadRequest, -4028]);
    expect(above.message).toContain("Leverage 100 is not valid");
    expect((await c.fetchLeverage("BNB/USDT:USDT")).longLeverage).toBe(75);
    // ccxt refuses anything above 125 itself, before any request
    expect((await rejection(c.setLeverage(126, PERP))).constructor).toBe(ccxt.BadRequest);
  });
});

describe("binance hedge mode (dualSidePosition)", () => {
  it("setPositionMode / fetchPositionMode; -4059 unchanged, -4068 with a position", async () => {
    const { c } = await binance();
    await c.loadMarkets(); // fetchPositionMode(symbol) does not load them itself: "markets not loaded"
    expect(await c.fetchPositionMode(PERP)).toMatchObject({ hedged: false });
    expect(await c.setPositionMode(true, PERP)).toEqual({ code: 200, msg: "success" });
    expect(await c.fetchPositionMode(PERP)).toMatchObject({ hedged: true });
    expect(code(await rejection(c.setPositionMode(true, PERP)))).toBe(-4059);
    await c.createOrder(PERP, "market", "buy", 0.01, undefined, { hedged: true });
    const e = await rejection(c.setPositionMode(false, PERP));
    expect([e.constructor, code(e)]).toEqual([ccxt.OperationRejected, -4068]);
  });

  it("holds both sides; each closes on its own side (hedged + reduceOnly -> SELL LONG / BUY SHORT); the wrong positionSide is -4061, reduceOnly -1106", async () => {
    const { acct, c } = await binance({ hedgeMode: true });
    const noSide = await rejection(c.createOrder(PERP, "market", "buy", 0.01));
    expect([noSide.constructor, code(noSide)]).toEqual([ccxt.OperationRejected, -4061]);
    await c.createOrder(PERP, "market", "buy", 0.02, undefined, { hedged: true });
    await c.createOrder(PERP, "market", "sell", 0.01, undefined, { hedged: true });
    const both = await c.fetchPositions([PERP]);
    expect(both.map((p) => [p.side, p.contracts, p.hedged, p.info.positionSide]).sort()).toEqual([
      ["long", 0.02, true, "LONG"],
      ["short", 0.01, true, "SHORT"],
    ]);
    const sentReduceOnly = await rejection(c.createOrder(PERP, "market", "sell", 0.01, undefined, { positionSide: "LONG", reduceOnly: true }));
    expect([sentReduceOnly.constructor, code(sentReduceOnly)]).toEqual([ccxt.BadRequest, -1106]);

    // a stop on the long side only, then the user closes the short
    const sl = await c.createOrder(PERP, "market", "sell", 0.02, undefined, { hedged: true, reduceOnly: true, stopLossPrice: 63000 });
    expect(sl.info).toMatchObject({ positionSide: "LONG", side: "SELL", reduceOnly: false });
    await c.createOrder(PERP, "market", "buy", 0.05, undefined, { hedged: true, reduceOnly: true }); // BUY SHORT: closes 0.01, never opens more
    expect((await c.fetchPositions([PERP])).map((p) => [p.side, p.contracts])).toEqual([["long", 0.02]]);
    await setSimPrice(sim.url, "BTCUSDT", 62900, "binance");
    expect(await c.fetchPositions([PERP])).toEqual([]);
    const rows = await ledger(sim.url, `?apiKey=${acct.apiKey}`);
    expect(rows.map((r) => [r.side, r.positionSide, r.filled])).toEqual([
      ["buy", "LONG", "0.02"],
      ["sell", "SHORT", "0.01"],
      ["sell", "LONG", "0.02"],
      ["buy", "SHORT", "0.01"],
    ]);
  });
});

describe("bybit margin mode (UTA: account-wide) and leverage", () => {
  it("setMarginMode -> /v5/account/set-margin-mode; refused with a position (3400045); switch-isolated is for classic accounts (100028)", async () => {
    const { c } = await bybit();
    expect(await c.setMarginMode("isolated", PERP)).toMatchObject({ retCode: 0, result: { reasons: [] } });
    expect(await c.fetchMarginMode(PERP)).toMatchObject({ marginMode: "isolated" });
    await c.createOrder(PERP, "market", "buy", 0.01);
    expect((await c.fetchPositions([PERP]))[0]!.info).toMatchObject({ tradeMode: 1, positionBalance: "65" });
    const refused = await rejection(c.setMarginMode("cross", PERP));
    expect([refused.constructor, code(refused)]).toEqual([ccxt.ExchangeError, 3400045]);
    const classic = await rejection(c.privatePostV5PositionSwitchIsolated({ category: "linear", symbol: "BTCUSDT", tradeMode: 1, buyLeverage: "10", sellLeverage: "10" }));
    expect([classic.constructor, code(classic)]).toEqual([ccxt.PermissionDenied, 100028]);
  });

  it("set-leverage: 110043 when unchanged, 10001 above the symbol's maximum; position/list reports it", async () => {
    const { c } = await bybit();
    await c.setLeverage(25, PERP);
    expect((await c.fetchLeverage(PERP)).longLeverage).toBe(25);
    const same = await rejection(c.setLeverage(25, PERP));
    expect([same.constructor, code(same)]).toEqual([ccxt.BadRequest, 110043]);
    const above = await rejection(c.setLeverage(101, PERP));
    expect([above.constructor, code(above)]).toEqual([ccxt.BadRequest, 10001]);
  });
});

describe("bybit hedge mode (switch-mode, positionIdx)", () => {
  it("setPositionMode per symbol or per coin; 110025 unchanged (NoChange), 110024 with a position", async () => {
    const { acct, c } = await bybit();
    expect(await c.setPositionMode(true, PERP)).toMatchObject({ retCode: 0 });
    expect((await rejection(c.setPositionMode(true, PERP))).constructor).toBe(ccxt.NoChange);
    const flat = await c.fetchPositions([PERP]); // by symbol: both (flat) sides, positionIdx 1 and 2
    expect(flat.map((p) => [p.info.positionIdx, p.side, p.contracts, p.hedged])).toEqual([
      [1, "long", 0, true],
      [2, "short", 0, true],
    ]);
    await c.createOrder(PERP, "market", "buy", 0.01, undefined, { hedged: true });
    const busy = await rejection(c.setPositionMode(false, PERP));
    expect([busy.constructor, code(busy)]).toEqual([ccxt.BadRequest, 110024]);
    // by coin: every other symbol follows, BTCUSDT (with a position) keeps its mode
    await c.setPositionMode(true);
    const view = await simGet<{ symbols: Record<string, { hedgeMode: boolean }> }>(sim.url, `/__sim/accounts/${acct.accountId}`);
    expect([view.symbols.ETHUSDT?.hedgeMode, view.symbols.BTCUSDT?.hedgeMode]).toEqual([true, true]);
  });

  it("holds both sides; each closes on its own side; positionIdx 0 in hedge mode is 10001 'position idx not match position mode'", async () => {
    const { acct, c } = await bybit({ hedgeMode: true });
    const idx0 = await rejection(c.createOrder(PERP, "market", "buy", 0.01));
    expect([idx0.constructor, code(idx0)]).toEqual([ccxt.BadRequest, 10001]);
    expect(idx0.message).toContain("position idx not match position mode");
    await c.createOrder(PERP, "market", "buy", 0.02, undefined, { hedged: true });
    await c.createOrder(PERP, "market", "sell", 0.01, undefined, { hedged: true });
    expect((await c.fetchPositions()).map((p) => [p.side, p.contracts]).sort()).toEqual([
      ["long", 0.02],
      ["short", 0.01],
    ]);
    // a stop on the short side (Buy, positionIdx 2), then the user closes the long
    await c.createOrder(PERP, "market", "buy", 0.01, undefined, { hedged: true, reduceOnly: true, stopLossPrice: 66000 });
    await c.createOrder(PERP, "market", "sell", 0.02, undefined, { hedged: true, reduceOnly: true });
    expect((await c.fetchPositions()).map((p) => [p.side, p.contracts])).toEqual([["short", 0.01]]);
    await setSimPrice(sim.url, "BTCUSDT", 66100, "bybit");
    expect(await c.fetchPositions()).toEqual([]);
    const rows = await ledger(sim.url, `?apiKey=${acct.apiKey}`);
    expect(rows.map((r) => [r.side, r.positionSide, r.filled, r.trigger?.status ?? null])).toEqual([
      ["buy", "LONG", "0.02", null],
      ["sell", "SHORT", "0.01", null],
      ["buy", "SHORT", "0.01", "FILLED"],
      ["sell", "LONG", "0.02", null],
    ]);
  });
});

describe("protection on one side of a hedge-mode position", () => {
  it("bybit trading-stop needs positionIdx of the position's side: ccxt sets it from hedged + reduceOnly (side flipped)", async () => {
    const { c } = await bybit({ hedgeMode: true });
    await c.createOrder(PERP, "market", "buy", 0.01, undefined, { hedged: true });
    await c.createOrder(PERP, "market", "sell", 0.01, undefined, { hedged: true });
    // without reduceOnly ccxt would send positionIdx 2 (the short) for a "sell"
    await c.createOrder(PERP, "market", "sell", 0, undefined, { stopLossPrice: 63000, takeProfitPrice: 68000, hedged: true, reduceOnly: true });
    const sides = await c.fetchPositions([PERP]);
    expect(sides.map((p) => [p.side, p.stopLossPrice, p.takeProfitPrice])).toEqual([
      ["long", 63000, 68000],
      ["short", 0, 0],
    ]);
    await setSimPrice(sim.url, "BTCUSDT", 62000, "bybit");
    expect((await c.fetchPositions()).map((p) => [p.side, p.contracts])).toEqual([["short", 0.01]]);
  });

  it("binance closePosition on the LONG side: hedged + reduceOnly (ccxt then sends positionSide LONG, no reduceOnly)", async () => {
    const { c } = await binance({ hedgeMode: true });
    await c.createOrder(PERP, "market", "buy", 0.01, undefined, { hedged: true });
    await c.createOrder(PERP, "market", "sell", 0.01, undefined, { hedged: true });
    const sl = await c.createOrder(PERP, "market", "sell", 0, undefined, { stopLossPrice: 63000, closePosition: true, hedged: true, reduceOnly: true });
    expect(sl.info).toMatchObject({ positionSide: "LONG", closePosition: true });
    await setSimPrice(sim.url, "BTCUSDT", 62000, "binance");
    expect((await c.fetchPositions([PERP])).map((p) => [p.side, p.contracts])).toEqual([["short", 0.01]]);
  });
});

describe("control API: futures settings", () => {
  it("creates an account in hedge mode with isolated margin and leverage, switches it back, refuses while a position is open", async () => {
    const a = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: 5000 }, hedgeMode: true, marginMode: "isolated", symbols: ["BTCUSDT"], leverage: { BTCUSDT: 10 } });
    const c = binanceClient(sim.url, a);
    expect(await c.fetchPositionMode()).toMatchObject({ hedged: true });
    expect(await c.fetchMarginMode(PERP)).toMatchObject({ marginMode: "isolated" });
    expect((await c.fetchLeverage(PERP)).longLeverage).toBe(10);
    const switched = await simPost<{ hedgeMode: boolean }>(sim.url, `/__sim/accounts/${a.accountId}/settings`, { hedgeMode: false });
    expect(switched.hedgeMode).toBe(false);
    await c.createOrder(PERP, "market", "buy", 0.01);
    const res = await fetch(`${sim.url}/__sim/accounts/${a.accountId}/settings`, { method: "POST", body: JSON.stringify({ hedgeMode: true }) });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toContain("BTCUSDT");
  });

  it("accepts balances as numbers or strings", async () => {
    const a = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: 1000, BTC: "0.5", ETH: 2.25 } });
    const view = await simGet<{ balances: { spot: Record<string, { free: string }>; futures: Record<string, string> } }>(sim.url, `/__sim/accounts/${a.accountId}`);
    expect([view.balances.spot.USDT?.free, view.balances.spot.BTC?.free, view.balances.spot.ETH?.free, view.balances.futures.USDT]).toEqual(["1000", "0.5", "2.25", "1000"]);
    const res = await fetch(`${sim.url}/__sim/accounts`, { method: "POST", body: JSON.stringify({ exchange: "bybit", balances: { USDT: -1 } }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("balances");
  });
});
