// The /__sim/ control API over plain HTTP.
import ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binanceClient, bybitClient, createSimAccount, ledger, rejection, simGet, simPost } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

async function raw(method: string, path: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(sim.url + path, { method, body, headers: body === undefined ? {} : { "Content-Type": "application/json" } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("control API", () => {
  it("reports health", async () => {
    expect(await simGet(sim.url, "/__sim/health")).toMatchObject({ ok: true });
  });

  it("creates Binance accounts with 64-char alphanumeric keys and secrets, and shows their state without secrets", async () => {
    const a = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: "250.5", ETH: "2" }, futuresBalances: { USDT: "100" } });
    expect(a.apiKey).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(a.secret).toMatch(/^[A-Za-z0-9]{64}$/);
    const view = await simGet<Record<string, unknown>>(sim.url, `/__sim/accounts/${a.accountId}`);
    expect(view).toMatchObject({ exchange: "binance", balances: { spot: { USDT: { free: "250.5" }, ETH: { free: "2" } }, futures: { USDT: "100" } } });
    expect(JSON.stringify(view)).not.toContain(a.secret);
  });

  it("adds a second key to an account; orders through either key land in the same account, tagged by key", async () => {
    const a = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: "1000" } });
    const k2 = await simPost<{ apiKey: string; secret: string; accountId: string }>(sim.url, `/__sim/accounts/${a.accountId}/keys`, { permissions: { futures: false } });
    expect(k2.accountId).toBe(a.accountId);
    const o1 = await binanceClient(sim.url, a).createOrder("XRP/USDT", "market", "buy", 100);
    const o2 = await binanceClient(sim.url, k2).createOrder("XRP/USDT", "market", "buy", 100);
    const rows = await ledger(sim.url, `?accountId=${a.accountId}`);
    expect(rows.map((r) => [r.id, r.apiKey])).toEqual([
      [o1.id, a.apiKey],
      [o2.id, k2.apiKey],
    ]);
    const restricted = await rejection(binanceClient(sim.url, k2).fetchBalance({ type: "future" }));
    expect(restricted.constructor).toBe(ccxt.AuthenticationError);
  });

  it("answers 400 with the offending field on bad bodies", async () => {
    const cases: [string, string, string][] = [
      ["/__sim/accounts", JSON.stringify({ exchange: "kraken" }), "exchange"],
      ["/__sim/accounts", JSON.stringify({ exchange: "bybit", balances: { USDT: "-5" } }), "balances"],
      ["/__sim/accounts", JSON.stringify({ exchange: "bybit", permissions: { trade: true } }), "trade"],
      ["/__sim/accounts", "{not json", "JSON"],
      ["/__sim/prices", JSON.stringify({ symbol: "BTC/USDT" }), "price"],
      ["/__sim/prices", JSON.stringify({ symbol: "PEPE/USDT", price: "1" }), "unknown symbol"],
      ["/__sim/faults", JSON.stringify({ status: 404 }), "status"],
      ["/__sim/faults", JSON.stringify({ count: 2 }), "at least one of"],
      ["/__sim/limits", JSON.stringify({ bybitOrders: 0 }), "bybitOrders"],
    ];
    for (const [path, body, mention] of cases) {
      const res = await raw("POST", path, body);
      expect(res.status, `${path} ${body}`).toBe(400);
      expect(String(res.json.error)).toContain(mention);
    }
    expect((await raw("GET", "/__sim/accounts/nope")).status).toBe(404);
    expect((await raw("GET", "/__sim/nothing")).status).toBe(404);
  });

  it("creates keys with or without an IP list, and each exchange reports it as the real one does", async () => {
    const binanceRestriction = async (creds: { apiKey: string; secret: string }) =>
      ((await binanceClient(sim.url, creds).sapiGetAccountApiRestrictions()) as { ipRestrict: boolean }).ipRestrict;
    const bybitIps = async (creds: { apiKey: string; secret: string }) =>
      ((await bybitClient(sim.url, creds).privateGetV5UserQueryApi()) as { result: { ips: string[] } }).result.ips;
    const open = await createSimAccount(sim.url, { exchange: "binance" });
    const listed = await simPost<{ apiKey: string; secret: string }>(sim.url, `/__sim/accounts/${open.accountId}/keys`, { ips: ["127.0.0.1", "203.0.113.10"] });
    expect([await binanceRestriction(open), await binanceRestriction(listed)]).toEqual([false, true]);
    const bybitOpen = await createSimAccount(sim.url, { exchange: "bybit", ipRestricted: false });
    const bybitListed = await createSimAccount(sim.url, { exchange: "bybit", ips: ["127.0.0.1", "203.0.113.10"] });
    const bybitLoopback = await createSimAccount(sim.url, { exchange: "bybit", ipRestricted: true });
    expect(await bybitIps(bybitOpen)).toEqual(["*"]);
    expect(await bybitIps(bybitListed)).toEqual(["127.0.0.1", "203.0.113.10"]);
    expect(await bybitIps(bybitLoopback)).toEqual(["127.0.0.1", "::1"]);
    const view = await simGet<{ keys: { apiKey: string; ips: string[] }[] }>(sim.url, `/__sim/accounts/${open.accountId}`);
    expect(view.keys.map((k) => k.ips)).toEqual([["*"], ["127.0.0.1", "203.0.113.10"]]);
    // A list that is not addresses, or a list on a key said to be unrestricted, is refused rather than guessed.
    for (const body of [{ exchange: "bybit", ips: ["*"] }, { exchange: "bybit", ipRestricted: false, ips: ["127.0.0.1"] }]) {
      const res = await raw("POST", "/__sim/accounts", JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(String(res.json.error)).toContain("ips");
    }
  });

  it("sets prices by unified or exchange symbol, per exchange or both", async () => {
    const both = await simPost<{ exchanges: string[]; price: string }>(sim.url, "/__sim/prices", { symbol: "SOL/USDT:USDT", price: 151.25 });
    expect(both).toMatchObject({ exchanges: ["binance", "bybit"], price: "151.25" });
    await simPost(sim.url, "/__sim/prices", { exchange: "bybit", symbol: "SOLUSDT", price: "152" });
    const { prices } = await simGet<{ prices: Record<string, string> }>(sim.url, "/__sim/prices");
    expect(prices["binance:SOLUSDT"]).toBe("151.25");
    expect(prices["bybit:SOLUSDT"]).toBe("152");
  });

  it("reset clears accounts, orders, faults and prices", async () => {
    await simPost(sim.url, "/__sim/faults", { latencyMs: 1 });
    await simPost(sim.url, "/__sim/reset");
    expect(await simGet(sim.url, "/__sim/health")).toMatchObject({ accounts: 0, orders: 0 });
    expect(await simGet(sim.url, "/__sim/faults")).toEqual({ faults: [] });
    expect((await simGet<{ prices: Record<string, string> }>(sim.url, "/__sim/prices")).prices["binance:BTCUSDT"]).toBe("65000");
  });
});
