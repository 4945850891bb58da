/**
 * EXCHANGE_MAX_CONNECTIONS: a burst of orders on many keys shares a bounded set of keep-alive
 * connections to the exchange instead of opening one each, and every order still arrives once,
 * signed by its own key. Counted by a TCP relay in front of the simulator (a real local server).
 */
import crypto from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients, type CredentialRef } from "~/server/exchanges/exchange-clients";
import type { ExchangeName } from "~/server/exchanges/profiles";
import { createKeyring } from "~/server/vault/keyring";
import { seal } from "~/server/vault/secret-box";
import { createSimAccount, ledger, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";

let sim: Simulator;
let relay: net.Server;
let relayUrl = "";
let opened = 0;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
  relay = net.createServer((client) => {
    opened++;
    const upstream = net.connect(sim.port, "127.0.0.1");
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", () => r()));
  relayUrl = `http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  relay.close();
  await sim.close();
});

async function burst(maxConnections: number, keys: number) {
  const clients = new ExchangeClients({ keyring, simulatorUrl: relayUrl, maxConnections, timeoutMs: 10_000 });
  const adapter = new ExchangeAdapter(clients);
  const accounts = await Promise.all(
    Array.from({ length: keys }, async (_, i) => {
      const exchange: ExchangeName = i % 2 ? "BINANCE" : "BYBIT";
      const a = await createSimAccount(sim.url, { exchange: exchange === "BINANCE" ? "binance" : "bybit", balances: { USDT: "100000" } });
      const userId = `u_${crypto.randomBytes(4).toString("hex")}`;
      const cred: CredentialRef = { id: `c_${userId}`, userId, exchange, environment: "LIVE", apiKey: a.apiKey, sealedSecret: seal(keyring, a.secret, { userId, exchange, environment: "LIVE", apiKey: a.apiKey }) };
      return { apiKey: a.apiKey, cred };
    }),
  );
  await Promise.all([adapter.clients.publicClient("BINANCE", "LIVE"), adapter.clients.publicClient("BYBIT", "LIVE")]); // markets loaded before counting
  const before = opened;
  const tag = crypto.randomBytes(3).toString("hex");
  await Promise.all(accounts.map((a, i) => adapter.createOrder(a.cred, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.001", clientOrderId: `kr-${tag}-${i}` })));
  const sockets = opened - before;
  const orders = (await ledger(sim.url)).filter((o) => o.clientOrderId?.startsWith(`kr-${tag}-`));
  const wrongKey = orders.filter((o) => o.apiKey !== accounts[Number(o.clientOrderId!.split("-")[2])]!.apiKey);
  return { sockets, orders: orders.length, wrongKey: wrongKey.length };
}

it("60 concurrent orders on 60 keys over at most 4 connections: each placed once, by its own key", async () => {
  // one host in the simulator for both exchanges: one pool of at most 4 sockets
  expect(await burst(4, 60)).toEqual({ sockets: expect.toSatisfy((n: number) => n >= 1 && n <= 4), orders: 60, wrongKey: 0 });
}, 30_000);

it("with the cap raised, the same burst opens more than 4 (the cap is what held it)", async () => {
  const r = await burst(256, 60);
  expect([r.orders, r.wrongKey]).toEqual([60, 0]);
  expect(r.sockets).toBeGreaterThan(4);
}, 30_000);
