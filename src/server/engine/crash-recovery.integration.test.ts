/**
 * kill -9 of worker processes during a 500-subscriber fan-out, then a restart: every execution
 * ends terminal, the simulator's ledger shows exactly one order per execution (zero duplicates,
 * zero missing), and every order has exactly one `order.place` audit row; the chain verifies.
 *
 * Most kills land exactly between the exchange's answer and the result write: the test holds the
 * audit chain's lock, so results (written with their audit rows) wait inside PostgreSQL while
 * orders keep being answered; then the worker dies. PostgreSQL notices the dead client
 * (client_connection_check_interval) and aborts its waiting statements, as it would for a
 * crashed machine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { verifyAuditChain } from "~/server/audit/audit-query";
import { ES, UNRESOLVED } from "~/server/engine/execution-state";
import { dec } from "~/server/money/decimal";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { waitFor } from "~/server/test/engine-fixtures";
import { graphileSink } from "~/server/engine/runtime";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { receiveSignal } from "~/server/signals/receive-signal";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import { createKeyring } from "~/server/vault/keyring";
import { seal } from "~/server/vault/secret-box";
import { createSimAccount, ledger, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";

const N = 500;
let t: TestDatabase;
let sim: Simulator;
const key = crypto.randomBytes(32);
const keyring = createKeyring({ primary: key });
const children = new Set<ChildProcess>();

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  // A dead worker's statements still waiting on a lock are aborted (as for a crashed machine), not finished after it died.
  await t.database.raw.query(`ALTER DATABASE "${t.name}" SET client_connection_check_interval = '50ms'`);
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
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
      EXCHANGE_RECV_WINDOW_MS: "1500", // reclaims wait lease + window + 1 s: short, so the test is too
      WORKER_LEASE_SECONDS: "2",
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
    process.kill(-child.pid!, "SIGKILL"); // the whole group: npx, tsx and node
  } catch {}
  children.delete(child);
}

it(`kill -9 during a ${N}-subscriber fan-out loses nothing and duplicates nothing`, async () => {
  const db = t.database.prisma;
  const strategy = await insertStrategy(db, { name: "crash", allowedSymbols: ["BTC/USDT"] });
  const accounts = [];
  for (let i = 0; i < N; i += 50) {
    accounts.push(...(await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, j) => createSimAccount(sim.url, { exchange: (i + j) % 2 ? "binance" : "bybit", balances: { USDT: "100000" } })))));
  }
  const users = accounts.map((a, i) => ({ id: `crash_u${i}`, email: `crash${i}@example.com`, name: "c", passwordHash: "x", tier: (["PRO", "FLEX", "TRIAL"] as const)[i % 3], trialEndsAt: new Date(Date.now() + 86_400_000), tradingMode: "PERSONAL" as const }));
  await db.user.createMany({ data: users });
  await db.exchangeCredential.createMany({
    data: accounts.map((a, i) => {
      const exchange = i % 2 ? "BINANCE" : "BYBIT";
      return {
        id: `crash_c${i}`, userId: `crash_u${i}`, exchange, environment: "LIVE", apiKey: a.apiKey, keyId: keyring.primaryId, status: "ACTIVE", canRead: true, canTrade: true,
        sealedSecret: seal(keyring, a.secret, { userId: `crash_u${i}`, exchange, environment: "LIVE", apiKey: a.apiKey }),
      } as const;
    }),
  });
  await db.subscription.createMany({ data: accounts.map((_, i) => ({ userId: `crash_u${i}`, strategyId: strategy.id, credentialId: `crash_c${i}`, sizingMode: "FIXED_QUOTE", sizingValue: 20 })) });
  // Slow the exchange down so kills land mid-flight.
  await simPost(sim.url, "/__sim/faults", { latencyMs: 25 });

  const deps: EngineDeps = { db, sql: t.database.sql, adapter: new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url })), jobs: graphileSink() };
  const r = await receiveSignal({ db, sql: deps.sql, jobs: deps.jobs }, { pathToken: strategy.webhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000 }), ip: null });
  expect(r.status).toBe(202);
  const signalId = String(r.body.signalId);
  const done = () => db.execution.count({ where: { signalId, status: { notIn: [...UNRESOLVED] } } });
  const onExchange = async () => (await ledger(sim.url)).filter((o) => o.clientOrderId?.startsWith("kr-x")).length;
  const chainLock = new pg.Client({ connectionString: t.url });
  await chainLock.connect();
  const waitingOnChain = async () =>
    Number((await chainLock.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`)).rows[0].n);

  // Four workers die: three with answered orders waiting for their result write (at random
  // progress points and random delays), one at a random moment; a fifth finishes.
  let answeredNotWritten = 0;
  const plan = [0.05, 0.25, 0.45, 0.65].map((base, i) => ({ fraction: base + Math.random() * 0.15, betweenAnswerAndWrite: i < 3 }));
  for (const { fraction, betweenAnswerAndWrite } of plan) {
    const w = startWorker();
    await waitFor(async () => (await done()) >= Math.floor(N * fraction), 90_000, 20);
    if (betweenAnswerAndWrite) {
      await chainLock.query("SELECT pg_advisory_lock(727001)"); // the audit chain's lock: result writes now wait
      const writtenAtLock = await done();
      await waitFor(async () => (await onExchange()) >= writtenAtLock + 3, 30_000, 10);
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      answeredNotWritten += (await onExchange()) - (await done());
      kill9(w);
      await waitFor(async () => (await waitingOnChain()) === 0, 30_000, 20); // PostgreSQL aborted the dead worker's writes
      await chainLock.query("SELECT pg_advisory_unlock(727001)");
    } else {
      await new Promise((r) => setTimeout(r, Math.random() * 200));
      kill9(w);
    }
  }
  await chainLock.end();
  const submittingAtKill = await db.execution.count({ where: { signalId, status: ES.SUBMITTING } });
  startWorker();
  await waitFor(async () => (await db.signal.findUnique({ where: { id: signalId } }))?.status === "DONE", 120_000, 200);

  const execs = await db.execution.findMany({ where: { signalId } });
  expect(execs).toHaveLength(N);
  expect(execs.filter((e) => e.status !== ES.FILLED).map((e) => `${e.status}: ${e.message}`)).toEqual([]);
  const orders = (await ledger(sim.url)).filter((o) => o.clientOrderId?.startsWith("kr-x"));
  const byClientId = new Map<string, number>();
  for (const o of orders) byClientId.set(o.clientOrderId!, (byClientId.get(o.clientOrderId!) ?? 0) + 1);
  const duplicates = [...byClientId.values()].filter((n) => n > 1).length;
  const missing = execs.filter((e) => !byClientId.has(e.clientOrderId)).length;
  expect({ duplicates, missing, orders: orders.length }).toEqual({ duplicates: 0, missing: 0, orders: N });
  // The kills really interrupted work in flight, and orders the exchange had answered (otherwise this test proves little).
  expect(execs.some((e) => e.attempts > 1) || submittingAtKill > 0).toBe(true);
  expect(answeredNotWritten).toBeGreaterThan(0);
  // Exactly one order.place audit row per execution, and the chain holds.
  const audits = await db.auditLog.findMany({ where: { action: "order.place", targetId: { in: execs.map((e) => e.id) } }, select: { targetId: true } });
  const auditsPer = new Map<string, number>();
  for (const a of audits) auditsPer.set(a.targetId!, (auditsPer.get(a.targetId!) ?? 0) + 1);
  expect({ withoutAudit: execs.filter((e) => !auditsPer.has(e.id)).length, withSeveral: [...auditsPer.values()].filter((n) => n > 1).length }).toEqual({ withoutAudit: 0, withSeveral: 0 });
  const chain = await verifyAuditChain(t.database.raw);
  expect(chain.ok).toBe(true);
  // The position ledger equals the sum of its fills: one fill per execution, each position the fills' net amount.
  const fills = await db.fill.findMany({ where: { executionId: { in: execs.map((e) => e.id) } } });
  expect(fills).toHaveLength(N);
  const positions = await db.position.findMany({ where: { userId: { in: users.map((u) => u.id) } } });
  expect(positions).toHaveLength(N);
  const netOf = (f: (typeof fills)[number]) => dec(f.amount.toString()).minus(f.feeCurrency === "BTC" ? (f.fee?.toString() ?? "0") : "0");
  const mismatched = positions.filter((p) => {
    const mine = fills.filter((f) => f.positionId === p.id);
    return mine.length !== 1 || !dec(p.size.toString()).eq(netOf(mine[0]!));
  });
  expect(mismatched.map((p) => p.id)).toEqual([]);
  // Each order was signed by its owner's key.
  const keyOf = new Map(accounts.map((a, i) => [`crash_u${i}`, a.apiKey]));
  const apiKeyByClientId = new Map(orders.map((o) => [o.clientOrderId!, o.apiKey]));
  expect(execs.every((e) => apiKeyByClientId.get(e.clientOrderId) === keyOf.get(e.userId))).toBe(true);
}, 240_000);
