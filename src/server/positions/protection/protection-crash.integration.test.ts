/**
 * kill -9 of the worker between entry fills and their protective orders, then a restart: every
 * position ends with its stop-loss and take-profit on the exchange exactly once (no duplicate, none
 * missing), each known to KeyRelay by its client order id.
 *
 * The first kill lands between the exchange's answer to a protective order and its write: the test
 * holds the audit chain's lock, which that write takes, so placed orders wait inside PostgreSQL
 * while others keep being answered; then the worker dies (PostgreSQL aborts its waiting statements).
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { graphileSink } from "~/server/engine/runtime";
import { receiveSignal } from "~/server/signals/receive-signal";
import { makeStrategy, makeSubscriber, waitFor } from "~/server/test/engine-fixtures";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createKeyring } from "~/server/vault/keyring";
import { ledger, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";

const N = 30;
const PERP = "BTC/USDT:USDT";
let t: TestDatabase;
let sim: Simulator;
const key = crypto.randomBytes(32);
const keyring = createKeyring({ primary: key });
const children = new Set<ChildProcess>();

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  await t.database.raw.query(`ALTER DATABASE "${t.name}" SET client_connection_check_interval = '50ms'`);
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: PERP, price: "50000" });
});
afterAll(async () => {
  for (const c of [...children]) kill9(c);
  await new Promise((r) => setTimeout(r, 300));
  await sim.close();
  await t.drop();
});

function startWorker(): ChildProcess {
  const child = spawn("npx", ["tsx", "scripts/worker.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: t.url,
      EXCHANGE_SIMULATOR_URL: sim.url,
      ENCRYPTION_KEY: key.toString("hex"),
      NEXTAUTH_SECRET: "x".repeat(40),
      WORKER_CONCURRENCY: "6",
      EXECUTION_LEASE_MS: "3000",
      EXCHANGE_RECV_WINDOW_MS: "1500",
      WORKER_LEASE_SECONDS: "2",
      PROTECTION_WATCH_MS: "1000",
      LOG_LEVEL: "error",
    },
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  return child;
}

function kill9(child: ChildProcess) {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {}
  children.delete(child);
}

it(`kill -9 between ${N} entries and their protective orders: after a restart each position has its stop-loss and take-profit exactly once`, async () => {
  const db = t.database.prisma;
  const strategy = await makeStrategy(db, { marketType: "LINEAR", allowedSymbols: [PERP], protection: { defaults: { stopLossPct: "2", takeProfits: [{ pct: "2", sharePct: "100" }] } } });
  const subs = [];
  for (let i = 0; i < N; i++) subs.push(await makeSubscriber(db, keyring, sim.url, strategy.id, { exchange: i % 2 ? "BINANCE" : "BYBIT", sizing: 1000 }));
  await simPost(sim.url, "/__sim/faults", { latencyMs: 25 });
  const protective = async () => (await ledger(sim.url)).filter((o) => o.clientOrderId?.startsWith("kp"));
  const openRows = () => db.protectiveOrder.count({ where: { status: "OPEN" } });

  const chainLock = new pg.Client({ connectionString: t.url });
  await chainLock.connect();
  const w1 = startWorker();
  const r = await receiveSignal({ db, sql: t.database.sql, jobs: graphileSink() }, {
    pathToken: strategy.webhookToken, contentType: "application/json", ip: null,
    body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", marketPosition: "long", prevMarketPosition: "flat", marketPositionSize: "1", prevMarketPositionSize: "0", price: 50000 }),
  });
  expect(r.status).toBe(202);
  await waitFor(async () => (await protective()).length >= 6, 90_000, 20);
  await chainLock.query("SELECT pg_advisory_lock(727001)"); // placements now wait to be written, after the exchange answered
  const writtenAtLock = await openRows();
  await waitFor(async () => (await protective()).length >= writtenAtLock + 3, 30_000, 10);
  const answeredNotWritten = (await protective()).length - (await openRows());
  kill9(w1);
  await waitFor(async () => Number((await chainLock.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`)).rows[0].n) === 0, 30_000, 20);
  await chainLock.query("SELECT pg_advisory_unlock(727001)");
  await chainLock.end();
  // A second worker dies at a random moment of its own work.
  const w2 = startWorker();
  await new Promise((res) => setTimeout(res, 1500 + Math.random() * 1500));
  kill9(w2);
  startWorker();

  const done = async () => (await db.protectiveOrder.count({ where: { status: "OPEN" } })) === 2 * N && (await db.protectiveOrder.count({ where: { status: "PENDING" } })) === 0;
  await waitFor(done, 120_000, 250);
  expect(answeredNotWritten).toBeGreaterThan(0); // the kill really left answered orders unwritten

  const rows = await db.protectiveOrder.findMany({ where: { status: "OPEN" } });
  const waiting = (await protective()).filter((o) => o.trigger && ["NEW", "TRIGGERED"].includes(String(o.trigger.status)));
  // Exactly one stop-loss and one take-profit per position on the exchange, each one a row KeyRelay knows.
  const perKey = new Map<string, string[]>();
  for (const o of waiting) perKey.set(o.apiKey, [...(perKey.get(o.apiKey) ?? []), String(o.trigger?.price)].sort());
  expect([...perKey.values()].filter((levels) => levels.join() !== "49000,51000")).toEqual([]);
  expect(perKey.size).toBe(N);
  expect(new Set(waiting.map((o) => o.clientOrderId))).toEqual(new Set(rows.map((r) => r.clientOrderId)));
  // Orders that never reached the exchange were given up (FAILED) and placed again, never twice.
  const positions = await db.position.findMany({ where: { strategyId: strategy.id } });
  expect(positions.filter((p) => p.side !== "LONG" || p.unprotectedAt !== null)).toEqual([]);
  expect(subs.every((s) => perKey.has(s.apiKey))).toBe(true);
}, 240_000);
