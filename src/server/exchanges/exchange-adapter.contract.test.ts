/**
 * One contract both exchange adapters must pass, run against the local simulator with ccxt
 * unmodified: balances, market + limit orders on spot and linear, client order ids, fetch /
 * cancel, positions, leverage, permissions, and every error kind.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSimAccount, ledger, simDelete, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients, type CredentialRef } from "~/server/exchanges/exchange-clients";
import { ExchangeError } from "~/server/exchanges/map-error";
import type { ExchangeName } from "~/server/exchanges/profiles";
import { dec } from "~/server/money/decimal";
import { createKeyring } from "~/server/vault/keyring";
import { seal } from "~/server/vault/secret-box";

let sim: Simulator;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });
const authFailures: string[] = [];
let adapter: ExchangeAdapter;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  adapter = new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 3_000 }), {
    onAuthFailure: (cred) => void authFailures.push(cred.id),
  });
});
afterAll(async () => {
  await sim.close();
});

let seq = 0;
function credFor(exchange: ExchangeName, apiKey: string, secret: string, userId = `user_${++seq}`): CredentialRef {
  const aad = { userId, exchange, environment: "LIVE", apiKey };
  return { id: `cred_${seq}_${apiKey.slice(0, 6)}`, userId, exchange, environment: "LIVE", apiKey, sealedSecret: seal(keyring, secret, aad) };
}

async function account(exchange: ExchangeName, spec: Record<string, unknown> = {}) {
  const a = await createSimAccount(sim.url, { exchange: exchange.toLowerCase() as "binance", balances: { USDT: "100000", BTC: "1" }, ...spec });
  return { ...a, cred: credFor(exchange, a.apiKey, a.secret) };
}

async function failure(p: Promise<unknown>): Promise<ExchangeError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ExchangeError);
    return e as ExchangeError;
  }
  throw new Error("expected an ExchangeError");
}

const cid = () => `kr-${crypto.randomBytes(8).toString("hex")}`;

describe.each(["BINANCE", "BYBIT"] as const)("%s adapter contract", (exchange) => {
  beforeEach(async () => {
    await simDelete(sim.url, "/__sim/faults");
    await simPost(sim.url, "/__sim/prices", { exchange: exchange.toLowerCase(), symbol: "BTC/USDT", price: "50000" });
  });

  it("reads balances (spot and linear)", async () => {
    const a = await account(exchange);
    const spot = await adapter.fetchBalance(a.cred);
    expect(spot.free.USDT).toBe("100000");
    expect(spot.total.BTC).toBe("1");
    const linear = await adapter.fetchBalance(a.cred, "linear");
    expect(dec(linear.total.USDT ?? "0").gt(0)).toBe(true);
  });

  it("places a spot market order with our client order id, and finds it by that id", async () => {
    const a = await account(exchange);
    const id = cid();
    const placed = await adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.01", clientOrderId: id });
    expect(placed.clientOrderId).toBe(id);
    const found = await adapter.findOrderByClientId(a.cred, "BTC/USDT", id);
    expect(found).toMatchObject({ id: placed.id, clientOrderId: id, status: "closed", amount: "0.01", filled: "0.01" });
    expect(found!.average).toBe("50000");
    const rows = await ledger(sim.url, `?clientOrderId=${id}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.apiKey).toBe(a.apiKey);
  });

  it("reads market limits and prices as decimal strings", async () => {
    const spotStep = exchange === "BINANCE" ? "0.00001" : "0.000001";
    expect(await adapter.marketInfo(exchange, "BTC/USDT")).toEqual({
      amountStep: spotStep,
      minAmount: exchange === "BINANCE" ? "0.00001" : "0.000048",
      minNotional: exchange === "BINANCE" ? "5" : "1",
      priceStep: "0.01",
      marketType: "spot",
    });
    expect(await adapter.marketInfo(exchange, "BTC/USDT:USDT")).toMatchObject({ amountStep: "0.001", minAmount: "0.001", priceStep: "0.1", marketType: "linear" });
    expect(await adapter.marketInfo(exchange, "NOPE/USDT")).toBeNull();
    expect(await adapter.fetchPrice(exchange, "BTC/USDT")).toBe("50000");
  });

  it("sends an amount exactly, and refuses one ccxt would change instead of sending it", async () => {
    const a = await account(exchange);
    const id = cid();
    const placed = await adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.01234", clientOrderId: id });
    expect(placed.clientOrderId).toBe(id);
    expect(await adapter.findOrderByClientId(a.cred, "BTC/USDT", id)).toMatchObject({ amount: "0.01234", filled: "0.01234", average: "50000" });
    expect((await ledger(sim.url, `?clientOrderId=${id}`)).map((o) => dec(o.amount).toFixed())).toEqual(["0.01234"]);

    const refused = [
      { amount: "0.12345678901234567" }, // 17 significant digits: a float would send 0.12345678901234566
      { amount: "0.0100001" }, // off the step: ccxt would truncate it to 0.01 without a word
      { amount: "abc" },
      { amount: "0" },
      { amount: "0.01", type: "limit" as const, price: "40000.000000000001" },
    ];
    for (const fields of refused) {
      const refusedId = cid();
      const e = await failure(adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "market", clientOrderId: refusedId, ...fields }));
      expect(e.kind).toBe("INVALID_ORDER");
      expect(await ledger(sim.url, `?clientOrderId=${refusedId}`)).toEqual([]);
    }
  });

  it("rests a limit order, fetches it and cancels it", async () => {
    const a = await account(exchange);
    const id = cid();
    const placed = await adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "limit", amount: "0.01", price: "40000", clientOrderId: id });
    const open = await adapter.findOrderByClientId(a.cred, "BTC/USDT", id);
    expect(open?.status).toBe("open");
    expect((await adapter.fetchOrder(a.cred, "BTC/USDT", placed.id)).status).toBe("open");
    await adapter.cancelOrder(a.cred, "BTC/USDT", placed.id);
    expect((await adapter.findOrderByClientId(a.cred, "BTC/USDT", id))?.status).toBe("canceled");
  });

  it("trades linear perpetuals: leverage, position, reduce-only close", async () => {
    const a = await account(exchange);
    await adapter.setLeverage(a.cred, "BTC/USDT:USDT", 5);
    await adapter.setLeverage(a.cred, "BTC/USDT:USDT", 5); // "not modified" counts as success
    await adapter.createOrder(a.cred, { symbol: "BTC/USDT:USDT", side: "buy", type: "market", amount: "0.02", clientOrderId: cid() });
    const positions = await adapter.fetchPositions(a.cred, ["BTC/USDT:USDT"]);
    expect(positions).toEqual([expect.objectContaining({ symbol: "BTC/USDT:USDT", side: "long", contracts: "0.02", entryPrice: "50000" })]);
    await adapter.createOrder(a.cred, { symbol: "BTC/USDT:USDT", side: "sell", type: "market", amount: "0.02", clientOrderId: cid(), reduceOnly: true });
    expect(await adapter.fetchPositions(a.cred, ["BTC/USDT:USDT"])).toEqual([]);
    const err = await failure(
      adapter.createOrder(a.cred, { symbol: "BTC/USDT:USDT", side: "sell", type: "market", amount: "0.01", clientOrderId: cid(), reduceOnly: true }),
    );
    expect(err.kind).toBe("INVALID_ORDER");
  });

  it("reads the key's permissions", async () => {
    const a = await account(exchange);
    expect(await adapter.fetchPermissions(a.cred)).toEqual({ read: true, trade: true, futures: true, withdraw: false, ipRestricted: false });
    const w = await account(exchange, { permissions: { read: true, spotTrade: true, futures: false, withdraw: true }, ipRestricted: true });
    expect(await adapter.fetchPermissions(w.cred)).toEqual({ read: true, trade: true, futures: false, withdraw: true, ipRestricted: true });
    const ro = await account(exchange, { permissions: { read: true, spotTrade: false, futures: false, withdraw: false } });
    expect(await adapter.fetchPermissions(ro.cred)).toMatchObject({ trade: false, futures: false });
  });

  it("maps AUTH (unknown key, wrong secret) and reports it to the auto-disable hook", async () => {
    const a = await account(exchange);
    const unknown = credFor(exchange, a.apiKey.replace(/.$/, (c) => (c === "A" ? "B" : "A")), a.secret);
    expect((await failure(adapter.fetchBalance(unknown))).kind).toBe("AUTH");
    const badSecret = credFor(exchange, a.apiKey, a.secret.replace(/.$/, (c) => (c === "A" ? "B" : "A")));
    const e = await failure(adapter.fetchBalance(badSecret));
    expect(e.kind).toBe("AUTH");
    expect(e.message).toMatch(/rejected this API key/);
    expect(authFailures).toEqual(expect.arrayContaining([unknown.id, badSecret.id]));
  });

  it("maps INSUFFICIENT_FUNDS, INVALID_ORDER and NOT_FOUND", async () => {
    const a = await account(exchange, { balances: { USDT: "100" }, futuresBalances: { USDT: "100" } });
    expect((await failure(adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "1", clientOrderId: cid() }))).kind).toBe(
      "INSUFFICIENT_FUNDS",
    );
    expect(
      (await failure(adapter.createOrder(a.cred, { symbol: "BTC/USDT:USDT", side: "buy", type: "market", amount: "1", clientOrderId: cid() }))).kind,
    ).toBe("INSUFFICIENT_FUNDS");
    expect(
      (await failure(adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "limit", amount: "0.00001", price: "40000", clientOrderId: cid() }))).kind,
    ).toBe("INVALID_ORDER");
    expect(await adapter.findOrderByClientId(a.cred, "BTC/USDT", cid())).toBeNull();
    expect((await failure(adapter.fetchOrder(a.cred, "BTC/USDT", "987654321"))).kind).toBe("NOT_FOUND");
  });

  it("maps DUPLICATE_CLIENT_ID with each exchange's real rule", async () => {
    const a = await account(exchange);
    const resting = cid();
    await adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "limit", amount: "0.01", price: "40000", clientOrderId: resting });
    const dup = await failure(adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "limit", amount: "0.01", price: "40000", clientOrderId: resting }));
    expect(dup.kind).toBe("DUPLICATE_CLIENT_ID");
    const filled = cid();
    await adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.01", clientOrderId: filled });
    const again = adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.01", clientOrderId: filled });
    if (exchange === "BINANCE") {
      // Binance spot ids are unique among OPEN orders only: a blind retry of a filled market order fills twice.
      await expect(again).resolves.toBeDefined();
      expect(await ledger(sim.url, `?clientOrderId=${filled}`)).toHaveLength(2);
    } else {
      expect((await failure(again)).kind).toBe("DUPLICATE_CLIENT_ID");
    }
    const fut = cid();
    await adapter.createOrder(a.cred, { symbol: "BTC/USDT:USDT", side: "buy", type: "limit", amount: "0.01", price: "40000", clientOrderId: fut });
    expect((await failure(adapter.createOrder(a.cred, { symbol: "BTC/USDT:USDT", side: "buy", type: "limit", amount: "0.01", price: "40000", clientOrderId: fut }))).kind).toBe(
      "DUPLICATE_CLIENT_ID",
    );
  });

  it("maps RATE_LIMITED, TEMPORARY and UNKNOWN_OUTCOME (accepted, answer lost)", async () => {
    const a = await account(exchange);
    await simPost(sim.url, "/__sim/faults", { apiKey: a.apiKey, status: 429, count: 1 });
    expect((await failure(adapter.fetchBalance(a.cred))).kind).toBe("RATE_LIMITED");
    await simPost(sim.url, "/__sim/faults", { apiKey: a.apiKey, status: 503, count: 1 });
    expect((await failure(adapter.fetchBalance(a.cred))).kind).toBe("TEMPORARY");

    const id = cid();
    await simPost(sim.url, "/__sim/faults", { apiKey: a.apiKey, dropAfterAccept: true, count: 1 });
    const lost = await failure(adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.01", clientOrderId: id }));
    expect(lost.kind).toBe("UNKNOWN_OUTCOME");
    // The order exists: looking it up by client id (never a blind re-send) finds it.
    expect((await adapter.findOrderByClientId(a.cred, "BTC/USDT", id))?.status).toBe("closed");
    expect(await ledger(sim.url, `?clientOrderId=${id}`)).toHaveLength(1);
  });

  it("maps PERMISSION where the exchange distinguishes it", async () => {
    const a = await account(exchange, { permissions: { read: true, spotTrade: false, futures: false, withdraw: false } });
    const e = await failure(adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.01", clientOrderId: cid() }));
    // Binance answers -2015 "Invalid API-key, IP, or permissions" for both cases: it is AUTH there.
    expect(e.kind).toBe(exchange === "BYBIT" ? "PERMISSION" : "AUTH");
  });
});

describe("clients and the simulator ledger", () => {
  it("one client per credential, shared markets, and each order signed by its owner's key", async () => {
    const a = await account("BYBIT");
    const b = await account("BYBIT");
    const ca = await adapter.clients.clientFor(a.cred);
    expect(await adapter.clients.clientFor(a.cred)).toBe(ca);
    const cb = await adapter.clients.clientFor(b.cred);
    expect(cb).not.toBe(ca);
    expect(cb.markets).toBe(ca.markets);
    const [ia, ib] = [cid(), cid()];
    await Promise.all([
      adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.01", clientOrderId: ia }),
      adapter.createOrder(b.cred, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.02", clientOrderId: ib }),
    ]);
    const [la, lb] = [await ledger(sim.url, `?clientOrderId=${ia}`), await ledger(sim.url, `?clientOrderId=${ib}`)];
    expect(la.map((o) => [o.apiKey, o.accountId])).toEqual([[a.apiKey, a.accountId]]);
    expect(lb.map((o) => [o.apiKey, o.accountId])).toEqual([[b.apiKey, b.accountId]]);
  });
});
