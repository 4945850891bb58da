// Scale, in one run: PostgreSQL, graphile-worker, ccxt unmodified, the exchange simulator in a child
// process of its own (per-key rate limits lifted, SCALE_LATENCY_MS on every exchange call, default 0:
// every figure is CPU). Phases (SCALE_PHASES, default start,fanout,workers):
//   start    `scripts/worker.ts` spawned as `node --import tsx scripts/worker.ts` (NODE_ENV=production;
//            the child's pid is then the worker's own), first on an empty database (the baseline: node,
//            tsx, modules, pools, graphile-worker; it also warms tsx's transform cache), then on one
//            holding SCALE_SUBSCRIBERS (10,000) ACTIVE keys subscribed to an enabled strategy (seeded
//            with seedSubscribers in batches of 1,000). Ms from spawn to GET /health answering 200
//            (WORKER_HEALTH_PORT: it listens once startEngineWorkers has returned) and to the log line
//            "exchange clients built ahead of the first orders" (prewarm done; the worker runs at
//            LOG_LEVEL=info and its stdout is read). Target: ready <= 5 s with 10,000 keys.
//   fanout   (needs start) first the floor: BARE_ORDERS spot market buys (BTC/USDT 0.0004, a client
//            order id each) from this process through warm ccxt instances built beforehand, one per
//            account (BARE_ACCOUNTS, Binance / Bybit alternately, configured as exchange-clients.ts
//            does: same options, limiter off, markets shared from one loader), BARE_INFLIGHT in flight,
//            after BARE_WARM unmeasured ones (at least one per instance: sockets open, JIT warm): this
//            process's CPU / orders = bare ccxt CPU per order, and the simulator's CPU per order = its
//            capacity (orders/s one core serves). Then BARE_ORDERS more making the engine's calls (each
//            Bybit order read back by id, as its create answer carries no fill): printed beside, no target.
//            Then, on the 10,000-key worker once its prewarm is done (or it is idle) and 2 warm-up
//            alerts to 40 of the same users (another strategy) have settled: one alert -> all
//            SCALE_SUBSCRIBERS (receiveSignal in this process, as the route does). From
//            Signal.receivedAt to the last send (max Execution.sentAt) and last ack (max ackAt), orders/s,
//            the worker's peak RSS (VmHWM of /proc/<pid>/status: its whole life, start-up and prewarm
//            included; VmRSS sampled every 100 ms too), the worker's CPU over the fan-out (from just
//            before the alert to the signal DONE) / orders vs the bare figure, and the simulator's and
//            PostgreSQL's CPU over the same window (a simulator near 100% of a core is the bottleneck).
//            Then the ledger (GET /__sim/orders) by clientOrderId: every execution's order there
//            exactly once (duplicates, missing), and signed by its subscriber's own key (wrong_key).
//            DRIFT_CHECK_DELAY_MS is 1 h on this worker: the drift check a fan-out schedules (a balance
//            read per account) would otherwise land inside a long fan-out's window.
//   workers  the SCALE_OUT_SUBSCRIBERS (1,000) fan-out at 20 ms latency with 1, 2 and 4 worker
//            processes (`npx tsx scripts/worker.ts`, WORKER_CONCURRENCY 8), its own database: orders/s.
// Run: npx tsx bench/scale.ts   (env: SCALE_SUBSCRIBERS 10000, SCALE_LATENCY_MS 0, SCALE_WORKER_CONCURRENCY 32,
// SCALE_POOL_SIZE 20, SCALE_TIMEOUT_S 240, BARE_ORDERS 16000, BARE_ACCOUNTS 200, BARE_INFLIGHT 64, BARE_WARM 1000,
// SCALE_OUT_SUBSCRIBERS 1000, SCALE_PHASES, SCALE_WORKER_NODE_ARGS (default "--max-old-space-size=512 --max-semi-space-size=32", as `npm run worker`; "" for node's defaults),
// SCALE_WORKER_STDOUT (a file the 10,000-key worker's stdout is appended to, e.g. with "--trace-gc" in its node args)). Creates and drops its own databases; prints RESULT lines;
// asserts nothing about time: exits 0 unless the run itself breaks.
import type { ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { cpus, loadavg } from "node:os";
import type { Exchange as CcxtExchange } from "ccxt";
import { graphileSink } from "~/server/engine/runtime";
import type { ExchangeName } from "~/server/exchanges/profiles";
import { receiveSignal } from "~/server/signals/receive-signal";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import { createKeyring } from "~/server/vault/keyring";
import { createSimAccount, ledger, simDelete, simPost } from "~/sim/ccxt-test-clients";

import {
  freePort, loadNote, machine, machineCpuMs, postgresCpuMs, printResult, procCpuMs, procMemMb, runPool, seedSubscribers, startSim, startWorkerProcess,
  stopGroup, subscribe, throwawayDatabase, treeCpuMs, waitQuiet, waitUntil, type SimHandle,
} from "./harness";

const N = Number(process.env.SCALE_SUBSCRIBERS ?? 10_000);
const LATENCY_MS = Number(process.env.SCALE_LATENCY_MS ?? 0);
const CONCURRENCY = Number(process.env.SCALE_WORKER_CONCURRENCY ?? 32);
const POOL_SIZE = Number(process.env.SCALE_POOL_SIZE ?? 20);
const TIMEOUT_MS = Number(process.env.SCALE_TIMEOUT_S ?? 240) * 1000;
// 16,000 (~3 s of this process's CPU, as long as the engine's window): a 4,000-order window swung 149-256 us per
// order between runs, one collection of the set-up's garbage landing in it or not; the engine's 10,000 orders amortise theirs.
const BARE_ORDERS = Number(process.env.BARE_ORDERS ?? 16_000);
const BARE_ACCOUNTS = Number(process.env.BARE_ACCOUNTS ?? 200);
const BARE_INFLIGHT = Number(process.env.BARE_INFLIGHT ?? 64);
const BARE_WARM = Number(process.env.BARE_WARM ?? 1000);
const OUT_N = Number(process.env.SCALE_OUT_SUBSCRIBERS ?? 1000);
const PHASES = new Set((process.env.SCALE_PHASES ?? "start,fanout,workers").split(","));
const SEED_BATCH = 1000;
const WARM_USERS = 40;
const TARGET = { readyMs: 5000, rssMb: 600, cpuVsBare: 2 };
const SIM_LIMITS = { binanceWeight: 1e9, bybitOrders: 1e9 };

const loadBefore = loadavg()[0]!;
const encryptionKey = crypto.randomBytes(32);
const keyring = createKeyring({ primary: encryptionKey });
const alert = (id: string) => JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000, id });
const sim = await startSim({ limits: SIM_LIMITS });
console.log(`scale bench — ${machine()}; simulator in a child process, latency ${LATENCY_MS} ms, per-key limits lifted`);
try {
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
  if (PHASES.has("start") || PHASES.has("fanout")) await startAndFanOut();
  if (PHASES.has("workers")) await scaleOut();
  const note = loadNote(loadBefore);
  if (note) console.log(note);
} finally {
  await sim.stop();
}
process.exit(0);

