/**
 * Protective orders through the adapter against the simulator, ccxt unmodified, both exchanges:
 * placed with our client order id, read back by id and by client id, fired by the price (filled,
 * with the fill's price and fee), cancelled, and unknown ids answered as "none".
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSimAccount, ledger, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients, type CredentialRef } from "~/server/exchanges/exchange-clients";
import type { ExchangeName } from "~/server/exchanges/profiles";
import { createKeyring } from "~/server/vault/keyring";
import { seal } from "~/server/vault/secret-box";

let sim: Simulator;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });
let adapter: ExchangeAdapter;
const PERP = "BTC/USDT:USDT";

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  adapter = new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 3_000 }));
});
afterAll(() => sim.close());

async function account(exchange: ExchangeName, spec: Record<string, unknown> = {}): Promise<{ apiKey: string; cred: CredentialRef }> {
  const a = await createSimAccount(sim.url, { exchange: exchange.toLowerCase() as "binance", balances: { USDT: "100000" }, ...spec });
  const userId = `user_${a.apiKey.slice(0, 6)}`;
  const aad = { userId, exchange, environment: "LIVE", apiKey: a.apiKey };
  return { apiKey: a.apiKey, cred: { id: `cred_${a.apiKey.slice(0, 8)}`, userId, exchange, environment: "LIVE", apiKey: a.apiKey, sealedSecret: seal(keyring, a.secret, aad) } };
}
const cid = (p: string) => `kp-${p}-${crypto.randomBytes(6).toString("hex")}`;

describe.each(["BINANCE", "BYBIT"] as const)("%s protective orders", (exchange) => {
  const price = (p: string) => simPost(sim.url, "/__sim/prices", { exchange: exchange.toLowerCase(), symbol: PERP, price: p });
  beforeEach(() => price("50000"));

  it("a stop-loss and a take-profit: placed reduce-only with our client id, read by id and client id, the TP fills on a rise, the SL is cancelled", async () => {
    const { apiKey, cred } = await account(exchange);
    await adapter.createOrder(cred, { symbol: PERP, side: "buy", type: "market", amount: "0.02", clientOrderId: cid("entry") });
    const slId = cid("sl");
    const tpId = cid("tp");
    const sl = await adapter.createProtective(cred, { symbol: PERP, side: "sell", kind: "STOP_LOSS", amount: "0.02", triggerPrice: "48000", clientOrderId: slId });
    const tp = await adapter.createProtective(cred, { symbol: PERP, side: "sell", kind: "TAKE_PROFIT", amount: "0.01", triggerPrice: "52000", clientOrderId: tpId });
    expect(await adapter.fetchProtective(cred, PERP, { id: sl.id, clientOrderId: slId })).toMatchObject({ id: sl.id, status: "open" });
    expect(await adapter.fetchProtective(cred, PERP, { clientOrderId: tpId })).toMatchObject({ id: tp.id, status: "open" });
    expect(await adapter.fetchProtective(cred, PERP, { clientOrderId: cid("never") })).toBeNull();

    await price("52500");
    const fired = await adapter.fetchProtective(cred, PERP, { id: tp.id, clientOrderId: tpId });
    expect(fired).toMatchObject({ status: "filled", filled: "0.01", average: "52500" });
    expect(fired?.fee?.currency).toBe("USDT");
    expect(Number(fired?.fee?.cost)).toBeGreaterThan(0);

    await adapter.cancelProtective(cred, PERP, sl.id);
    expect(await adapter.fetchProtective(cred, PERP, { id: sl.id, clientOrderId: slId })).toMatchObject({ status: "canceled" });
    const rows = await ledger(sim.url, `?apiKey=${apiKey}`);
    expect(rows.map((r) => [r.clientOrderId, r.reduceOnly, r.trigger?.status ?? null])).toEqual([
      [expect.stringContaining("kp-entry"), false, null],
      [slId, true, "CANCELED"],
      [tpId, true, "FILLED"],
    ]);
  });

  it("a short's stop-loss is a buy above the price and fires on a rise", async () => {
    const { cred } = await account(exchange);
    await adapter.createOrder(cred, { symbol: PERP, side: "sell", type: "market", amount: "0.01", clientOrderId: cid("entry") });
    const slId = cid("sl");
    const sl = await adapter.createProtective(cred, { symbol: PERP, side: "buy", kind: "STOP_LOSS", amount: "0.01", triggerPrice: "51000", clientOrderId: slId });
    await price("51200");
    expect(await adapter.fetchProtective(cred, PERP, { id: sl.id, clientOrderId: slId })).toMatchObject({ status: "filled", filled: "0.01", average: "51200" });
    expect(await adapter.fetchPositions(cred, [PERP])).toEqual([]);
  });

  it("hedge mode: the stop-loss closes the long side only", async () => {
    const { cred } = await account(exchange, { hedgeMode: true });
    await adapter.createOrder(cred, { symbol: PERP, side: "buy", type: "market", amount: "0.01", clientOrderId: cid("long"), hedgeSide: "long" });
    await adapter.createOrder(cred, { symbol: PERP, side: "sell", type: "market", amount: "0.02", clientOrderId: cid("short"), hedgeSide: "short" });
    const slId = cid("sl");
    const sl = await adapter.createProtective(cred, { symbol: PERP, side: "sell", kind: "STOP_LOSS", amount: "0.01", triggerPrice: "49000", clientOrderId: slId, hedgeSide: "long" });
    await price("48900");
    expect(await adapter.fetchProtective(cred, PERP, { id: sl.id, clientOrderId: slId })).toMatchObject({ status: "filled", filled: "0.01" });
    expect((await adapter.fetchPositions(cred, [PERP])).map((p) => [p.side, p.contracts])).toEqual([["short", "0.02"]]);
  });
});

describe("BINANCE trailing stop", () => {
  it("follows the price up and fires on the way down by the callback", async () => {
    const price = (p: string) => simPost(sim.url, "/__sim/prices", { exchange: "binance", symbol: PERP, price: p });
    await price("50000");
    const { cred } = await account("BINANCE");
    await adapter.createOrder(cred, { symbol: PERP, side: "buy", type: "market", amount: "0.01", clientOrderId: cid("entry") });
    const id = cid("trail");
    const t = await adapter.createProtective(cred, { symbol: PERP, side: "sell", kind: "TRAILING_STOP", amount: "0.01", callbackPct: "1", clientOrderId: id });
    await price("55000");
    await price("54600"); // 0.7 % off the high: still open
    expect(await adapter.fetchProtective(cred, PERP, { id: t.id, clientOrderId: id })).toMatchObject({ status: "open" });
    await price("54400"); // 1.1 % off the high
    expect(await adapter.fetchProtective(cred, PERP, { id: t.id, clientOrderId: id })).toMatchObject({ status: "filled", filled: "0.01", average: "54400" });
  });
});
