// Binance happy paths, driven by unmodified ccxt against the simulator.
import ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimAccount, binanceClient, createSimAccount, ledger, simPost } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;
let acct: SimAccount;
let client: InstanceType<typeof ccxt.binance>;

beforeAll(async () => {
  sim = await startSimulator();
  acct = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: "10000", BTC: "1" } });
  client = binanceClient(sim.url, acct);
});
afterAll(() => sim.close());

describe("binance via ccxt", () => {
  it("loads spot and linear markets with real filters", async () => {
    const markets = await client.loadMarkets();
    for (const base of ["BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"]) {
      expect(markets[`${base}/USDT`]?.spot).toBe(true);
      expect(markets[`${base}/USDT:USDT`]?.linear).toBe(true);
    }
    const spot = markets["BTC/USDT"]!;
    expect(spot.precision).toMatchObject({ amount: 0.00001, price: 0.01 });
    expect(spot.limits.cost?.min).toBe(5);
    const perp = markets["BTC/USDT:USDT"]!;
    expect(perp).toMatchObject({ swap: true, settle: "USDT", precision: { amount: 0.001, price: 0.1 } });
    expect(perp.limits.cost?.min).toBe(100);
  });

  it("fetches spot and futures balances", async () => {
    const spot = await client.fetchBalance();
    expect(spot.USDT).toMatchObject({ free: 10000, used: 0, total: 10000 });
    expect(spot.BTC?.free).toBe(1);
    const futures = await client.fetchBalance({ type: "future" });
    // futures wallet defaults to the stablecoins of `balances`
    expect(futures.USDT?.total).toBe(10000);
  });

  it("fills a spot market buy at the set price with a 0.1% fee in the bought asset, keeping the client id", async () => {
    const order = await client.createOrder("BTC/USDT", "market", "buy", 0.01, undefined, { clientOrderId: "kr-spot-1" });
    expect(order).toMatchObject({ status: "closed", filled: 0.01, average: 65000, cost: 650, clientOrderId: "kr-spot-1" });
    expect(order.fee).toMatchObject({ currency: "BTC", cost: 0.00001 });
    const fetched = await client.fetchOrder(order.id!, "BTC/USDT");
    expect(fetched).toMatchObject({ id: order.id, status: "closed", clientOrderId: "kr-spot-1" });
    const byClientId = await client.fetchOrder("", "BTC/USDT", { clientOrderId: "kr-spot-1" });
    expect(byClientId.id).toBe(order.id);
    const balance = await client.fetchBalance();
    expect(balance.USDT?.free).toBe(9350);
    expect(balance.BTC?.free).toBeCloseTo(1.00999, 8);
  });

  it("sizes a market buy by quote amount when a price is given (quoteOrderQty)", async () => {
    const order = await client.createOrder("ETH/USDT", "market", "buy", 0.1, 3200);
    expect(order.status).toBe("closed");
    expect(order.filled).toBe(0.1);
    expect(order.info.origQuoteOrderQty).toBe("320.00000000");
  });

  it("rests a spot limit order, fills it when the price crosses, and cancels another", async () => {
    const resting = await client.createOrder("BTC/USDT", "limit", "buy", 0.001, 60000, { clientOrderId: "kr-limit-1" });
    expect(resting.status).toBe("open");
    expect((await client.fetchBalance()).USDT?.used).toBe(60);
    const open = await client.fetchOpenOrders("BTC/USDT");
    expect(open.map((o) => o.id)).toContain(resting.id);

    const toCancel = await client.createOrder("BTC/USDT", "limit", "sell", 0.001, 70000);
    const canceled = await client.cancelOrder(toCancel.id!, "BTC/USDT");
    expect(canceled.status).toBe("canceled");

    await simPost(sim.url, "/__sim/prices", { exchange: "binance", symbol: "BTC/USDT", price: "59999" });
    const filled = await client.fetchOrder(resting.id!, "BTC/USDT");
    expect(filled).toMatchObject({ status: "closed", filled: 0.001, average: 60000 });
    expect((await client.fetchBalance()).USDT?.used).toBe(0);
    const closed = await client.fetchClosedOrders("BTC/USDT");
    expect(closed.map((o) => o.id)).toContain(resting.id);
    await simPost(sim.url, "/__sim/prices", { exchange: "binance", symbol: "BTC/USDT", price: "65000" });
  });

  it("opens a linear position, reports it, reduces it with reduceOnly and sets leverage", async () => {
    expect(await client.setLeverage(10, "BTC/USDT:USDT")).toMatchObject({ leverage: 10, symbol: "BTCUSDT" });
    const open = await client.createOrder("BTC/USDT:USDT", "market", "buy", 0.004, undefined, { clientOrderId: "kr-perp-1" });
    expect(open).toMatchObject({ status: "closed", filled: 0.004, average: 65000, reduceOnly: false, clientOrderId: "kr-perp-1" });

    const [position] = await client.fetchPositions(["BTC/USDT:USDT"]);
    expect(position).toMatchObject({ symbol: "BTC/USDT:USDT", side: "long", contracts: 0.004, entryPrice: 65000, notional: 260 });
    expect(position?.initialMargin).toBe(26); // 260 notional at 10x
    const futures = await client.fetchBalance({ type: "future" });
    expect(futures.USDT?.total).toBeCloseTo(10000 - 0.13, 8); // 0.05% taker fee on 260

    // oversized reduce-only orders shrink to the position
    const reduce = await client.createOrder("BTC/USDT:USDT", "market", "sell", 0.01, undefined, { reduceOnly: true });
    expect(reduce).toMatchObject({ status: "closed", filled: 0.004, reduceOnly: true });
    expect(await client.fetchPositions(["BTC/USDT:USDT"])).toEqual([]);
  });

  it("rests a linear limit order, finds it with fetchOpenOrder, and cancels it", async () => {
    const order = await client.createOrder("ETH/USDT:USDT", "limit", "sell", 0.01, 3500);
    expect(order.status).toBe("open");
    expect((await client.fetchOpenOrder(order.id!, "ETH/USDT:USDT")).status).toBe("open");
    expect((await client.fetchOpenOrders("ETH/USDT:USDT")).length).toBe(1);
    expect((await client.cancelOrder(order.id!, "ETH/USDT:USDT")).status).toBe("canceled");
    expect((await client.fetchOrder(order.id!, "ETH/USDT:USDT")).status).toBe("canceled");
  });

  it("answers the key permission query", async () => {
    const restrictions = await client.sapiGetAccountApiRestrictions();
    expect(restrictions).toMatchObject({ enableReading: true, enableSpotAndMarginTrading: true, enableFutures: true, enableWithdrawals: false, ipRestrict: false });
    const limited = await createSimAccount(sim.url, { exchange: "binance", permissions: { futures: false, withdraw: true }, ipRestricted: true });
    const other = await binanceClient(sim.url, limited).sapiGetAccountApiRestrictions();
    expect(other).toMatchObject({ enableFutures: false, enableWithdrawals: true, ipRestrict: true });
  });

  it("records every order in the ledger with the key that signed it", async () => {
    const second = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: "1000" } });
    const otherClient = binanceClient(sim.url, second);
    const a = await client.createOrder("SOL/USDT", "market", "buy", 1);
    const b = await otherClient.createOrder("SOL/USDT", "market", "buy", 1);
    const rows = await ledger(sim.url, "?exchange=binance");
    expect(rows.find((r) => r.id === a.id)).toMatchObject({ apiKey: acct.apiKey, accountId: acct.accountId, symbol: "SOL/USDT", side: "buy", status: "closed" });
    expect(rows.find((r) => r.id === b.id)).toMatchObject({ apiKey: second.apiKey, accountId: second.accountId });
    expect((await ledger(sim.url, `?apiKey=${second.apiKey}`)).map((r) => r.id)).toEqual([b.id]);
  });
});