// ---- start + fanout ---------------------------------------------------------------------------------

async function startAndFanOut(): Promise<void> {
  const t = await throwawayDatabase("kr_bench_scale");
  const db = t.database.prisma;
  let worker: LaunchedWorker | null = null;
  try {
    // the baseline start: nothing to build
    worker = await launchWorker(t.url);
    const emptyReadyMs = worker.readyMs;
    await worker.stop();
    worker = null;

    const seeded = performance.now();
    const main = await insertStrategy(db, { name: "scale", allowedSymbols: ["BTC/USDT"], rateLimitPerMinute: 100_000 });
    const warm = await insertStrategy(db, { name: "scale warm-up", allowedSymbols: ["BTC/USDT"], rateLimitPerMinute: 100_000 });
    for (let from = 0; from < N; from += SEED_BATCH) {
      await seedSubscribers(db, { simUrl: sim.url, keyring, prefix: "s", from, count: Math.min(SEED_BATCH, N - from), strategyId: main.id });
    }
    await subscribe(db, { strategyId: warm.id, prefix: "s", from: 0, count: Math.min(WARM_USERS, N) });
    console.log(`${N} subscribers seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

    const bare = PHASES.has("fanout") ? await bareCcxt(sim) : null;

    worker = await launchWorker(t.url);
    const prewarm = await Promise.race([worker.prewarm, waitQuiet(() => procCpuMs(worker!.pid), { maxMs: 120_000 }).then(() => null)]);
    console.log(
      `worker start: ready (GET /health 200) ${worker.readyMs.toFixed(0)} ms after spawn with ${N} active keys, ${emptyReadyMs.toFixed(0)} ms with none; ` +
        (prewarm ? `prewarm done ${prewarm.ms.toFixed(0)} ms after spawn (${prewarm.clients} clients, ${prewarm.selfMs} ms by its own clock)` : "no prewarm log line (waited until the worker was idle)") +
        `; RSS then ${procMemMb(worker.pid, "VmRSS").toFixed(0)} MB`,
    );
    printResult("scale.start.ready_ms_empty", Math.round(emptyReadyMs));
    printResult("scale.start.ready_ms", Math.round(worker.readyMs), { op: "<=", target: TARGET.readyMs });
    if (prewarm) printResult("scale.start.prewarm_done_ms", Math.round(prewarm.ms));
    printResult("scale.start.rss_after_prewarm_mb", Math.round(procMemMb(worker.pid, "VmRSS")));
    if (!bare) return;

    // warm-up: markets loaded, JIT warm, pools filled; then the worker idle again
    const jobs = graphileSink();
    const fire = async (token: string, id: string) => {
      const r = await receiveSignal({ db, sql: t.database.sql, jobs }, { pathToken: token, contentType: "application/json", body: alert(id), ip: null });
      if (r.status !== 202) throw new Error(`alert ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      return String(r.body.signalId);
    };
    const settled = (signalId: string, timeoutMs: number) =>
      waitUntil(`signal ${signalId} DONE`, async () => {
        const s = await db.signal.findUnique({ where: { id: signalId }, select: { status: true } });
        return s && (s.status === "DONE" || s.status === "REJECTED") ? s.status : null;
      }, timeoutMs, 250).catch(() => "TIMEOUT" as const);
    for (let k = 0; k < 2; k++) await settled(await fire(warm.webhookToken, `warm-${k}`), 60_000);
    await waitQuiet(() => procCpuMs(worker!.pid), { maxMs: 30_000 });
    if (LATENCY_MS > 0) await simPost(sim.url, "/__sim/faults", { latencyMs: LATENCY_MS });

    // the fan-out
    const pid = worker.pid;
    const rssBefore = procMemMb(pid, "VmRSS");
    let rssMax = rssBefore;
    const sampler = setInterval(() => void (rssMax = Math.max(rssMax, procMemMb(pid, "VmRSS") || 0)), 100);
    const cpu0 = { worker: procCpuMs(pid), sim: treeCpuMs(sim.pid), pg: postgresCpuMs(), machine: machineCpuMs() };
    const signalId = await fire(main.webhookToken, "scale-10k");
    const status = await settled(signalId, TIMEOUT_MS);
    const cpu1 = { worker: procCpuMs(pid), sim: treeCpuMs(sim.pid), pg: postgresCpuMs(), machine: machineCpuMs() };
    clearInterval(sampler);
    const peakRss = procMemMb(pid, "VmHWM");
    await worker.stop();
    worker = null;
    if (LATENCY_MS > 0) await simDelete(sim.url, "/__sim/faults");

    const signal = await db.signal.findUniqueOrThrow({ where: { id: signalId } });
    const execs = await db.execution.findMany({ where: { signalId }, select: { clientOrderId: true, credentialId: true, status: true, sentAt: true, ackAt: true, message: true } });
    const t0 = signal.receivedAt.getTime();
    const sentLast = Math.max(...execs.map((e) => (e.sentAt ? e.sentAt.getTime() - t0 : -Infinity)));
    const ackLast = Math.max(...execs.map((e) => (e.ackAt ? e.ackAt.getTime() - t0 : -Infinity)));
    const sent = execs.filter((e) => e.sentAt).length;
    const byStatus: Record<string, number> = {};
    for (const e of execs) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    const windowMs = (cpu1.machine.total - cpu0.machine.total) / cpus().length;
    const workerCpuMs = cpu1.worker - cpu0.worker;
    const simCpuMs = cpu1.sim - cpu0.sim;
    const pgCpuMs = cpu1.pg - cpu0.pg;
    const enginePerOrderUs = (workerCpuMs * 1000) / Math.max(1, sent);

    // the ledger: every execution's order exactly once, signed by its subscriber's key
    const orders = await ledger(sim.url);
    const count = new Map<string, number>();
    const signer = new Map<string, string>();
    for (const o of orders) {
      if (!o.clientOrderId) continue;
      count.set(o.clientOrderId, (count.get(o.clientOrderId) ?? 0) + 1);
      signer.set(o.clientOrderId, o.apiKey);
    }
    const keys = new Map((await db.exchangeCredential.findMany({ select: { id: true, apiKey: true } })).map((c) => [c.id, c.apiKey]));
    const missing = N - execs.filter((e) => (count.get(e.clientOrderId) ?? 0) > 0).length;
    const duplicates = execs.reduce((a, e) => a + Math.max(0, (count.get(e.clientOrderId) ?? 0) - 1), 0);
    const wrongKey = execs.filter((e) => count.has(e.clientOrderId) && signer.get(e.clientOrderId) !== keys.get(e.credentialId ?? "")).length;
    const firstErr = execs.find((e) => e.status !== "FILLED");

    console.log(
      `fan-out: ${N} subscribers, signal ${status}, ${execs.length} executions ${JSON.stringify(byStatus)}${firstErr ? ` (first not FILLED: ${firstErr.status} ${firstErr.message ?? ""})` : ""}; ` +
        `last send +${sentLast} ms, last ack +${ackLast} ms after receipt; over the ${(windowMs / 1000).toFixed(1)} s window: worker CPU ${(workerCpuMs / 1000).toFixed(2)} s ` +
        `(${((workerCpuMs / windowMs) * 100).toFixed(0)}% of a core), simulator ${(simCpuMs / 1000).toFixed(2)} s (${((simCpuMs / windowMs) * 100).toFixed(0)}% of its one core), ` +
        `PostgreSQL ${(pgCpuMs / 1000).toFixed(2)} s; worker RSS ${rssBefore.toFixed(0)} MB before, max ${rssMax.toFixed(0)} MB sampled during, peak (VmHWM) ${peakRss.toFixed(0)} MB; ` +
        `ledger: ${orders.length} orders in all, ${missing} subscribers without their order, ${duplicates} duplicates, ${wrongKey} signed by another key`,
    );
    printResult("scale.fanout.complete", status === "DONE" && sent === N ? 1 : 0, { op: "=", target: 1 });
    printResult("scale.fanout.sent_last_ms", sentLast);
    printResult("scale.fanout.ack_last_ms", ackLast);
    printResult("scale.fanout.orders_per_s", Math.round((sent / ackLast) * 1000));
    printResult("scale.fanout.worker_peak_rss_mb", Math.round(peakRss), { op: "<=", target: TARGET.rssMb });
    printResult("scale.fanout.worker_rss_max_during_mb", Math.round(rssMax));
    printResult("scale.fanout.engine_cpu_us_per_order", Math.round(enginePerOrderUs));
    printResult("scale.fanout.bare_ccxt_cpu_us_per_order", Math.round(bare.cpuUsPerOrder));
    printResult("scale.fanout.engine_vs_bare_cpu", enginePerOrderUs / bare.cpuUsPerOrder, { digits: 2, op: "<=", target: TARGET.cpuVsBare });
    // Beside it, no target: the same floor making the engine's exchange calls (Bybit's read-back too), so a reader
    // can tell how much of the ratio is that second call and how much the engine's own work.
    printResult("scale.fanout.bare_engine_calls_cpu_us_per_order", Math.round(bare.callsCpuUsPerOrder));
    printResult("scale.fanout.engine_vs_bare_engine_calls_cpu", enginePerOrderUs / bare.callsCpuUsPerOrder, { digits: 2 });
    printResult("scale.fanout.sim_cpu_pct_of_core", Math.round((simCpuMs / windowMs) * 100));
    printResult("scale.fanout.sim_cpu_us_per_order", Math.round((simCpuMs * 1000) / Math.max(1, sent)));
    printResult("scale.fanout.postgres_cpu_us_per_order", Math.round((pgCpuMs * 1000) / Math.max(1, sent)));
    printResult("scale.fanout.sim_capacity_orders_per_s", Math.round(1e6 / bare.simUsPerOrder));
    printResult("scale.fanout.duplicates", duplicates, { op: "=", target: 0 });
    printResult("scale.fanout.missing", missing, { op: "=", target: 0 });
    printResult("scale.fanout.wrong_key", wrongKey, { op: "=", target: 0 });
  } finally {
    await worker?.stop();
    await t.drop();
  }
}

