// Scale-out: the 1,000-subscriber fan-out with 1, 2 and 4 worker processes (`npm run worker`)
// against one PostgreSQL, throughput for each. Simulator in its own process, 20 ms latency.
// Run: npx tsx bench/scale.ts   (creates and drops its own database; exits 0; asserts nothing)
import crypto from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { graphileSink } from "~/server/engine/runtime";
import { receiveSignal } from "~/server/signals/receive-signal";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import { createKeyring } from "~/server/vault/keyring";
import { simDelete, simPost } from "~/sim/ccxt-test-clients";

import { machine, printResult, seedSubscribers, startSim, startWorkerProcess, stopGroup, throwawayDatabase, waitUntil } from "./harness";

const N = Number(process.env.SCALE_SUBSCRIBERS ?? 1000);
const WORKERS = [1, 2, 4];
const LATENCY_MS = 20;
const CONCURRENCY = 8;

const t = await throwawayDatabase("kr_bench_scale");
const db = t.database.prisma;
const sim = await startSim({ limits: { binanceWeight: 1_000_000, bybitOrders: 1_000_000 } });
const workers: ChildProcess[] = [];
try {
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
  const key = crypto.randomBytes(32);
  const keyring = createKeyring({ primary: key });
  const strategy = await insertStrategy(db, { name: "scale", allowedSymbols: ["BTC/USDT"], rateLimitPerMinute: 100_000 });
  await seedSubscribers(db, { simUrl: sim.url, keyring, prefix: "sc", from: 0, count: N, strategyId: strategy.id });
  const jobs = graphileSink();
  const fanOut = async (tag: string) => {
    const r = await receiveSignal({ db, jobs }, { pathToken: strategy.webhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000, id: tag }), ip: null });
    const signalId = String(r.body.signalId);
    await waitUntil(`signal ${tag} DONE`, async () => (await db.signal.findUnique({ where: { id: signalId } }))?.status === "DONE", 180_000, 25);
    const s = await db.signal.findUniqueOrThrow({ where: { id: signalId } });
    const agg = await db.execution.aggregate({ where: { signalId }, _max: { ackAt: true }, _count: { _all: true } });
    const filled = await db.execution.count({ where: { signalId, status: "FILLED" } });
    return { ms: agg._max.ackAt!.getTime() - s.receivedAt.getTime(), filled, total: agg._count._all };
  };

  const rows: { workers: number; ms: number; perSecond: number; filled: number }[] = [];
  for (const n of WORKERS) {
    const procs = Array.from({ length: n }, () => startWorkerProcess({ databaseUrl: t.url, simUrl: sim.url, encryptionKey: key.toString("hex"), concurrency: CONCURRENCY }));
    workers.push(...procs);
    await waitUntil(`${n} worker(s) heartbeating`, async () => (await db.workerHeartbeat.count({ where: { lastSeenAt: { gt: new Date(Date.now() - 5_000) } } })) >= n * CONCURRENCY, 60_000, 200);
    // Warm-up: every process loads markets and builds the ccxt clients of the keys it will serve
    // (batches go to whichever worker is free, so a few rounds until most keys are warm everywhere).
    for (let w = 0; w < 1 + n; w++) await fanOut(`warm-${n}-${w}`);
    await simPost(sim.url, "/__sim/faults", { latencyMs: LATENCY_MS });
    const r = await fanOut(`run-${n}`);
    await simDelete(sim.url, "/__sim/faults");
    rows.push({ workers: n, ms: r.ms, perSecond: Math.round((r.total / r.ms) * 1000), filled: r.filled });
    await Promise.all(procs.map((p) => stopGroup(p)));
    await waitUntil("heartbeats to go stale", async () => (await db.workerHeartbeat.count({ where: { lastSeenAt: { gt: new Date(Date.now() - 3_000) } } })) === 0, 30_000, 200).catch(() => undefined);
    await db.workerHeartbeat.deleteMany();
  }
  console.log(`scale bench — ${machine()}; ${N} subscribers, simulator latency ${LATENCY_MS} ms, WORKER_CONCURRENCY ${CONCURRENCY} per process\n`);
  console.log("workers   receipt -> last ack   orders/s   filled");
  for (const r of rows) console.log(`${String(r.workers).padStart(7)}   ${`${r.ms} ms`.padStart(19)}   ${String(r.perSecond).padStart(8)}   ${r.filled}/${N}`);
  const base = rows[0]!.perSecond;
  // the 1-worker run is the baseline the others are held to
  for (const r of rows) printResult(`scale.orders_per_s.workers_${r.workers}`, r.perSecond, r.workers > 1 ? { op: ">=", target: base } : {});
  console.log(`\nspeed-up: ${rows.map((r) => `${r.workers} worker(s) ${(r.perSecond / base).toFixed(2)}x`).join(", ")}`);
} finally {
  await Promise.all(workers.map((w) => stopGroup(w)));
  await sim.stop();
  await t.drop();
}
