/**
 * A halt issued here (as a web process would: the domain function, one transaction) while a
 * 300-subscriber fan-out runs in a SEPARATE worker process (scripts/worker.ts), with the
 * simulator slowing every create down so the fan-out takes seconds: every execution claimed after
 * the halt committed ends SKIPPED with the reason and reaches no exchange; orders of batches
 * claimed before it finish. The time from the halt to the last order written is printed (a
 * measured figure, not asserted).
 *
 * "Claimed after the halt" is observed from outside: the test polls the executions' statuses; an
 * execution still QUEUED in a snapshot taken after the halt's commit was necessarily claimed after
 * it, and the worker reads the active halts after each claim.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { graphileSink } from "~/server/engine/runtime";
import { ES } from "~/server/engine/execution-state";
import { haltTrading } from "~/server/halts/halts";
import { receiveSignal } from "~/server/signals/receive-signal";
import { waitFor } from "~/server/test/engine-fixtures";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createKeyring } from "~/server/vault/keyring";
import { seal } from "~/server/vault/secret-box";
import { createSimAccount, ledger, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";

const N = 300;
const CREATE_LATENCY_MS = 300;
let t: TestDatabase;
let sim: Simulator;
let child: ChildProcess | null = null;
const key = crypto.randomBytes(32);
const keyring = createKeyring({ primary: key });

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
});
afterAll(async () => {
  if (child) {
    try {
      process.kill(-child.pid!, "SIGKILL"); // the whole group: npx, tsx and node
    } catch {}
  }
  await new Promise((r) => setTimeout(r, 300));
  await sim.close();
  await t.drop();
});

function startWorker(): ChildProcess {
  return spawn("npx", ["tsx", "scripts/worker.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: t.url,
      EXCHANGE_SIMULATOR_URL: sim.url,
      ENCRYPTION_KEY: key.toString("hex"),
      NEXTAUTH_SECRET: "x".repeat(40),
      WORKER_CONCURRENCY: "2",
      LOG_LEVEL: "error",
    },
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

it(`a halt issued in another process stops a running ${N}-subscriber fan-out: every execution claimed after it is SKIPPED with the reason`, async () => {
  const db = t.database.prisma;
  const strategy = await insertStrategy(db, { name: "halt-fanout", allowedSymbols: ["BTC/USDT"] });
  const accounts = [];
  for (let i = 0; i < N; i += 50) {
    accounts.push(...(await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, j) => createSimAccount(sim.url, { exchange: (i + j) % 2 ? "binance" : "bybit", balances: { USDT: "100000" } })))));
  }
  await db.user.createMany({ data: accounts.map((_, i) => ({ id: `halt_u${i}`, email: `halt${i}@example.com`, name: "h", passwordHash: "x", tier: "PRO" as const, tradingMode: "PERSONAL" as const })) });
  await db.exchangeCredential.createMany({
    data: accounts.map((a, i) => {
      const exchange = i % 2 ? "BINANCE" : "BYBIT";
      return {
        id: `halt_c${i}`, userId: `halt_u${i}`, exchange, environment: "LIVE", apiKey: a.apiKey, keyId: keyring.primaryId, status: "ACTIVE", canRead: true, canTrade: true,
        sealedSecret: seal(keyring, a.secret, { userId: `halt_u${i}`, exchange, environment: "LIVE", apiKey: a.apiKey }),
      } as const;
    }),
  });
  await db.subscription.createMany({ data: accounts.map((_, i) => ({ userId: `halt_u${i}`, strategyId: strategy.id, credentialId: `halt_c${i}`, sizingMode: "FIXED_QUOTE" as const, sizingValue: 20 })) });
  const adminId = (await db.user.create({ data: { email: "halt-op@example.com", name: "Op", passwordHash: "x", role: "ADMIN" } })).id;

  child = startWorker();
  await waitFor(async () => (await db.workerHeartbeat.count()) > 0, 60_000, 100);
  // Every create answers slowly: the fan-out takes seconds, so the halt lands in the middle of it.
  await simPost(sim.url, "/__sim/faults", { latencyMs: CREATE_LATENCY_MS, paths: ["/api/v3/order", "/v5/order/create"] });

  const jobs = graphileSink();
  const r = await receiveSignal({ db, sql: t.database.sql, jobs }, { pathToken: strategy.webhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000 }), ip: null });
  expect(r.status).toBe(202);
  const signalId = String(r.body.signalId);

  // Poll the executions: the start time of the last snapshot in which each was still QUEUED.
  const lastQueuedAt = new Map<string, number>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const startedAt = Date.now();
      const rows = await db.execution.findMany({ where: { signalId }, select: { id: true, status: true } });
      for (const row of rows) if (row.status === ES.QUEUED) lastQueuedAt.set(row.id, startedAt);
      await new Promise((res) => setTimeout(res, 15));
    }
  })();

  // Some orders written and a batch on the wire (claimed, not answered), most still to go: halt now, as an admin on a web process would.
  await waitFor(async () => {
    const [filled, inFlight] = await Promise.all([db.execution.count({ where: { signalId, status: ES.FILLED } }), db.execution.count({ where: { signalId, status: ES.SUBMITTING } })]);
    return filled >= 20 && inFlight > 0;
  }, 60_000, 5);
  const halt = await haltTrading({ db, jobs }, { id: adminId, email: "halt-op@example.com" }, { scope: "ALL", reason: "incident drill", confirm: "HALT" });
  const haltCommittedAt = Date.now(); // the transaction committed before haltTrading returned

  await waitFor(async () => (await db.signal.findUnique({ where: { id: signalId } }))?.status === "DONE", 120_000, 100);
  polling = false;
  await poller;

  const execs = await db.execution.findMany({ where: { signalId } });
  expect(execs).toHaveLength(N);
  const reason = "trading halted by the operator: incident drill";
  const filled = execs.filter((e) => e.status === ES.FILLED);
  const skipped = execs.filter((e) => e.status === ES.SKIPPED);
  // Nothing else: every execution either went before the halt or was stopped by it, with the reason.
  expect(filled.length + skipped.length).toBe(N);
  expect(skipped.filter((e) => e.message !== reason).map((e) => e.message)).toEqual([]);
  expect(filled.length).toBeGreaterThanOrEqual(20);
  expect(skipped.length).toBeGreaterThan(0);

  // Every execution claimed after the halt committed (still QUEUED in a later snapshot) is SKIPPED.
  const claimedAfter = execs.filter((e) => (lastQueuedAt.get(e.id) ?? 0) > haltCommittedAt);
  expect(claimedAfter.length).toBeGreaterThan(0);
  expect(claimedAfter.filter((e) => e.status !== ES.SKIPPED).map((e) => e.id)).toEqual([]);

  // The exchange saw exactly the filled orders, each on its owner's own account; no skipped one.
  const orders = (await ledger(sim.url)).filter((o) => o.clientOrderId?.startsWith("kr-x"));
  const byClientId = new Map(orders.map((o) => [o.clientOrderId!, o.apiKey]));
  expect(orders).toHaveLength(filled.length);
  const keyOf = new Map(accounts.map((a, i) => [`halt_u${i}`, a.apiKey]));
  expect(filled.filter((e) => byClientId.get(e.clientOrderId) !== keyOf.get(e.userId)).map((e) => e.id)).toEqual([]);
  expect(skipped.filter((e) => byClientId.has(e.clientOrderId)).map((e) => e.id)).toEqual([]);

  // The measured figure: from the halt's commit to the last order written to an exchange.
  const lastWritten = Math.max(...filled.map((e) => e.sentAt!.getTime()));
  const afterHalt = filled.filter((e) => e.sentAt!.getTime() > haltCommittedAt).length;
  const gap = lastWritten - haltCommittedAt;
  console.log(
    `[halt] ${N} subscribers, creates slowed by ${CREATE_LATENCY_MS} ms, worker in another process: halt ${halt.id} committed; ` +
      `last order written ${gap >= 0 ? `${gap} ms after` : `${-gap} ms before`} it (${afterHalt} order(s) of batches already claimed written after the halt); ` +
      `the last answer (of orders already on the wire) came ${Math.max(...filled.map((e) => e.ackAt!.getTime())) - haltCommittedAt} ms after it; ` +
      `${filled.length} filled, ${skipped.length} skipped with the reason, ${claimedAfter.length} observed claimed after the halt`,
  );
}, 240_000);
