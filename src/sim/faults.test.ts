// Fault injection as ccxt sees it: latency, throttling, 5xx, hung requests and
// responses lost after the order was booked.
import ccxt from "ccxt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SimAccount, binanceClient, bybitClient, createSimAccount, ledger, rejection, simDelete, simGet, simPost } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;
let bin: SimAccount;
let byb: SimAccount;

beforeAll(async () => {
  sim = await startSimulator();
  bin = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: "10000" } });
  byb = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: "10000" } });
});
afterAll(() => sim.close());
afterEach(() => simDelete(sim.url, "/__sim/faults"));

describe("faults", () => {
  // Which requests a rule touches is read from its remaining count (each match spends one), not from
  // a stopwatch; how long an untouched key's request takes meanwhile: bench/sim.ts.
  it("adds latency to one key's requests only", async () => {
    await simPost(sim.url, "/__sim/faults", { apiKey: bin.apiKey, latencyMs: 150, count: 1_000 });
    const remaining = async () => (await simGet<{ faults: { remaining: number }[] }>(sim.url, "/__sim/faults")).faults.map((f) => f.remaining);
    const slow = binanceClient(sim.url, bin);
    await slow.loadMarkets(); // public calls carry no key: not delayed
    const other = bybitClient(sim.url, byb);
    await other.fetchBalance(); // another key: not delayed
    expect(await remaining()).toEqual([1_000]);
    const started = Date.now();
    await slow.fetchBalance();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140); // the delay was applied (a timer never fires early)
    expect(await remaining()).toEqual([999]);
  });

  it("answers 429 for `count` requests: Binance -> DDoSProtection, Bybit -> RateLimitExceeded", async () => {
    await simPost(sim.url, "/__sim/faults", { status: 429, count: 2, paths: ["/api/v3/account", "/v5/account/wallet-balance"] });
    const b = binanceClient(sim.url, bin);
    const y = bybitClient(sim.url, byb);
    expect((await rejection(b.fetchBalance())).constructor).toBe(ccxt.DDoSProtection);
    expect((await rejection(y.fetchBalance())).constructor).toBe(ccxt.RateLimitExceeded);
    await b.fetchBalance(); // count spent
    expect((await simGet<{ faults: unknown[] }>(sim.url, "/__sim/faults")).faults).toEqual([]);
  });

  it("answers 418 (Binance IP ban) as DDoSProtection", async () => {
    await simPost(sim.url, "/__sim/faults", { status: 418, count: 1 });
    expect((await rejection(binanceClient(sim.url, bin).fetchBalance())).constructor).toBe(ccxt.DDoSProtection);
  });

  it("answers 5xx as ExchangeNotAvailable on both exchanges, without placing the order", async () => {
    for (const status of [500, 502, 503]) {
      await simPost(sim.url, "/__sim/faults", { status, count: 2, paths: ["/api/v3/order", "/v5/order/create"] });
      const b = await rejection(binanceClient(sim.url, bin).createOrder("BTC/USDT", "market", "buy", 0.001, undefined, { clientOrderId: `kr-5xx-${status}` }));
      expect(b.constructor).toBe(ccxt.ExchangeNotAvailable);
      const y = await rejection(bybitClient(sim.url, byb).createOrder("BTC/USDT", "market", "buy", 0.001, 65000));
      expect(y.constructor).toBe(ccxt.ExchangeNotAvailable);
    }
    expect(await ledger(sim.url, "?clientOrderId=kr-5xx-502")).toEqual([]);
  });

  it("hangs a request until the client times out (RequestTimeout)", async () => {
    await simPost(sim.url, "/__sim/faults", { apiKey: byb.apiKey, timeout: true, count: 1 });
    const y = bybitClient(sim.url, byb, { timeoutMs: 300 });
    await y.loadMarkets();
    const started = Date.now();
    const e = await rejection(y.createOrder("BTC/USDT", "market", "buy", 0.001, 65000, { clientOrderId: "kr-hung" }));
    expect(e.constructor).toBe(ccxt.RequestTimeout);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(await ledger(sim.url, "?clientOrderId=kr-hung")).toEqual([]);
  });

  it("dropAfterAccept: the order is booked but ccxt gets a network error (Binance and Bybit)", async () => {
    await simPost(sim.url, "/__sim/faults", { dropAfterAccept: true, count: 2, paths: ["/fapi/v1/order", "/v5/order/create"] });
    const b = await rejection(binanceClient(sim.url, bin).createOrder("ETH/USDT:USDT", "market", "buy", 0.01, undefined, { clientOrderId: "kr-lost-b" }));
    expect(b.constructor).toBe(ccxt.NetworkError);
    const y = await rejection(bybitClient(sim.url, byb).createOrder("ETH/USDT:USDT", "market", "buy", 0.01, undefined, { clientOrderId: "kr-lost-y" }));
    expect(y.constructor).toBe(ccxt.NetworkError);
    expect(await ledger(sim.url, "?clientOrderId=kr-lost-b")).toMatchObject([{ apiKey: bin.apiKey, status: "closed", symbol: "ETH/USDT:USDT" }]);
    expect(await ledger(sim.url, "?clientOrderId=kr-lost-y")).toMatchObject([{ apiKey: byb.apiKey, status: "closed" }]);
    // reconciliation by client id finds both
    const viaBinance = await binanceClient(sim.url, bin).fetchOrder("", "ETH/USDT:USDT", { clientOrderId: "kr-lost-b" });
    expect(viaBinance).toMatchObject({ status: "closed", filled: 0.01 });
    const viaBybit = await bybitClient(sim.url, byb).fetchClosedOrders("ETH/USDT:USDT", undefined, undefined, { orderLinkId: "kr-lost-y" });
    expect(viaBybit.map((o) => o.clientOrderId)).toEqual(["kr-lost-y"]);
  });

  it("DELETE /__sim/faults clears every rule", async () => {
    await simPost(sim.url, "/__sim/faults", { status: 503 });
    const { cleared } = await simDelete<{ cleared: number }>(sim.url, "/__sim/faults");
    expect(cleared).toBe(1);
    await binanceClient(sim.url, bin).fetchBalance();
  });
});