interface LaunchedWorker {
  pid: number;
  /** ms from spawn to GET /health answering 200 */
  readyMs: number;
  /** resolves when the worker logs its prewarm as done (never, if it does not) */
  prewarm: Promise<{ ms: number; clients: number; selfMs: number }>;
  stop(): Promise<void>;
}

/** `node --import tsx scripts/worker.ts` at LOG_LEVEL=info, its stdout read for the prewarm line. */
async function launchWorker(databaseUrl: string): Promise<LaunchedWorker> {
  const port = await freePort();
  const spawned = performance.now();
  const child: ChildProcess = startWorkerProcess({
    databaseUrl, simUrl: sim.url, encryptionKey: encryptionKey.toString("hex"), concurrency: CONCURRENCY, poolSize: POOL_SIZE, healthPort: port,
    direct: true, logLevel: "info", stdout: "pipe", env: { DRIFT_CHECK_DELAY_MS: "3600000" },
    // As `npm run worker` runs it (its heap capped at WORKER_HEAP_MB, default 512; young generation WORKER_SEMI_SPACE_MB, default 32).
    nodeArgs: (
      process.env.SCALE_WORKER_NODE_ARGS ?? `--max-old-space-size=${process.env.WORKER_HEAP_MB ?? 512} --max-semi-space-size=${process.env.WORKER_SEMI_SPACE_MB ?? 32}`
    ).split(" ").filter(Boolean),
  });
  const prewarm = new Promise<{ ms: number; clients: number; selfMs: number }>((resolve) => {
    let pending = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      if (process.env.SCALE_WORKER_STDOUT) fs.appendFileSync(process.env.SCALE_WORKER_STDOUT, chunk);
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.includes("built ahead")) continue;
        try {
          const o = JSON.parse(line) as { clients?: number; ms?: number };
          resolve({ ms: performance.now() - spawned, clients: o.clients ?? NaN, selfMs: o.ms ?? NaN });
        } catch {
          /* not a pino line */
        }
      }
    });
  });
  const died = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`the worker exited (${code}) before /health answered`))));
  died.catch(() => undefined);
  await Promise.race([waitUntil("the worker's /health", async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 60_000, 20), died]);
  return { pid: child.pid!, readyMs: performance.now() - spawned, prewarm, stop: () => stopGroup(child) };
}

