/**
 * The engine on the embedded database, as `npm run dev` runs it with no DATABASE_URL: PGlite, the
 * in-process queue, and Database.sql being the Prisma client (no pg pool). One alert goes from the
 * webhook to a filled order on the subscriber's own simulator account, its fill booked in the
 * position ledger and its audit row written: the raw SQL of the hot path (claim, results, the
 * fan-out's page) reads and writes the same values on both paths.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPgliteDatabase, type Database } from "~/server/db";
import { applyMigrations } from "~/server/db/apply-migrations";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { inProcessSink, makeTasks } from "~/server/engine/runtime";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { InProcessQueue } from "~/server/jobs/in-process-queue";
import { receiveSignal } from "~/server/signals/receive-signal";
import { makeStrategy, makeSubscriber, waitFor } from "~/server/test/engine-fixtures";
import { createKeyring } from "~/server/vault/keyring";
import { ledger, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";

let db: Database;
let sim: Simulator;
beforeAll(async () => {
  db = createPgliteDatabase(undefined);
  await applyMigrations(db);
  sim = await startSimulator({ port: 0 });
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await db?.close();
});

it("an alert on the embedded database: each subscriber's order filled on their own account, booked and audited", async () => {
  expect(db.sql).toBe(db.prisma); // the embedded path: no pg pool
  const keyring = createKeyring({ primary: crypto.randomBytes(32) });
  const queue = new InProcessQueue(4);
  const deps: EngineDeps = { db: db.prisma, sql: db.sql, adapter: new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 5_000 })), jobs: inProcessSink(queue) };
  queue.start(makeTasks(deps));
  const strategy = await makeStrategy(db.prisma);
  const subs = [
    await makeSubscriber(db.prisma, keyring, sim.url, strategy.id, { exchange: "BINANCE", tier: "PRO" }),
    await makeSubscriber(db.prisma, keyring, sim.url, strategy.id, { exchange: "BYBIT", tier: "FLEX", sizing: 80 }),
  ];
  const r = await receiveSignal(deps, { pathToken: strategy.webhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000 }), ip: null });
  expect(r.status).toBe(202);
  const signalId = String(r.body.signalId);
  await waitFor(async () => (await db.prisma.signal.findUnique({ where: { id: signalId } }))?.status === "DONE", 30_000);

  const signal = await db.prisma.signal.findUniqueOrThrow({ where: { id: signalId } });
  expect(signal.decidedAt).not.toBeNull();
  const execs = await db.prisma.execution.findMany({ where: { signalId }, orderBy: { priority: "asc" } });
  expect(execs.map((e) => [e.userId, e.status])).toEqual(subs.map((s) => [s.userId, "FILLED"]));
  // sized by each subscription (50 and 80 USDT at 50,000): exact decimals end to end
  expect(execs.map((e) => e.amount?.toString())).toEqual(["0.001", "0.0016"]);
  const orders = await ledger(sim.url);
  for (const [i, e] of execs.entries()) expect(orders.filter((o) => o.clientOrderId === e.clientOrderId).map((o) => o.apiKey)).toEqual([subs[i]!.apiKey]);
  // booked as held: the amount less a fee the exchange took in the base asset
  const fills = await db.prisma.fill.findMany({ where: { executionId: { in: execs.map((e) => e.id) } }, orderBy: { amount: "asc" } });
  const held = fills.map((f) => (f.feeCurrency === "BTC" ? f.amount.minus(f.fee ?? 0) : f.amount).toString());
  const positions = await db.prisma.position.findMany({ where: { strategyId: strategy.id }, orderBy: { size: "asc" } });
  expect(fills.map((f) => f.amount.toString())).toEqual(["0.001", "0.0016"]);
  expect(positions.map((p) => [p.side, p.size.toString()])).toEqual(held.map((h) => ["LONG", h]));
  expect(await db.prisma.auditLog.count({ where: { action: "order.place", targetId: { in: execs.map((e) => e.id) } } })).toBe(2);
}, 60_000);
