// Bybit V5 happy paths, driven by unmodified ccxt against the simulator.
import ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimAccount, bybitClient, createSimAccount, ledger, rejection, simPost } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;
let acct: SimAccount;
let client: InstanceType<typeof ccxt.bybit>;

beforeAll(async () => {
  sim = await startSimulator();
  acct = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: "10000", BTC: "1" } });
  client = bybitClient(sim.url, acct);
});
afterAll(() => sim.close());

describe("bybit via ccxt", () => {
  it("issues keys in the real formats", () => {
    expect(acct.apiKey).toMatch(/^[A-Za-z0-9]{18}$/);
    expect(acct.secret).toMatch(/^[A-Za-z0-9]{36}$/);
  });

  it("loads spot and linear markets with real filters", async () => {
    const markets = await client.loadMarkets();
    for (const base of ["BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"]) {
      expect(markets[`${base}/USDT`]?.spot).toBe(true);
      expect(markets[`${base}/USDT:USDT`]?.linear).toBe(true);
    }
    expect(markets["BTC/USDT"]!.precision).toMatchObject({ amount: 0.000001, price: 0.01 });
    expect(markets["BTC/USDT:USDT"]!).toMatchObject({ swap: true, precision: { amount: 0.001, price: 0.1 }, limits: { leverage: { max: 100 } } });
  });

  it("fetches the UNIFIED wallet", async () => {
    const balance = await client.fetchBalance();
    expect(balance.USDT).toMatchObject({ free: 10000, used: 0, total: 10000 });
    expect(balance.BTC?.total).toBe(1);
  });

  it("creates a spot market buy (create answers ids only) and reads it back with fetchClosedOrder", async () => {
    const created = await client.createOrder("BTC/USDT", "market", "buy", 0.01, 65000, { clientOrderId: "kr-by-1" });
    // the V5 create response carries orderId + orderLinkId only
    expect(created).toMatchObject({ clientOrderId: "kr-by-1", status: undefined, filled: undefined });
    const closed = await client.fetchClosedOrder(created.id!, "BTC/USDT");
    expect(closed).toMatchObject({ id: created.id, clientOrderId: "kr-by-1", status: "closed", filled: 0.01, average: 65000, cost: 650 });
    expect(closed.fee).toMatchObject({ currency: "BTC", cost: 0.00001 });
    const viaFetchOrder = await client.fetchOrder(created.id!, "BTC/USDT", { acknowledged: true });
    expect(viaFetchOrder.status).toBe("closed");
    expect((await client.fetchBalance()).USDT?.total).toBe(9350);
  });

  it("sells spot by base quantity", async () => {
    const created = await client.createOrder("BTC/USDT", "market", "sell", 0.005);
    const closed = await client.fetchClosedOrder(created.id!, "BTC/USDT");
    expect(closed).toMatchObject({ amount: 0.005, filled: 0.005, cost: 325 });
    expect(closed.fee).toMatchObject({ currency: "USDT", cost: 0.325 });
  });

  it("rests a spot limit order, fills it on a price move, and cancels another", async () => {
    const resting = await client.createOrder("ETH/USDT", "limit", "buy", 0.1, 3000, { clientOrderId: "kr-by-limit" });
    const open = await client.fetchOpenOrder(resting.id!, "ETH/USDT");
    expect(open).toMatchObject({ status: "open", price: 3000, amount: 0.1, remaining: 0.1 });
    expect((await client.fetchBalance()).USDT?.used).toBe(300);
    expect((await client.fetchOpenOrders("ETH/USDT")).map((o) => o.id)).toEqual([resting.id]);

    const other = await client.createOrder("ETH/USDT", "limit", "buy", 0.1, 2900);
    const canceled = await client.cancelOrder(other.id!, "ETH/USDT");
    expect(canceled.id).toBe(other.id);

    const { filled } = await simPost<{ filled: number }>(sim.url, "/__sim/prices", { exchange: "bybit", symbol: "ETHUSDT", price: "2999.5" });
    expect(filled).toBe(1);
    expect(await client.fetchClosedOrder(resting.id!, "ETH/USDT")).toMatchObject({ status: "closed", filled: 0.1, average: 3000 });
    const canceledRow = (await client.fetchCanceledAndClosedOrders("ETH/USDT")).find((o) => o.id === other.id);
    expect(canceledRow?.status).toBe("canceled");
    await simPost(sim.url, "/__sim/prices", { exchange: "bybit", symbol: "ETHUSDT", price: "3200" });
  });

  it("sets leverage (110043 when unchanged), opens a linear short, lists it, and closes it reduce-only", async () => {
    expect(await client.setLeverage(5, "BTC/USDT:USDT")).toMatchObject({ retCode: 0 });
    const same = await rejection(client.setLeverage(5, "BTC/USDT:USDT"));
    expect(same.constructor).toBe(ccxt.BadRequest);
    expect(same.message).toContain("110043");

    const created = await client.createOrder("BTC/USDT:USDT", "market", "sell", 0.01, undefined, { clientOrderId: "kr-by-perp" });
    expect((await client.fetchClosedOrder(created.id!, "BTC/USDT:USDT")).reduceOnly).toBe(false);
    const [position] = await client.fetchPositions();
    expect(position).toMatchObject({ symbol: "BTC/USDT:USDT", side: "short", contracts: 0.01, entryPrice: 65000, leverage: 5, initialMargin: 130 });

    await simPost(sim.url, "/__sim/prices", { exchange: "bybit", symbol: "BTC/USDT:USDT", price: "64000" });
    const [marked] = await client.fetchPositions(["BTC/USDT:USDT"]);
    expect(marked?.unrealizedPnl).toBe(10);

    const close = await client.createOrder("BTC/USDT:USDT", "market", "buy", 0.02, undefined, { reduceOnly: true });
    expect(await client.fetchClosedOrder(close.id!, "BTC/USDT:USDT")).toMatchObject({ filled: 0.01, reduceOnly: true });
    expect(await client.fetchPositions()).toEqual([]);
    await simPost(sim.url, "/__sim/prices", { exchange: "bybit", symbol: "BTCUSDT", price: "65000" });
  });

  it("rests and cancels a linear limit order", async () => {
    const order = await client.createOrder("SOL/USDT:USDT", "limit", "buy", 1, 140);
    expect((await client.fetchOpenOrder(order.id!, "SOL/USDT:USDT")).status).toBe("open");
    await client.cancelOrder(order.id!, "SOL/USDT:USDT");
    expect(await client.fetchOpenOrders("SOL/USDT:USDT")).toEqual([]);
  });

  it("answers query-api with uta, the full permissions object, readOnly and ips", async () => {
    const info = (await client.privateGetV5UserQueryApi()) as { result: Record<string, unknown> };
    expect(info.result).toMatchObject({
      apiKey: acct.apiKey,
      readOnly: 0,
      uta: 1,
      ips: ["*"],
      permissions: {
        ContractTrade: ["Order", "Position"],
        Spot: ["SpotTrade"],
        Wallet: [],
        Options: [],
        Derivatives: ["DerivativesTrade"],
        Exchange: [],
        NFT: [],
        CopyTrading: [],
        BlockTrade: [],
        Affiliate: [],
      },
    });
    const ro = await createSimAccount(sim.url, { exchange: "bybit", permissions: { spotTrade: false, futures: false }, ipRestricted: true, ips: ["127.0.0.1"] });
    const roInfo = (await bybitClient(sim.url, ro).privateGetV5UserQueryApi()) as { result: Record<string, unknown> };
    expect(roInfo.result).toMatchObject({ readOnly: 1, ips: ["127.0.0.1"], permissions: { Spot: [], ContractTrade: [] } });
  });

  it("records orders from two accounts with the key that signed each", async () => {
    const second = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: "500" } });
    const a = await client.createOrder("DOGE/USDT", "market", "buy", 100, 0.12);
    const b = await bybitClient(sim.url, second).createOrder("DOGE/USDT", "market", "buy", 100, 0.12);
    const rows = await ledger(sim.url, "?exchange=bybit");
    expect(rows.find((r) => r.id === a.id)).toMatchObject({ apiKey: acct.apiKey, accountId: acct.accountId });
    expect(rows.find((r) => r.id === b.id)).toMatchObject({ apiKey: second.apiKey, accountId: second.accountId, symbol: "DOGE/USDT" });
  });
});