/** The floor: warm ccxt instances, one per account, placing the engine's order; CPU of this process per order. */
async function bareCcxt(simHandle: SimHandle): Promise<{ cpuUsPerOrder: number; callsCpuUsPerOrder: number; simUsPerOrder: number }> {
  const { default: ccxt } = await import("ccxt");
  const { PROFILES } = await import("~/server/exchanges/profiles");
  const make = (exchange: ExchangeName, auth?: { apiKey: string; secret: string }): CcxtExchange => {
    const p = PROFILES[exchange];
    const Ctor = ccxt[p.ccxtId] as unknown as new (config: Record<string, unknown>) => CcxtExchange;
    const c = new Ctor({ ...auth, enableRateLimit: false, timeout: 10_000, options: { ...p.options }, ...(p.has ? { has: p.has } : {}) });
    const api = (c.urls as { api: Record<string, string> }).api;
    for (const name of Object.keys(api)) api[name] = api[name]!.replace(/^https:\/\/[^/]+/, simHandle.url);
    return c;
  };
  const exchangeOf = (k: number): ExchangeName => (k % 2 ? "BINANCE" : "BYBIT");
  const loaders = { BINANCE: make("BINANCE"), BYBIT: make("BYBIT") };
  await Promise.all(Object.values(loaders).map((l) => l.loadMarkets()));
  const clients: CcxtExchange[] = [];
  for (let k = 0; k < BARE_ACCOUNTS; k += 50) {
    const accounts = await Promise.all(
      Array.from({ length: Math.min(50, BARE_ACCOUNTS - k) }, (_, j) => createSimAccount(simHandle.url, { exchange: exchangeOf(k + j) === "BINANCE" ? "binance" : "bybit", balances: { USDT: "1000000" } })),
    );
    for (const [j, a] of accounts.entries()) {
      const c = make(exchangeOf(k + j), { apiKey: a.apiKey, secret: a.secret });
      c.setMarketsFromExchange(loaders[exchangeOf(k + j)]);
      clients.push(c);
    }
  }
  const tag = crypto.randomBytes(3).toString("hex");
  const create = (i: number) => clients[i % clients.length]!.createOrder("BTC/USDT", "market", "buy", 0.0004, undefined, { clientOrderId: `bare-${tag}-${i}` });
  const work = (i: number) => create(i);
  const workers = Array.from({ length: BARE_INFLIGHT }, () => work);
  const warm = await runPool("bare ccxt warm-up", { count: Math.max(clients.length, BARE_WARM), workers }); // sockets open, JIT warm
  const r = await runPool("bare ccxt", { count: BARE_ORDERS, from: Math.max(clients.length, BARE_WARM), workers, sim: simHandle });
  // The engine's calls per order: a Bybit create answer carries no fill, so the engine reads each
  // Bybit order back once by its id (engine/send-order.ts, as the adapter does); a Binance one answers with it.
  const withReadBack = async (i: number) => {
    const placed = await create(i);
    if (exchangeOf(i % clients.length) === "BYBIT") await clients[i % clients.length]!.fetchOrder(placed.id ?? "", "BTC/USDT", { acknowledged: true });
  };
  const calls = await runPool("bare ccxt, the engine's calls", { count: BARE_ORDERS, from: Math.max(clients.length, BARE_WARM) + BARE_ORDERS, workers: Array.from({ length: BARE_INFLIGHT }, () => withReadBack), sim: simHandle });
  for (const c of [...clients, ...Object.values(loaders)]) await (c as unknown as { fetchDispatcher?: { close(): Promise<void> } }).fetchDispatcher?.close();
  const cpuUsPerOrder = r.cpuUs / r.count;
  const callsCpuUsPerOrder = calls.cpuUs / calls.count;
  const simUsPerOrder = r.simCpuUs / r.count;
  console.log(
    `bare ccxt: ${r.count} orders over ${clients.length} warm instances, ${BARE_INFLIGHT} in flight, in ${r.seconds.toFixed(2)} s (${Math.round(r.count / r.seconds)}/s), ` +
      `errors ${r.errors + warm.errors}; CPU ${cpuUsPerOrder.toFixed(0)} us/order here, simulator ${simUsPerOrder.toFixed(0)} us/order (${Math.round(1e6 / simUsPerOrder)} orders/s per core); ` +
      `with the engine's calls (each Bybit order read back): ${callsCpuUsPerOrder.toFixed(0)} us/order, errors ${calls.errors}`,
  );
  return { cpuUsPerOrder, callsCpuUsPerOrder, simUsPerOrder };
}

