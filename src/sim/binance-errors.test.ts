// Binance error paths: the real codes, and the ccxt class each becomes.
import ccxt from "ccxt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SimAccount, binanceClient, createSimAccount, ledger, rejection, simPost } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;
let acct: SimAccount;

beforeAll(async () => {
  sim = await startSimulator();
  acct = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: "1000", BTC: "0.01" } });
});
afterAll(() => sim.close());
afterEach(() => simPost(sim.url, "/__sim/limits", { binanceWeight: 1200, binanceWindowMs: 60_000 }));

const client = (creds: Partial<SimAccount> = {}, realHosts = false) => binanceClient(sim.url, { ...acct, ...creds }, { realHosts });

function body(e: Error): { code: number; msg: string } {
  return JSON.parse(e.message.slice(e.message.indexOf("{"))) as { code: number; msg: string };
}

describe("binance authentication", () => {
  it("rejects an unknown key with -2015 (AuthenticationError)", async () => {
    const e = await rejection(client({ apiKey: "x".repeat(64) }).fetchBalance());
    expect(e).toBeInstanceOf(ccxt.AuthenticationError);
    expect(body(e).code).toBe(-2015);
  });

  it("rejects a wrong secret with -1022 (AuthenticationError)", async () => {
    const e = await rejection(client({ secret: "y".repeat(64) }).fetchBalance());
    expect(e.constructor).toBe(ccxt.AuthenticationError);
    expect(body(e)).toEqual({ code: -1022, msg: "Signature for this request is not valid." });
  });

  it("rejects a stale timestamp with -1021 (InvalidNonce)", async () => {
    const stale = client();
    stale.options.timeDifference = 20_000; // signs timestamps 20 s in the past: beyond any receive window (ccxt sends 10 s for Binance), never on its edge
    const e = await rejection(stale.fetchBalance());
    expect(e.constructor).toBe(ccxt.InvalidNonce);
    expect(body(e).code).toBe(-1021);
  });

  it("rejects a key bound to other IPs with -2015", async () => {
    const bound = await createSimAccount(sim.url, { exchange: "binance", ipRestricted: true, ips: ["203.0.113.9"] });
    const e = await rejection(binanceClient(sim.url, bound).fetchBalance());
    expect(e.constructor).toBe(ccxt.AuthenticationError);
  });
});

describe("binance permissions", () => {
  it("answers -2015 for spot trading without the permission; ccxt calls it DDoSProtection after any successful spot call", async () => {
    const readOnly = await createSimAccount(sim.url, { exchange: "binance", permissions: { spotTrade: false, futures: false } });
    const fresh = binanceClient(sim.url, readOnly);
    const first = await rejection(fresh.createOrder("BTC/USDT", "market", "buy", 0.001));
    expect(first.constructor).toBe(ccxt.AuthenticationError);
    await fresh.fetchBalance(); // reading is allowed...
    const second = await rejection(fresh.createOrder("BTC/USDT", "market", "buy", 0.001));
    // ...and ccxt's hasAlreadyAuthenticatedSuccessfully turns the same -2015 into a "temporary ban"
    expect(second.constructor).toBe(ccxt.DDoSProtection);
    expect(body(second).code).toBe(-2015);
    const futures = await rejection(fresh.fetchBalance({ type: "future" }));
    expect(body(futures).code).toBe(-2015);
  });
});

