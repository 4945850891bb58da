// Public tickers via unmodified ccxt: fetchTicker / fetchTickers follow the control price.
import ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binanceClient, bybitClient, createSimAccount, rejection, simPost } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;
let binance: InstanceType<typeof ccxt.binance>;
let bybit: InstanceType<typeof ccxt.bybit>;

beforeAll(async () => {
  sim = await startSimulator();
  binance = binanceClient(sim.url, await createSimAccount(sim.url, { exchange: "binance" }));
  bybit = bybitClient(sim.url, await createSimAccount(sim.url, { exchange: "bybit" }));
  await Promise.all([binance.loadMarkets(), bybit.loadMarkets()]);
});
afterAll(() => sim.close());

describe("binance tickers", () => {
  it("fetchTicker spot and linear report the control price", async () => {
    await simPost(sim.url, "/__sim/prices", { exchange: "binance", symbol: "BTC/USDT", price: "70123.40" });
    const before = Date.now();
    const spot = await binance.fetchTicker("BTC/USDT");
    const after = Date.now();
    expect(spot).toMatchObject({ symbol: "BTC/USDT", last: 70123.4, close: 70123.4, bid: 70123.39, ask: 70123.41 });
    // stamped while the request was served (same clock: the simulator runs in this process)
    expect(spot.timestamp).toBeGreaterThanOrEqual(before);
    expect(spot.timestamp).toBeLessThanOrEqual(after);
    expect(spot.low!).toBeLessThanOrEqual(spot.open!);
    expect(spot.high!).toBeGreaterThanOrEqual(spot.last!);
    expect(spot.baseVolume!).toBeGreaterThan(0);
    expect(spot.info.lastPrice).toBe("70123.40000000");

    const perp = await binance.fetchTicker("BTC/USDT:USDT");
    expect(perp).toMatchObject({ symbol: "BTC/USDT:USDT", last: 70123.4, close: 70123.4 });
    // as on the real API, the futures 24hr ticker carries no book: use fetchBidsAsks
    expect(perp.bid).toBeUndefined();
    expect(perp.info.lastPrice).toBe("70123.40");
    const book = await binance.fetchBidsAsks(["BTC/USDT:USDT"]);
    expect(book["BTC/USDT:USDT"]).toMatchObject({ bid: 70123.3, ask: 70123.5 });
  });

  it("fetchTickers and fetchLastPrices list the requested markets", async () => {
    await simPost(sim.url, "/__sim/prices", { exchange: "binance", symbol: "ETHUSDT", price: "3333.33" });
    const spot = await binance.fetchTickers(["ETH/USDT", "SOL/USDT"]);
    expect(Object.keys(spot).sort()).toEqual(["ETH/USDT", "SOL/USDT"]);
    expect(spot["ETH/USDT"]?.last).toBe(3333.33);
    expect(spot["SOL/USDT"]?.last).toBe(150);
    const perps = await binance.fetchTickers(["ETH/USDT:USDT"]);
    expect(Object.keys(perps)).toEqual(["ETH/USDT:USDT"]);
    expect(perps["ETH/USDT:USDT"]?.last).toBe(3333.33);
    const last = await binance.fetchLastPrices(["ETH/USDT:USDT"]);
    expect(last["ETH/USDT:USDT"]?.price).toBe(3333.33);
  });

  it("rejects an unknown symbol with -1121 (BadSymbol)", async () => {
    const spot = await rejection(binance.publicGetTicker24hr({ symbol: "NOPEUSDT" }));
    expect(spot).toBeInstanceOf(ccxt.BadSymbol);
    expect(spot.message).toContain('"code":-1121');
    expect(await rejection(binance.publicGetTicker24hr({ symbols: '["BTCUSDT","NOPEUSDT"]' }))).toBeInstanceOf(ccxt.BadSymbol);
    expect(await rejection(binance.fapiPublicGetTicker24hr({ symbol: "NOPEUSDT" }))).toBeInstanceOf(ccxt.BadSymbol);
  });
});

describe("bybit tickers", () => {
  it("fetchTicker spot and linear report the control price", async () => {
    await simPost(sim.url, "/__sim/prices", { exchange: "bybit", symbol: "ETH/USDT", price: "3456.78" });
    const spot = await bybit.fetchTicker("ETH/USDT");
    expect(spot).toMatchObject({ symbol: "ETH/USDT", last: 3456.78, close: 3456.78, bid: 3456.77, ask: 3456.79 });
    expect(spot.low!).toBeLessThanOrEqual(spot.open!);
    expect(spot.high!).toBeGreaterThanOrEqual(spot.last!);
    expect(spot.info.lastPrice).toBe("3456.78");
    const perp = await bybit.fetchTicker("ETH/USDT:USDT");
    expect(perp).toMatchObject({ symbol: "ETH/USDT:USDT", last: 3456.78, bid: 3456.77, ask: 3456.79, markPrice: 3456.78 });
    // the Binance price is separate
    expect((await binance.fetchTicker("ETH/USDT")).last).not.toBe(3456.78);
  });

  it("fetchTickers filters spot and linear lists", async () => {
    const spot = await bybit.fetchTickers(["BTC/USDT", "XRP/USDT"]);
    expect(Object.keys(spot).sort()).toEqual(["BTC/USDT", "XRP/USDT"]);
    expect(spot["XRP/USDT"]?.last).toBe(0.52);
    const perps = await bybit.fetchTickers(["DOGE/USDT:USDT"]);
    expect(perps["DOGE/USDT:USDT"]).toMatchObject({ last: 0.12, bid: 0.11999, ask: 0.12001 });
  });

  it("rejects an unknown symbol with 10001 Not supported symbols (BadSymbol)", async () => {
    const e = await rejection(bybit.publicGetV5MarketTickers({ category: "linear", symbol: "NOPEUSDT" }));
    expect(e).toBeInstanceOf(ccxt.BadSymbol);
    expect(e.message).toContain("Not supported symbols");
  });
});
