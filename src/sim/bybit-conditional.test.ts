// Bybit V5 conditional orders and position TP/SL through unmodified ccxt:
// order/create with triggerPrice (stopLossPrice / takeProfitPrice / triggerPrice),
// position trading-stop (Full and Partial TP/SL, trailing stop), amend, cancel.
import ccxt from "ccxt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SimAccount, bybitClient, createSimAccount, ledger, rejection, setSimPrice } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;
const PERP = "BTC/USDT:USDT";

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());
beforeEach(() => setSimPrice(sim.url, "BTCUSDT", 65000, "bybit"));

async function fresh(): Promise<{ acct: SimAccount; c: InstanceType<typeof ccxt.bybit> }> {
  const acct = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: 10000 } });
  return { acct, c: bybitClient(sim.url, acct) };
}

const price = (p: number) => setSimPrice(sim.url, "BTCUSDT", p, "bybit");

function retCode(e: Error): number {
  return (JSON.parse(e.message.slice(e.message.indexOf("{"))) as { retCode: number }).retCode;
}

describe("bybit conditional orders (order/create with triggerPrice)", () => {
  it("stopLossPrice / takeProfitPrice: reduce-only conditionals, listed with trigger: true, fired by the price, filled at the moved price with the taker fee", async () => {
    const { acct, c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.02, undefined, { clientOrderId: "kr-by-entry" });
    const sl = await c.createOrder(PERP, "market", "sell", 0.02, undefined, { stopLossPrice: 62000, clientOrderId: "kr-by-sl" });
    const tp = await c.createOrder(PERP, "market", "sell", 0.01, undefined, { takeProfitPrice: 68000, clientOrderId: "kr-by-tp1" });
    expect(sl).toMatchObject({ clientOrderId: "kr-by-sl" });

    const open = await c.fetchOpenOrders(PERP, undefined, undefined, { trigger: true });
    expect(open.map((o) => [o.clientOrderId, o.status, o.triggerPrice, o.stopLossPrice, o.takeProfitPrice, o.reduceOnly]).sort()).toEqual([
      ["kr-by-sl", "open", 62000, 62000, undefined, true],
      ["kr-by-tp1", "open", 68000, undefined, 68000, true],
    ]);
    expect(open.find((o) => o.id === sl.id)?.info).toMatchObject({ orderStatus: "Untriggered", stopOrderType: "Stop", triggerDirection: 2 });
    // active orders only
    expect(await c.fetchOpenOrders(PERP, undefined, undefined, { orderFilter: "Order" })).toEqual([]);
    expect((await c.fetchOpenOrder(tp.id!, PERP, { trigger: true })).status).toBe("open");

    await price(68100);
    const tpDone = await c.fetchClosedOrder(tp.id!, PERP);
    // the conditional executes as itself: same id, now Filled, its trigger price kept
    expect(tpDone).toMatchObject({ status: "closed", filled: 0.01, average: 68100, triggerPrice: 68000 });
    expect(tpDone.fee).toMatchObject({ currency: "USDT", cost: 0.37455 }); // 0.055% of 681
    expect((await c.fetchPositions([PERP]))[0]).toMatchObject({ contracts: 0.01, side: "long" });

    await price(61000);
    expect(await c.fetchClosedOrder(sl.id!, PERP)).toMatchObject({ filled: 0.01, average: 61000 });
    expect(await c.fetchPositions()).toEqual([]);
    const rows = await ledger(sim.url, `?apiKey=${acct.apiKey}`);
    expect(rows.map((r) => [r.clientOrderId, r.trigger?.type ?? null, r.trigger?.status ?? null, r.filled])).toEqual([
      ["kr-by-entry", null, null, "0.02"],
      ["kr-by-sl", "Stop", "FILLED", "0.01"],
      ["kr-by-tp1", "Stop", "FILLED", "0.01"],
    ]);
  });

  it("triggerPrice needs a triggerDirection; a trigger already passed is 110092 / 110093 (InvalidOrder)", async () => {
    const { c } = await fresh();
    const entry = await c.createOrder(PERP, "market", "buy", 0.01, undefined, { triggerPrice: 66000, triggerDirection: "ascending" });
    expect((await c.fetchOpenOrder(entry.id!, PERP, { trigger: true })).info).toMatchObject({ triggerDirection: 1, reduceOnly: false });
    await price(66500);
    expect((await c.fetchPositions([PERP]))[0]).toMatchObject({ contracts: 0.01, entryPrice: 66500 });
    const rising = await rejection(c.createOrder(PERP, "market", "buy", 0.01, undefined, { triggerPrice: 66000, triggerDirection: "ascending" }));
    expect([rising.constructor, retCode(rising)]).toEqual([ccxt.InvalidOrder, 110092]);
    const falling = await rejection(c.createOrder(PERP, "market", "sell", 0.01, undefined, { stopLossPrice: 67000 }));
    expect([falling.constructor, retCode(falling)]).toEqual([ccxt.InvalidOrder, 110093]);
  });

  it("a reduce-only conditional is cancelled when the position is closed by hand (CancelByReduceOnly): the price crossing it later opens nothing", async () => {
    const { acct, c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.01);
    await c.createOrder(PERP, "market", "sell", 0.01, undefined, { stopLossPrice: 63000, clientOrderId: "kr-by-orphan" });
    const [byLinkId] = await c.fetchOpenOrders(PERP, undefined, undefined, { trigger: true, orderLinkId: "kr-by-orphan" });
    expect(byLinkId).toMatchObject({ clientOrderId: "kr-by-orphan", status: "open" });
    await c.createOrder(PERP, "market", "sell", 0.01, undefined, { reduceOnly: true });
    expect(await c.fetchOpenOrders(PERP, undefined, undefined, { trigger: true })).toEqual([]);
    await price(62000);
    expect(await c.fetchPositions()).toEqual([]);
    const row = (await ledger(sim.url, `?apiKey=${acct.apiKey}&clientOrderId=kr-by-orphan`))[0]!;
    expect(row.trigger).toMatchObject({ status: "CANCELED", reason: "CancelByReduceOnly" });
  });

  it("spot conditional orders (orderFilter StopOrder): placed with triggerPrice, cancelled with trigger: true", async () => {
    const acct = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: 1000, BTC: 0.01 } });
    const c = bybitClient(sim.url, acct);
    const stop = await c.createOrder("BTC/USDT", "limit", "sell", 0.005, 59000, { triggerPrice: 60000 });
    expect((await c.fetchOpenOrders("BTC/USDT", undefined, undefined, { trigger: true })).map((o) => o.id)).toEqual([stop.id]);
    expect((await c.fetchBalance()).BTC).toMatchObject({ free: 0.005, used: 0.005 });
    await c.cancelOrder(stop.id!, "BTC/USDT", { trigger: true });
    expect((await c.fetchBalance()).BTC).toMatchObject({ free: 0.01, used: 0 });
    const sell = await c.createOrder("BTC/USDT", "limit", "sell", 0.005, 59000, { triggerPrice: 60000 });
    await price(59500);
    expect(await c.fetchClosedOrder(sell.id!, "BTC/USDT")).toMatchObject({ filled: 0.005, average: 59500 });
  });

  it("editOrder moves the trigger (order/amend); cancelOrder deactivates it", async () => {
    const { c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.01);
    const sl = await c.createOrder(PERP, "market", "sell", 0.01, undefined, { stopLossPrice: 60000 });
    await c.editOrder(sl.id!, PERP, "market", "sell", undefined, undefined, { stopLossPrice: 63000 });
    expect((await c.fetchOpenOrder(sl.id!, PERP, { trigger: true })).triggerPrice).toBe(63000);
    const same = await rejection(c.editOrder(sl.id!, PERP, "market", "sell", undefined, undefined, { stopLossPrice: 63000 }));
    expect(retCode(same)).toBe(10001);
    await c.cancelOrder(sl.id!, PERP);
    const gone = await c.fetchCanceledAndClosedOrders(PERP, undefined, undefined, { trigger: true });
    expect(gone.find((o) => o.id === sl.id)).toMatchObject({ status: "canceled", info: { orderStatus: "Deactivated", cancelType: "CancelByUser" } });
    expect(retCode(await rejection(c.cancelOrder(sl.id!, PERP)))).toBe(110001);
    // cancel-all with orderFilter StopOrder leaves active orders alone
    await c.createOrder(PERP, "market", "sell", 0.01, undefined, { takeProfitPrice: 70000 });
    const bid = await c.createOrder(PERP, "limit", "buy", 0.01, 60000);
    await c.cancelAllOrders(PERP, { trigger: true });
    expect((await c.fetchOpenOrders(PERP)).map((o) => o.id)).toEqual([bid.id]);
  });

  it("TP/SL attached to the entry become the position's; closing the position by hand cancels them (CancelByTpSlTsClear)", async () => {
    const { acct, c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.01, undefined, { stopLoss: { triggerPrice: 62000 }, takeProfit: { triggerPrice: 69000 } });
    const [pos] = await c.fetchPositions([PERP]);
    expect(pos).toMatchObject({ stopLossPrice: 62000, takeProfitPrice: 69000 });
    const stops = await c.fetchOpenOrders(PERP, undefined, undefined, { trigger: true });
    expect(stops.map((o) => o.info.stopOrderType).sort()).toEqual(["StopLoss", "TakeProfit"]);

    await c.createOrder(PERP, "market", "sell", 0.01, undefined, { reduceOnly: true }); // the user's close button
    expect(await c.fetchOpenOrders(PERP, undefined, undefined, { trigger: true })).toEqual([]);
    const rows = (await ledger(sim.url, `?apiKey=${acct.apiKey}`)).filter((r) => r.trigger !== null);
    expect(rows.map((r) => [r.trigger?.type, r.trigger?.status, r.trigger?.reason])).toEqual([
      ["TakeProfit", "CANCELED", "CancelByTpSlTsClear"],
      ["StopLoss", "CANCELED", "CancelByTpSlTsClear"],
    ]);
    await price(61000);
    expect(await c.fetchPositions()).toEqual([]);
  });
});

