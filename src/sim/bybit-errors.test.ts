// Bybit error paths: the real retCodes, and the ccxt class each becomes.
import ccxt from "ccxt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SimAccount, bybitClient, createSimAccount, ledger, rejection, simPost } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;
let acct: SimAccount;

beforeAll(async () => {
  sim = await startSimulator();
  acct = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: "1000", BTC: "0.01" } });
});
afterAll(() => sim.close());
afterEach(() => simPost(sim.url, "/__sim/limits", { bybitOrders: 200, bybitWindowMs: 1000 }));

const client = (creds: Partial<SimAccount> = {}) => bybitClient(sim.url, { ...acct, ...creds });

function retCode(e: Error): number {
  return (JSON.parse(e.message.slice(e.message.indexOf("{"))) as { retCode: number }).retCode;
}

describe("bybit authentication", () => {
  it("rejects an unknown key with 10003 (AuthenticationError)", async () => {
    const e = await rejection(client({ apiKey: "A".repeat(18) }).fetchBalance());
    expect(e.constructor).toBe(ccxt.AuthenticationError);
    expect(retCode(e)).toBe(10003);
  });

  it("rejects a wrong secret with 10004 (AuthenticationError)", async () => {
    const e = await rejection(client({ secret: "B".repeat(36) }).fetchBalance());
    expect(e.constructor).toBe(ccxt.AuthenticationError);
    expect(retCode(e)).toBe(10004);
  });

  it("rejects a stale timestamp with 10002 (InvalidNonce)", async () => {
    const stale = client();
    stale.options.timeDifference = 6000; // recv window is 5 s
    const e = await rejection(stale.fetchBalance());
    expect(e.constructor).toBe(ccxt.InvalidNonce);
    expect(retCode(e)).toBe(10002);
  });

  it("rejects a key bound to other IPs with 10010 (PermissionDenied)", async () => {
    const bound = await createSimAccount(sim.url, { exchange: "bybit", ipRestricted: true, ips: ["203.0.113.9"] });
    const e = await rejection(bybitClient(sim.url, bound).fetchBalance());
    expect(e.constructor).toBe(ccxt.PermissionDenied);
    expect(retCode(e)).toBe(10010);
  });

  it("rejects trading without the permission with 10005 (PermissionDenied), per category", async () => {
    const spotOnly = await createSimAccount(sim.url, { exchange: "bybit", permissions: { futures: false } });
    const c = bybitClient(sim.url, spotOnly);
    const e = await rejection(c.createOrder("BTC/USDT:USDT", "market", "buy", 0.001));
    expect(e.constructor).toBe(ccxt.PermissionDenied);
    expect(retCode(e)).toBe(10005);
    expect(retCode(await rejection(c.setLeverage(3, "BTC/USDT:USDT")))).toBe(10005);
    await c.createOrder("BTC/USDT", "market", "buy", 0.001, 65000); // spot still allowed
  });
});

describe("bybit order rejections", () => {
  it("insufficient balance: spot 170131, linear 110007 (both InsufficientFunds)", async () => {
    const spot = await rejection(client().createOrder("BTC/USDT", "market", "buy", 1, 65000));
    expect(spot.constructor).toBe(ccxt.InsufficientFunds);
    expect(retCode(spot)).toBe(170131);
    const linear = await rejection(client().createOrder("BTC/USDT:USDT", "market", "buy", 1));
    expect(linear.constructor).toBe(ccxt.InsufficientFunds);
    expect(retCode(linear)).toBe(110007);
  });

  it("unknown orders: cancel is 110001, fetchOpenOrder finds none (both OrderNotFound)", async () => {
    const cancel = await rejection(client().cancelOrder("does-not-exist", "BTC/USDT:USDT"));
    expect(cancel.constructor).toBe(ccxt.OrderNotFound);
    expect(retCode(cancel)).toBe(110001);
    expect((await rejection(client().fetchOpenOrder("does-not-exist", "BTC/USDT"))).constructor).toBe(ccxt.OrderNotFound);
  });

  it("orderLinkId is unique forever: reusing a filled order's id is 110072 (InvalidOrder)", async () => {
    const c = client();
    await c.createOrder("BTC/USDT", "market", "sell", 0.001, undefined, { clientOrderId: "kr-by-once" });
    const dup = await rejection(c.createOrder("BTC/USDT", "market", "sell", 0.001, undefined, { clientOrderId: "kr-by-once" }));
    expect(dup.constructor).toBe(ccxt.InvalidOrder);
    expect(retCode(dup)).toBe(110072);
    expect(await ledger(sim.url, "?clientOrderId=kr-by-once")).toHaveLength(1);
  });

  it("filters: spot min qty 170136, spot min value 170140, linear min notional 110094, reduce-only 110017", async () => {
    const qty = await rejection(client().createOrder("BTC/USDT", "market", "sell", 0.00001));
    expect([qty.constructor, retCode(qty)]).toEqual([ccxt.InvalidOrder, 170136]);
    await simPost(sim.url, "/__sim/accounts/" + acct.accountId + "/balances", { balances: { XRP: "10" } });
    const value = await rejection(client().createOrder("XRP/USDT", "market", "sell", 1.5));
    expect([value.constructor, retCode(value)]).toEqual([ccxt.InvalidOrder, 170140]);
    const notional = await rejection(client().createOrder("DOGE/USDT:USDT", "market", "buy", 1));
    expect([notional.constructor, retCode(notional)]).toEqual([ccxt.InvalidOrder, 110094]);
    const reduce = await rejection(client().createOrder("ETH/USDT:USDT", "market", "sell", 0.01, undefined, { reduceOnly: true }));
    expect([reduce.constructor, retCode(reduce)]).toEqual([ccxt.InvalidOrder, 110017]);
  });

  it("rate limit: creates over the per-key window are 10006 (RateLimitExceeded); other keys are unaffected", async () => {
    await simPost(sim.url, "/__sim/limits", { bybitOrders: 2, bybitWindowMs: 60_000 });
    const c = client();
    await c.createOrder("BTC/USDT", "market", "buy", 0.0001, 65000);
    await c.createOrder("BTC/USDT", "market", "buy", 0.0001, 65000);
    const e = await rejection(c.createOrder("BTC/USDT", "market", "buy", 0.0001, 65000));
    expect(e.constructor).toBe(ccxt.RateLimitExceeded);
    expect(retCode(e)).toBe(10006);
    await c.fetchBalance(); // reads are not counted
    const other = await createSimAccount(sim.url, { exchange: "bybit" });
    await bybitClient(sim.url, other).createOrder("BTC/USDT", "market", "buy", 0.0001, 65000);
  });
});