describe("binance order rejections", () => {
  it("spot: insufficient balance is -2010 (InsufficientFunds by message)", async () => {
    const e = await rejection(client().createOrder("BTC/USDT", "market", "buy", 1));
    expect(e.constructor).toBe(ccxt.InsufficientFunds);
    // matched on the message, so ccxt's error text carries the message but not the JSON body
    expect(e.message).toBe("binance Account has insufficient balance for requested action.");
  });

  it("futures: insufficient margin is -2019, ExchangeError with overridden URLs, InsufficientFunds with real hosts", async () => {
    const overridden = await rejection(client().createOrder("BTC/USDT:USDT", "market", "buy", 1));
    expect(body(overridden)).toEqual({ code: -2019, msg: "Margin is insufficient." });
    expect(overridden.constructor).toBe(ccxt.ExchangeError);
    const real = await rejection(client({}, true).createOrder("BTC/USDT:USDT", "market", "buy", 1));
    expect(real.constructor).toBe(ccxt.InsufficientFunds);
  });

  it("unknown orders: fetch -2013, cancel -2011 (both OrderNotFound)", async () => {
    const fetchErr = await rejection(client().fetchOrder("123", "BTC/USDT"));
    expect(fetchErr.constructor).toBe(ccxt.OrderNotFound);
    expect(body(fetchErr).code).toBe(-2013);
    const cancelErr = await rejection(client().cancelOrder("123", "BTC/USDT:USDT"));
    expect(cancelErr.constructor).toBe(ccxt.OrderNotFound);
    expect(body(cancelErr).code).toBe(-2011);
  });

  it("spot: a client id is unique among OPEN orders only (a filled market order's id can be reused)", async () => {
    const c = client();
    await c.createOrder("BTC/USDT", "limit", "buy", 0.001, 50000, { clientOrderId: "kr-open-1" });
    const dup = await rejection(c.createOrder("BTC/USDT", "limit", "buy", 0.001, 50000, { clientOrderId: "kr-open-1" }));
    expect(dup.constructor).toBe(ccxt.InvalidOrder);
    expect(body(dup)).toEqual({ code: -2010, msg: "Duplicate order sent." });

    await c.createOrder("BTC/USDT", "market", "buy", 0.001, undefined, { clientOrderId: "kr-retry-1" });
    // a blind retry of a filled market order fills twice
    await c.createOrder("BTC/USDT", "market", "buy", 0.001, undefined, { clientOrderId: "kr-retry-1" });
    expect((await ledger(sim.url, "?clientOrderId=kr-retry-1")).map((o) => o.status)).toEqual(["closed", "closed"]);
  });

  it("futures: a duplicate open client id is -4116 (ExchangeError here, InvalidOrder with real hosts)", async () => {
    const c = client();
    await c.createOrder("ETH/USDT:USDT", "limit", "buy", 0.01, 3000, { clientOrderId: "kr-fut-dup" });
    const overridden = await rejection(c.createOrder("ETH/USDT:USDT", "limit", "buy", 0.01, 3000, { clientOrderId: "kr-fut-dup" }));
    expect(body(overridden)).toEqual({ code: -4116, msg: "ClientOrderId is duplicated." });
    expect(overridden.constructor).toBe(ccxt.ExchangeError);
    const real = await rejection(client({}, true).createOrder("ETH/USDT:USDT", "limit", "buy", 0.01, 3000, { clientOrderId: "kr-fut-dup" }));
    expect(real.constructor).toBe(ccxt.InvalidOrder);
  });

  it("filters: spot NOTIONAL (BadRequest) and LOT_SIZE (InvalidOrder) are -1013; futures notional -4164, reduce-only without a position -2022", async () => {
    const notional = await rejection(client().createOrder("BTC/USDT", "market", "buy", 0.00005));
    expect(body(notional)).toEqual({ code: -1013, msg: "Filter failure: NOTIONAL" });
    expect(notional.constructor).toBe(ccxt.BadRequest);
    // ccxt rounds amounts itself, so send an off-step quantity through the implicit API
    const lot = await rejection(client().privatePostOrder({ symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.000015", price: "60000" }));
    expect(lot.constructor).toBe(ccxt.InvalidOrder); // ccxt matches "LOT_SIZE" in the body
    // -4164 and -2022 live only in ccxt's linear table: ExchangeError unless the URL is the real fapi host
    const small = await rejection(client().createOrder("BTC/USDT:USDT", "market", "buy", 0.001));
    expect(body(small).code).toBe(-4164);
    expect(small.constructor).toBe(ccxt.ExchangeError);
    const smallReal = await rejection(client({}, true).createOrder("BTC/USDT:USDT", "market", "buy", 0.001));
    expect(smallReal.constructor).toBe(ccxt.InvalidOrder);
    const reduce = await rejection(client({}, true).createOrder("SOL/USDT:USDT", "market", "sell", 1, undefined, { reduceOnly: true }));
    expect(body(reduce)).toEqual({ code: -2022, msg: "ReduceOnly Order is rejected." });
    expect(reduce.constructor).toBe(ccxt.InvalidOrder);
  });

  it("rate limit: request weight over the per-key window is HTTP 429 -1003 (DDoSProtection)", async () => {
    await simPost(sim.url, "/__sim/limits", { binanceWeight: 25 });
    const c = client();
    await c.fetchBalance(); // weight 20
    const e = await rejection(c.fetchBalance());
    expect(e.constructor).toBe(ccxt.DDoSProtection);
    expect(body(e).code).toBe(-1003);
    // other keys have their own window
    const other = await createSimAccount(sim.url, { exchange: "binance" });
    await binanceClient(sim.url, other).fetchBalance();
  });
});
