// Binance conditional orders through unmodified ccxt: USDⓈ-M algo orders
// (STOP_MARKET, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET, closePosition) and
// spot stop-limit orders, placed, listed, fired by price moves, cancelled.
import ccxt from "ccxt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SimAccount, binanceClient, createSimAccount, ledger, rejection, setSimPrice } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;
const PERP = "BTC/USDT:USDT";

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());
beforeEach(() => setSimPrice(sim.url, "BTCUSDT", 65000, "binance"));

/** A fresh account and a client with ccxt's production error mapping (real hosts). */
async function fresh(spec: Partial<Parameters<typeof createSimAccount>[1]> = {}): Promise<{ acct: SimAccount; c: InstanceType<typeof ccxt.binance> }> {
  const acct = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: 10000, BTC: 1 }, ...spec });
  return { acct, c: binanceClient(sim.url, acct, { realHosts: true }) };
}

const price = (p: number) => setSimPrice(sim.url, "BTCUSDT", p, "binance");

function code(e: Error): number {
  return (JSON.parse(e.message.slice(e.message.indexOf("{"))) as { code: number }).code;
}

describe("binance USDⓈ-M conditional orders (algo service)", () => {
  it("stop-loss and take-profit: placed, listed apart from plain orders, found by id and client id, the TP fires on a rise and the SL on a fall", async () => {
    const { acct, c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.02, undefined, { clientOrderId: "kr-entry" });
    const sl = await c.createOrder(PERP, "market", "sell", 0.02, undefined, { stopLossPrice: 62000, reduceOnly: true, clientOrderId: "kr-sl" });
    const tp = await c.createOrder(PERP, "market", "sell", 0.01, undefined, { takeProfitPrice: 68000, reduceOnly: true, clientOrderId: "kr-tp1" });
    expect(sl).toMatchObject({ clientOrderId: "kr-sl", status: "open", type: "market", triggerPrice: 62000, reduceOnly: true, amount: 0.02, side: "sell" });
    expect(sl.info).toMatchObject({ algoType: "CONDITIONAL", orderType: "STOP_MARKET", algoStatus: "NEW", positionSide: "BOTH" });
    expect(tp.info.orderType).toBe("TAKE_PROFIT_MARKET");

    const open = await c.fetchOpenOrders(PERP, undefined, undefined, { trigger: true });
    expect(open.map((o) => o.clientOrderId).sort()).toEqual(["kr-sl", "kr-tp1"]);
    // the plain order book does not list them (conditional orders live in the algo service)
    expect(await c.fetchOpenOrders(PERP)).toEqual([]);
    expect((await c.fetchOrder(sl.id!, PERP, { trigger: true })).status).toBe("open");
    expect((await c.fetchOrder("", PERP, { trigger: true, clientOrderId: "kr-tp1" })).id).toBe(tp.id);

    // a price move that crosses nothing fires nothing
    expect(await price(66000)).toMatchObject({ triggered: 0 });
    expect(await price(68500)).toMatchObject({ triggered: 1 });
    const fired = await c.fetchOrder(tp.id!, PERP, { trigger: true });
    // FINISHED: ccxt says closed; the algo row carries no fill, the order it placed does (actualOrderId)
    expect(fired.status).toBe("closed");
    expect(fired.info).toMatchObject({ algoStatus: "FINISHED", actualPrice: "68500.0" });
    const placed = await c.fetchOrder(fired.info.actualOrderId as string, PERP);
    expect(placed).toMatchObject({ status: "closed", type: "market", filled: 0.01, average: 68500, reduceOnly: true, clientOrderId: "kr-tp1", triggerPrice: 68000 });
    expect(placed.info.origType).toBe("TAKE_PROFIT_MARKET");
    expect((await c.fetchPositions([PERP]))[0]).toMatchObject({ contracts: 0.01, side: "long" });

    // the SL (0.02) closes only what is left (0.01) and no order stays open
    await price(61900);
    const slDone = await c.fetchOrder(sl.id!, PERP, { trigger: true });
    expect(slDone.info.algoStatus).toBe("FINISHED");
    expect((await c.fetchOrder(slDone.info.actualOrderId as string, PERP)).filled).toBe(0.01);
    expect(await c.fetchPositions([PERP])).toEqual([]);
    expect(await c.fetchOpenOrders(PERP, undefined, undefined, { trigger: true })).toEqual([]);

    const rows = await ledger(sim.url, `?apiKey=${acct.apiKey}`);
    expect(rows.map((r) => [r.clientOrderId, r.status, r.trigger?.type ?? null, r.trigger?.status ?? null, r.filled, r.average])).toEqual([
      ["kr-entry", "closed", null, null, "0.02", "65000"],
      ["kr-sl", "closed", "STOP_MARKET", "FILLED", "0.01", "61900"],
      ["kr-tp1", "closed", "TAKE_PROFIT_MARKET", "FILLED", "0.01", "68500"],
    ]);
    // triggered orders pay the taker fee: 0.05% of 685 and of 619
    expect(rows.slice(1).map((r) => [r.fee, r.feeAsset])).toEqual([
      ["0.3095", "USDT"],
      ["0.3425", "USDT"],
    ]);
    expect(rows[1]!.trigger).toMatchObject({ price: "62000", direction: "fall", triggeredOrderId: slDone.info.actualOrderId });
    // USDⓈ-M orders carry no commission: fetchMyTrades (GET /fapi/v1/userTrades) does, with the realized PnL
    const trades = await c.fetchMyTrades(PERP);
    expect(trades.map((t) => [t.order, t.side, t.amount, t.price, t.fee?.cost, t.info.realizedPnl])).toEqual([
      [rows[0]!.id, "buy", 0.02, 65000, 0.65, "0.00000000"],
      [placed.id, "sell", 0.01, 68500, 0.3425, "35.00000000"],
      [slDone.info.actualOrderId, "sell", 0.01, 61900, 0.3095, "-31.00000000"],
    ]);
  });

  it("refuses a trigger the price already passed (-2021 OrderImmediatelyFillable) and conditional types on /fapi/v1/order (-4120)", async () => {
    const { c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.01);
    const e = await rejection(c.createOrder(PERP, "market", "sell", 0.01, undefined, { stopLossPrice: 66000, reduceOnly: true }));
    expect(e.constructor).toBe(ccxt.OrderImmediatelyFillable);
    expect(code(e)).toBe(-2021);
    const old = await rejection(c.fapiPrivatePostOrder({ symbol: "BTCUSDT", side: "SELL", type: "STOP_MARKET", quantity: "0.01", stopPrice: "60000" }));
    expect(code(old)).toBe(-4120);
  });

  it("cancels one by id, all by symbol; a second cancel is OrderNotFound (-2011)", async () => {
    const { c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.01);
    const a = await c.createOrder(PERP, "market", "sell", 0.01, undefined, { stopLossPrice: 60000, reduceOnly: true });
    await c.createOrder(PERP, "market", "sell", 0.01, undefined, { takeProfitPrice: 70000, reduceOnly: true });
    await c.cancelOrder(a.id!, PERP, { trigger: true });
    expect((await c.fetchOrder(a.id!, PERP, { trigger: true })).status).toBe("canceled");
    const again = await rejection(c.cancelOrder(a.id!, PERP, { trigger: true }));
    expect(again.constructor).toBe(ccxt.OrderNotFound);
    expect(code(again)).toBe(-2011);
    await c.cancelAllOrders(PERP, { trigger: true });
    expect(await c.fetchOpenOrders(PERP, undefined, undefined, { trigger: true })).toEqual([]);
    const all = await c.fetchOrders(PERP, undefined, undefined, { trigger: true });
    expect(all.map((o) => o.status)).toEqual(["canceled", "canceled"]);
  });

  it("closePosition stops expire when the position is closed by hand; a reduce-only stop stays and expires when it fires with nothing to close", async () => {
    const { acct, c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.01);
    const closeAll = await c.createOrder(PERP, "market", "sell", 0, undefined, { stopLossPrice: 60000, closePosition: true });
    expect(closeAll.info).toMatchObject({ closePosition: true, quantity: "0.000", timeInForce: "GTE_GTC" });
    // one Close-All stop per direction
    expect(code(await rejection(c.createOrder(PERP, "market", "sell", 0, undefined, { stopLossPrice: 61000, closePosition: true })))).toBe(-4130);
    const reduceOnly = await c.createOrder(PERP, "market", "sell", 0.01, undefined, { stopLossPrice: 60500, reduceOnly: true, clientOrderId: "kr-orphan" });

    await c.createOrder(PERP, "market", "sell", 0.01, undefined, { reduceOnly: true }); // the user's close button
    expect((await c.fetchOrder(closeAll.id!, PERP, { trigger: true })).status).toBe("expired");
    expect((await c.fetchOrder(reduceOnly.id!, PERP, { trigger: true })).status).toBe("open");

    await price(60000);
    const orphan = await c.fetchOrder(reduceOnly.id!, PERP, { trigger: true });
    expect(orphan.status).toBe("expired");
    expect(orphan.info.actualOrderId).toBe("");
    expect(await c.fetchPositions([PERP])).toEqual([]); // no new short
    const row = (await ledger(sim.url, `?apiKey=${acct.apiKey}&clientOrderId=kr-orphan`))[0]!;
    expect(row.trigger).toMatchObject({ status: "EXPIRED", reason: "CancelByReduceOnly" });
  });

  it("closePosition fires for the whole position at that moment", async () => {
    const { c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.01);
    const tp = await c.createOrder(PERP, "market", "sell", 0, undefined, { takeProfitPrice: 67000, closePosition: true });
    await c.createOrder(PERP, "market", "buy", 0.02); // added after the TP was placed
    await price(67000);
    const fired = await c.fetchOrder(tp.id!, PERP, { trigger: true });
    expect((await c.fetchOrder(fired.info.actualOrderId as string, PERP)).filled).toBe(0.03);
    expect(await c.fetchPositions([PERP])).toEqual([]);
  });

  it("trailing stop (trailingPercent -> callbackRate): follows the price up, fires 1% below the high", async () => {
    const { c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.01);
    const ts = await c.createOrder(PERP, "market", "sell", 0.01, undefined, { trailingPercent: 1, reduceOnly: true, clientOrderId: "kr-trail" });
    expect(ts.info).toMatchObject({ orderType: "TRAILING_STOP_MARKET", callbackRate: "1", activatePrice: "" });
    await price(66000);
    await price(67000);
    expect((await c.fetchOrder(ts.id!, PERP, { trigger: true })).triggerPrice).toBe(66330);
    await price(66400); // pulls back less than 1%
    await price(66800); // below the high: the stop stays at 66330
    expect((await c.fetchOrder(ts.id!, PERP, { trigger: true })).status).toBe("open");
    expect(await price(66330)).toMatchObject({ triggered: 1 });
    const fired = await c.fetchOrder(ts.id!, PERP, { trigger: true });
    expect((await c.fetchOrder(fired.info.actualOrderId as string, PERP)).average).toBe(66330);
    expect(await c.fetchPositions([PERP])).toEqual([]);
  });

  it("trailing stop with an activation price (activatePrice; ccxt's trailingTriggerPrice sends activationPrice, which Binance ignores)", async () => {
    const { c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.01);
    const ts = await c.createOrder(PERP, "market", "sell", 0.01, undefined, { trailingPercent: 0.5, activatePrice: "66000", reduceOnly: true });
    expect(ts.info).toMatchObject({ callbackRate: "0.5", activatePrice: "66000.0", triggerPrice: "0.0" });
    await price(64000); // below activation: a drop does not fire it
    await price(66500); // activated, high 66500 -> stop 66167.5 -> 66167.5 rounds down to the tick
    expect((await c.fetchOrder(ts.id!, PERP, { trigger: true })).triggerPrice).toBe(66167.5);
    await price(66100);
    expect((await c.fetchOrder(ts.id!, PERP, { trigger: true })).status).toBe("closed");
    const bad = await rejection(c.createOrder(PERP, "market", "sell", 0.01, undefined, { trailingPercent: 20, reduceOnly: true }));
    expect(code(bad)).toBe(-1130);
  });

  it("a STOP (limit) algo order whose limit the price jumped past is TRIGGERED with its order resting, FINISHED when that fills", async () => {
    const { c } = await fresh();
    const entry = await c.createOrder(PERP, "limit", "buy", 0.01, 66100, { triggerPrice: 66000, clientOrderId: "kr-breakout" });
    await price(66300); // fires; the BUY LIMIT 66100 is below the price: it rests
    const fired = await c.fetchOrder(entry.id!, PERP, { trigger: true });
    // ccxt maps TRIGGERED to "closed" although nothing filled yet: the placed order tells
    expect(fired).toMatchObject({ status: "closed", filled: 0, info: { algoStatus: "TRIGGERED" } });
    const resting = await c.fetchOpenOrders(PERP);
    expect(resting.map((o) => [o.id, o.clientOrderId, o.price, o.info.origType])).toEqual([[fired.info.actualOrderId, "kr-breakout", 66100, "STOP"]]);
    await price(66100);
    expect((await c.fetchOrder(entry.id!, PERP, { trigger: true })).info.algoStatus).toBe("FINISHED");
    expect((await c.fetchPositions([PERP]))[0]).toMatchObject({ contracts: 0.01, entryPrice: 66100 });
  });

  it("editOrder: a resting LIMIT moves (PUT /fapi/v1/order); an algo order cannot be edited (-2013): cancel and place it again", async () => {
    const { c } = await fresh();
    const limit = await c.createOrder(PERP, "limit", "buy", 0.01, 60000);
    const edited = await c.editOrder(limit.id!, PERP, "limit", "buy", 0.02, 61000);
    expect(edited).toMatchObject({ id: limit.id, amount: 0.02, price: 61000, status: "open" });
    expect(code(await rejection(c.editOrder(limit.id!, PERP, "limit", "buy", 0.02, 61000)))).toBe(-5027);
    await c.createOrder(PERP, "market", "buy", 0.01);
    const sl = await c.createOrder(PERP, "market", "sell", 0.01, undefined, { stopLossPrice: 60000, reduceOnly: true });
    const e = await rejection(c.editOrder(sl.id!, PERP, "market", "sell", 0.01, 61000));
    expect([e.constructor, code(e)]).toEqual([ccxt.OrderNotFound, -2013]);
  });

  it("a STOP (limit) algo order rests as a limit order after it fires", async () => {
    const { c } = await fresh();
    const entry = await c.createOrder(PERP, "limit", "buy", 0.01, 66100, { triggerPrice: 66000 }); // breakout entry
    expect(entry.info).toMatchObject({ orderType: "STOP", price: "66100.0", triggerPrice: "66000.0" });
    await price(66050);
    const fired = await c.fetchOrder(entry.id!, PERP, { trigger: true });
    expect(fired.info.algoStatus).toBe("FINISHED"); // the limit crossed: filled as taker at 66050
    expect((await c.fetchPositions([PERP]))[0]).toMatchObject({ contracts: 0.01, entryPrice: 66050 });
  });
});

