/**
 * kill -9 of worker processes at random points during a 500-subscriber fan-out, then a restart:
 * every execution ends terminal, and the simulator's ledger shows exactly one order per
 * execution: zero duplicates, zero missing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { waitFor } from "~/server/engine/engine-test-kit";
import { graphileSink } from "~/server/engine/runtime";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { receiveSignal } from "~/server/signals/receive-signal";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
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
      EXECUTION_LEASE_MS: "2000",
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
  const strategy = await db.strategy.create({ data: { name: "crash", allowedSymbols: ["BTC/USDT"], webhookToken: crypto.randomBytes(24).toString("base64url") } });
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

  const deps: EngineDeps = { db, adapter: new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url })), jobs: graphileSink() };
  const r = await receiveSignal({ db, jobs: deps.jobs }, { pathToken: strategy.webhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000 }), ip: null });
  expect(r.status).toBe(202);
  const signalId = String(r.body.signalId);
  const done = () => db.execution.count({ where: { signalId, status: { notIn: ["QUEUED", "SUBMITTING"] } } });

  // Kill at random points: two workers die mid-fan-out, a third finishes.
  for (const fraction of [0.1 + Math.random() * 0.2, 0.45 + Math.random() * 0.2]) {
    const w = startWorker();
    await waitFor(async () => (await done()) >= Math.floor(N * fraction), 90_000, 20);
    kill9(w);
  }
  const submittingAtKill = await db.execution.count({ where: { signalId, status: "SUBMITTING" } });
  startWorker();
  await waitFor(async () => (await db.signal.findUnique({ where: { id: signalId } }))?.status === "DONE", 120_000, 200);

  const execs = await db.execution.findMany({ where: { signalId } });
  expect(execs).toHaveLength(N);
  expect(execs.filter((e) => e.status !== "FILLED").map((e) => `${e.status}: ${e.message}`)).toEqual([]);
  const orders = (await ledger(sim.url)).filter((o) => o.clientOrderId?.startsWith("kr-x"));
  const byClientId = new Map<string, number>();
  for (const o of orders) byClientId.set(o.clientOrderId!, (byClientId.get(o.clientOrderId!) ?? 0) + 1);
  const duplicates = [...byClientId.values()].filter((n) => n > 1).length;
  const missing = execs.filter((e) => !byClientId.has(e.clientOrderId)).length;
  expect({ duplicates, missing, orders: orders.length }).toEqual({ duplicates: 0, missing: 0, orders: N });
  // The kills really interrupted work in flight (otherwise this test proves little).
  expect(execs.some((e) => e.attempts > 1) || submittingAtKill > 0).toBe(true);
  // Each order was signed by its owner's key.
  const keyOf = new Map(accounts.map((a, i) => [`crash_u${i}`, a.apiKey]));
  const apiKeyByClientId = new Map(orders.map((o) => [o.clientOrderId!, o.apiKey]));
  expect(execs.every((e) => apiKeyByClientId.get(e.clientOrderId) === keyOf.get(e.userId))).toBe(true);
}, 240_000);