// ---- workers: the 1,000-subscriber fan-out with 1, 2 and 4 processes --------------------------------

async function scaleOut(): Promise<void> {
  const WORKERS = [1, 2, 4];
  const LATENCY = 20;
  const OUT_CONCURRENCY = 8;
  const t = await throwawayDatabase("kr_bench_scaleout");
  const db = t.database.prisma;
  const workers: ChildProcess[] = [];
  try {
    const strategy = await insertStrategy(db, { name: "scale-out", allowedSymbols: ["BTC/USDT"], rateLimitPerMinute: 100_000 });
    await seedSubscribers(db, { simUrl: sim.url, keyring, prefix: "so", from: 0, count: OUT_N, strategyId: strategy.id });
    const jobs = graphileSink();
    const fanOut = async (tag: string) => {
      const r = await receiveSignal({ db, sql: t.database.sql, jobs }, { pathToken: strategy.webhookToken, contentType: "application/json", body: alert(tag), ip: null });
      const signalId = String(r.body.signalId);
      await waitUntil(`signal ${tag} DONE`, async () => (await db.signal.findUnique({ where: { id: signalId } }))?.status === "DONE", 180_000, 25);
      const s = await db.signal.findUniqueOrThrow({ where: { id: signalId } });
      const agg = await db.execution.aggregate({ where: { signalId }, _max: { ackAt: true }, _count: { _all: true } });
      const filled = await db.execution.count({ where: { signalId, status: "FILLED" } });
      return { ms: agg._max.ackAt!.getTime() - s.receivedAt.getTime(), filled, total: agg._count._all };
    };

    const rows: { workers: number; ms: number; perSecond: number; filled: number }[] = [];
    for (const n of WORKERS) {
      const procs = Array.from({ length: n }, () => startWorkerProcess({ databaseUrl: t.url, simUrl: sim.url, encryptionKey: encryptionKey.toString("hex"), concurrency: OUT_CONCURRENCY }));
      workers.push(...procs);
      await waitUntil(`${n} worker(s) heartbeating`, async () => (await db.workerHeartbeat.count({ where: { lastSeenAt: { gt: new Date(Date.now() - 5_000) } } })) >= n * OUT_CONCURRENCY, 60_000, 200);
      // Warm-up: every process loads markets and builds the clients of the keys it will serve
      // (batches go to whichever worker is free, so a few rounds until most keys are warm everywhere).
      for (let w = 0; w < 1 + n; w++) await fanOut(`warm-${n}-${w}`);
      await simPost(sim.url, "/__sim/faults", { latencyMs: LATENCY });
      const r = await fanOut(`run-${n}`);
      await simDelete(sim.url, "/__sim/faults");
      rows.push({ workers: n, ms: r.ms, perSecond: Math.round((r.total / r.ms) * 1000), filled: r.filled });
      await Promise.all(procs.map((p) => stopGroup(p)));
      await waitUntil("heartbeats to go stale", async () => (await db.workerHeartbeat.count({ where: { lastSeenAt: { gt: new Date(Date.now() - 3_000) } } })) === 0, 30_000, 200).catch(() => undefined);
      await db.workerHeartbeat.deleteMany();
    }
    console.log(`\nscale-out: ${OUT_N} subscribers, simulator latency ${LATENCY} ms, WORKER_CONCURRENCY ${OUT_CONCURRENCY} per process`);
    console.log("workers   receipt -> last ack   orders/s   filled");
    for (const r of rows) console.log(`${String(r.workers).padStart(7)}   ${`${r.ms} ms`.padStart(19)}   ${String(r.perSecond).padStart(8)}   ${r.filled}/${OUT_N}`);
    const base = rows[0]!.perSecond;
    // the 1-worker run is the baseline the others are held to
    for (const r of rows) printResult(`scale.orders_per_s.workers_${r.workers}`, r.perSecond, r.workers > 1 ? { op: ">=", target: base } : {});
    console.log(`speed-up: ${rows.map((r) => `${r.workers} worker(s) ${(r.perSecond / base).toFixed(2)}x`).join(", ")}`);
  } finally {
    await Promise.all(workers.map((w) => stopGroup(w)));
    await t.drop();
  }
}