describe("bybit position trading-stop", () => {
  it("Full TP + SL (createOrder with both prices and no amount): on the position, the SL closes all of it", async () => {
    const { c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.03);
    await c.createOrder(PERP, "market", "sell", 0, undefined, { stopLossPrice: 62000, takeProfitPrice: 70000 });
    expect((await c.fetchPositions([PERP]))[0]).toMatchObject({ stopLossPrice: 62000, takeProfitPrice: 70000, contracts: 0.03 });
    // a second call replaces the level: break-even once the price is above the entry
    await price(66000);
    await c.privatePostV5PositionTradingStop({ category: "linear", symbol: "BTCUSDT", stopLoss: "65000", tpslMode: "Full", positionIdx: 0 });
    expect((await c.fetchPositions([PERP]))[0]!.stopLossPrice).toBe(65000);
    await price(64900);
    expect(await c.fetchPositions()).toEqual([]);
    expect(await c.fetchOpenOrders(PERP, undefined, undefined, { trigger: true })).toEqual([]); // the TP went with the position
  });

  it("Partial TPs close their size; the Full SL then closes the rest; zero position is 10001", async () => {
    const { acct, c } = await fresh();
    const noPosition = await rejection(c.privatePostV5PositionTradingStop({ category: "linear", symbol: "BTCUSDT", stopLoss: "60000", tpslMode: "Full", positionIdx: 0 }));
    expect([noPosition.constructor, retCode(noPosition)]).toEqual([ccxt.BadRequest, 10001]);
    await c.createOrder(PERP, "market", "buy", 0.04);
    for (const [tp, size] of [["67000", "0.02"], ["69000", "0.01"]]) {
      await c.privatePostV5PositionTradingStop({ category: "linear", symbol: "BTCUSDT", takeProfit: tp, tpSize: size, tpslMode: "Partial", positionIdx: 0 });
    }
    await c.privatePostV5PositionTradingStop({ category: "linear", symbol: "BTCUSDT", stopLoss: "62000", tpslMode: "Full", positionIdx: 0 });
    const tooBig = await rejection(c.privatePostV5PositionTradingStop({ category: "linear", symbol: "BTCUSDT", takeProfit: "71000", tpSize: "0.05", tpslMode: "Partial", positionIdx: 0 }));
    expect(retCode(tooBig)).toBe(110058);
    const wrongSide = await rejection(c.privatePostV5PositionTradingStop({ category: "linear", symbol: "BTCUSDT", stopLoss: "66000", tpslMode: "Full", positionIdx: 0 }));
    expect(retCode(wrongSide)).toBe(10001);

    await price(67500);
    expect((await c.fetchPositions([PERP]))[0]).toMatchObject({ contracts: 0.02, stopLossPrice: 62000 });
    await price(61500);
    expect(await c.fetchPositions()).toEqual([]);
    const stops = (await ledger(sim.url, `?apiKey=${acct.apiKey}`)).filter((r) => r.trigger !== null);
    expect(stops.map((r) => [r.trigger?.type, r.trigger?.status, r.filled])).toEqual([
      ["PartialTakeProfit", "FILLED", "0.02"],
      ["PartialTakeProfit", "CANCELED", "0"],
      ["StopLoss", "FILLED", "0.02"],
    ]);
  });

  it("trailing stop (trailingAmount -> trailingStop, a price distance): follows the price up, fires on the way down", async () => {
    const { c } = await fresh();
    await c.createOrder(PERP, "market", "buy", 0.01);
    await c.createOrder(PERP, "market", "sell", 0, undefined, { trailingAmount: "650" });
    expect((await c.fetchPositions([PERP]))[0]!.info).toMatchObject({ trailingStop: "650.0" });
    await price(67000);
    const [ts] = await c.fetchOpenOrders(PERP, undefined, undefined, { trigger: true });
    expect(ts).toMatchObject({ triggerPrice: 66350, info: { stopOrderType: "TrailingStop" } });
    await price(66400);
    expect((await c.fetchPositions([PERP])).length).toBe(1);
    await price(66350);
    expect(await c.fetchPositions()).toEqual([]);
    expect(await c.fetchClosedOrder(ts!.id!, PERP)).toMatchObject({ filled: 0.01, average: 66350 });
  });

  it("trailing stop with an activation price starts following only once the price gets there", async () => {
    const { c } = await fresh();
    await c.createOrder(PERP, "market", "sell", 0.01); // a short
    await c.privatePostV5PositionTradingStop({ category: "linear", symbol: "BTCUSDT", trailingStop: "500", activePrice: "64000", positionIdx: 0 });
    await price(65400); // not active yet: a rise does not fire it
    expect((await c.fetchPositions([PERP])).length).toBe(1);
    await price(63000); // active, low 63000, stop 63500
    await price(63400);
    expect((await c.fetchPositions([PERP])).length).toBe(1);
    await price(63500);
    expect(await c.fetchPositions()).toEqual([]);
  });
});
