// The /__sim/ control API over plain HTTP.
import ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binanceClient, createSimAccount, ledger, rejection, simGet, simPost } from "./ccxt-test-clients.ts";
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