describe("binance spot stop orders", () => {
  it("STOP_LOSS_LIMIT locks the base, waits, then sells as a limit order when the price falls to the stop", async () => {
    const { acct, c } = await fresh({ balances: { USDT: 1000, BTC: 0.01 } });
    const stop = await c.createOrder("BTC/USDT", "limit", "sell", 0.005, 59000, { stopLossPrice: 60000, clientOrderId: "kr-spot-sl" });
    expect(stop).toMatchObject({ status: "open", type: "limit", triggerPrice: 60000, price: 59000 });
    expect(stop.info.type).toBe("STOP_LOSS_LIMIT");
    expect((await c.fetchBalance()).BTC).toMatchObject({ free: 0.005, used: 0.005 });
    expect((await c.fetchOpenOrders("BTC/USDT")).map((o) => o.id)).toEqual([stop.id]);
    await price(59950);
    const done = await c.fetchOrder(stop.id!, "BTC/USDT");
    expect(done).toMatchObject({ status: "closed", filled: 0.005, average: 59950 });
    expect((await c.fetchBalance()).BTC).toMatchObject({ free: 0.005, used: 0 });
    expect((await ledger(sim.url, `?apiKey=${acct.apiKey}`))[0]!.trigger).toMatchObject({ type: "STOP_LOSS_LIMIT", status: "FILLED" });
  });

  it("TAKE_PROFIT_LIMIT is cancelled like any spot order and gives its funds back", async () => {
    const { c } = await fresh({ balances: { USDT: 1000, BTC: 0.01 } });
    const tp = await c.createOrder("BTC/USDT", "limit", "sell", 0.01, 70000, { takeProfitPrice: 70000 });
    expect(tp.info.type).toBe("TAKE_PROFIT_LIMIT");
    await c.cancelOrder(tp.id!, "BTC/USDT");
    expect((await c.fetchBalance()).BTC).toMatchObject({ free: 0.01, used: 0 });
    const e = await rejection(c.createOrder("BTC/USDT", "limit", "sell", 0.01, 59000, { stopLossPrice: 66000 }));
    expect(e.constructor).toBe(ccxt.OrderImmediatelyFillable);
  });
});
