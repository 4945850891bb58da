// Signal fan-out, end to end, in one run: PostgreSQL, graphile-worker, ccxt unmodified, the exchange
// simulator in a child process (its CPU is not ours; default per-key limits), latency LATENCY_MS on
// every exchange call (global fault).
//   1. engine      one TradingView alert -> N subscribers (default 1,000), one simulator account each
//                  (Binance / Bybit alternately, tiers PRO / FLEX / TRIAL in turn, created with createMany).
//                  From Signal.receivedAt (the webhook's receipt) to the last order SENT (max
//                  Execution.sentAt: when the create request is handed to its exchange connection pool) and
//                  the last order ACKNOWLEDGED (max ackAt: the exchange's answer); per tier the first and
//                  last send and whether every PRO order went before any FLEX, every FLEX before any TRIAL.
//                  The engine is WORKERS child processes of `npx tsx scripts/worker.ts`, the production
//                  entry (NODE_ENV=production, WORKER_CONCURRENCY, DATABASE_POOL_SIZE); WORKERS=0 runs
//                  graphile-worker in this process instead. Warm-up: small alerts to 40 other
//                  subscribers (markets loaded, JIT warm), then wait until the workers are idle (at
//                  start-up they build the clients of the keys that trade, in the background).
//                  Three alerts: "first" (the first fan-out after start: DB pools and keep-alive sockets
//                  still cold, as after a quiet spell), "steady" (the next one), "newkeys" (N subscribers
//                  created after the workers started: every ccxt client built on the way), held to the
//                  warm ones: newkeys_vs_warm = its last ack / the slower last ack of first and steady.
//                  Then "unordered": the workers restarted with TIER_ORDER_WAIT_MS=0 (no tier order at the
//                  wire) and the same fan-out again: tier_order_cost = steady last ack / unordered last ack.
//   2. sequential  the naive loop: for each subscriber, await its client (a fresh ExchangeClients,
//                  markets preloaded) and await createOrder, one after another, same latency. SEQUENTIAL
//                  of them are timed and the time extrapolated linearly to N; speed-up = that / the
//                  engine's last ack (the slower of first and steady).
//   3. webhook     ack latency of HTTP POSTs to the TradingView route, open loop at RATE/s for SECONDS s
//                  (distinct alerts, a strategy with 10 subscribers) after 2 s unmeasured: the real route
//                  in the Next production server (`npx tsx scripts/server.ts`, build in .next; the target
//                  applies to it), then a minimal node:http server in a child process calling
//                  receiveSignal as the route handler does (what the route costs on top). Workers are
//                  stopped for this part: only the ack path is measured (process_signal jobs queue up).
//                  Without a build (or WEBHOOK_SERVER=http) only the minimal server is measured.
// Run: npx tsx bench/fanout.ts   (env: SUBSCRIBERS 1000, LATENCY_MS 50, WORKERS 1, WORKER_CONCURRENCY 32,
// DATABASE_POOL_SIZE 20, SEQUENTIAL 100, RATE 200, SECONDS 5, WEBHOOK_SERVER next|http,
// PHASES engine,sequential,webhook; profiling: WORKER_NODE_ARGS / WEBHOOK_NODE_ARGS "--cpu-prof ...",
// WORKER_LOG_LEVEL). Prints a table and RESULT lines; asserts nothing about time: exits 0 unless the run
// itself breaks (an error, a signal that never completes).
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";

import {
  descendants, formatTable, freePort, machineCpuMs, percentile, postgresCpuMs, procCpuMs, resultLine, seedSubscribers, sleep, startSim,
  startWorkerProcess, stopGroup, subscribe, throwawayDatabase, waitUntil,
} from "./harness";
import { closeAgent, post, startMinimalRoute, startNextRoute, type WebhookServer } from "./webhook-servers";
import { insertStrategy } from "~/server/test/strategy-fixtures";

/** A webhook server and what the report calls it. */
type Served = WebhookServer & { kind: "Next route" | "node:http" };

process.env.LOG_LEVEL ??= "warn";

const N = Number(process.env.SUBSCRIBERS ?? 1000);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 50);
const WORKERS = Number(process.env.WORKERS ?? 1); // 2 cores: a second worker process loses more to contention than it adds
const CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 32);
const POOL_SIZE = Number(process.env.DATABASE_POOL_SIZE ?? 20);
const SEQUENTIAL = Math.min(N, Number(process.env.SEQUENTIAL ?? 100));
const RATE = Number(process.env.RATE ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 5);
const WEBHOOK_SERVER = process.env.WEBHOOK_SERVER ?? "next";
const QUIET_FRACTION = process.env.WORKER_NODE_ARGS?.includes("--cpu-prof") ? 0.25 : 0.05;
const PHASES = new Set((process.env.PHASES ?? "engine,sequential,webhook").split(","));
const WARM_SUBSCRIBERS = 40;
const WEBHOOK_SUBSCRIBERS = 10;
const TIERS = ["PRO", "FLEX", "TRIAL"] as const;
const TARGET = { sentMs: 1000, speedup: 40, ackP99Ms: 25 };

// ---- small helpers --------------------------------------------------------------------------------
const median = (xs: number[]) => percentile(xs, 50); // nearest rank, as this bench has always reported

// ---- main -------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const started = performance.now();
  const { default: ccxt } = await import("ccxt");
  const { createPostgresDatabase } = await import("~/server/db");
  const { createKeyring } = await import("~/server/vault/keyring");
  const { ExchangeAdapter } = await import("~/server/exchanges/exchange-adapter");
  const { ExchangeClients } = await import("~/server/exchanges/exchange-clients");
  const { graphileSink, makeTasks, prewarmClients } = await import("~/server/engine/runtime");
  const { startGraphileWorker } = await import("~/server/jobs/graphile-queue");
  const { simPost } = await import("~/sim/ccxt-test-clients");

  const key = randomBytes(32);
  const keyring = createKeyring({ primary: key });
  const load0 = loadavg()[0]!.toFixed(2);
  console.log(
    `fan-out bench: node ${process.version}, ccxt ${ccxt.version}, ${cpus()[0]?.model ?? "cpu"} x${cpus().length}, load average ${load0} at start\n` +
      `${N} subscribers, simulator latency ${LATENCY_MS} ms on every exchange call (simulator in a child process); engine: ` +
      (WORKERS > 0 ? `${WORKERS} worker process(es) (npx tsx scripts/worker.ts)` : "graphile-worker in this process") +
      `, WORKER_CONCURRENCY ${CONCURRENCY}, DATABASE_POOL_SIZE ${POOL_SIZE}`,
  );

  const [t, sim] = await Promise.all([throwawayDatabase("kr_bench"), startSim()]);
  const db = t.database.prisma;
  const children: ChildProcess[] = [];
  let stopInProcess: (() => Promise<void>) | null = null;
  let stopWebhook: (() => Promise<void>) | null = null;
  const rows: [string, string, string, string][] = [];
  const results: string[] = [];
  const notes: string[] = [];
  const row = (name: string, value: number, unit: string, op: "<=" | ">=" | "", target: number | null, resultName: string | null, digits = 0) => {
    const pass = target === null ? "" : (op === "<=" ? value <= target : value >= target) ? "PASS" : "FAIL";
    rows.push([name, `${Number.isFinite(value) ? value.toFixed(digits) : "n/a"} ${unit}`.trim(), target === null ? "" : `${op} ${target} ${unit}`.trim(), pass]);
    if (resultName) results.push(resultLine(`fanout.${resultName}`, value, op === "" || target === null ? { digits } : { digits, op, target }));
  };

  try {
    // ---- the webhook server: the real Next route if the production build starts, else a minimal one --
    const nodeArgs = process.env.WEBHOOK_NODE_ARGS?.split(" ").filter(Boolean); // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    const next = WEBHOOK_SERVER === "next" ? await startNextRoute(t.url, key.toString("hex"), nodeArgs) : null;
    const servers: Served[] = [...(next ? [{ ...next, kind: "Next route" as const }] : []), { ...(await startMinimalRoute(t.url, nodeArgs)), kind: "node:http" as const }];
    stopWebhook = async () => {
      for (const srv of servers) await srv.stop();
    };
    const webhook = servers[0]!; // alerts of the fan-outs go through it too: Signal.receivedAt is its receipt
    notes.push(`webhook: alerts posted to ${webhook.label}`);

    // ---- fixtures: accounts, users, sealed keys, subscriptions (createMany) ------------------------
    for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
    const mk = (name: string) => insertStrategy(db, { name, allowedSymbols: ["BTC/USDT"], rateLimitPerMinute: 1_000_000 });
    const [main, warm, hook, fresh] = [await mk("fanout"), await mk("warm-up"), await mk("webhook"), await mk("new keys")];
    /** Users b_u<from..from+count>, each with a simulator account, a sealed ACTIVE key and a subscription. */
    const makeSubscribers = (strategyId: string, from: number, count: number) => seedSubscribers(db, { simUrl: sim.url, keyring, prefix: "b", from, count, strategyId });
    await makeSubscribers(main.id, 0, N);
    await makeSubscribers(warm.id, N, WARM_SUBSCRIBERS);
    await subscribe(db, { strategyId: hook.id, prefix: "b", from: 0, count: WEBHOOK_SUBSCRIBERS });
    await simPost(sim.url, "/__sim/faults", { latencyMs: LATENCY_MS });
    console.log(`fixtures ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    let engineMs = NaN;
    const alert = (id: string) => JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000, id });
    const fire = async (token: string, id: string) => {
      const r = await post(webhook.url(token), alert(id));
      if (r.status !== 202) throw new Error(`webhook answered ${r.status}: ${r.text}`);
      return String((JSON.parse(r.text) as { signalId: string }).signalId);
    };
    const settled = (signalId: string) =>
      waitUntil(`signal ${signalId} DONE`, async () => {
        const s = await db.signal.findUnique({ where: { id: signalId }, select: { status: true } });
        return s && (s.status === "DONE" || s.status === "REJECTED") ? s : null;
      }, 90_000, 100).catch(async (err: unknown) => {
        // say why before giving up: executions by status, and the queue's errors
        const byStatus = await db.execution.groupBy({ by: ["status"], where: { signalId }, _count: true });
        const jobs = await t.database.raw.query<{ task_identifier: string; attempts: number; last_error: string | null }>(
          `SELECT task_identifier, attempts, left(last_error, 300) AS last_error FROM graphile_worker.jobs ORDER BY attempts DESC LIMIT 5`,
        );
        console.error(`signal ${signalId}: executions ${JSON.stringify(byStatus.map((b) => [b.status, b._count]))}; jobs ${JSON.stringify(jobs)}`);
        throw err;
      });
    if (PHASES.has("engine")) {
      // ---- the engine ------------------------------------------------------------------------------
      if (WORKERS > 0) {
        const ports = await Promise.all(Array.from({ length: WORKERS }, () => freePort()));
        for (const port of ports) children.push(startWorker(t.url, sim.url, key.toString("hex"), port));
        await Promise.all(ports.map((port) => waitUntil("a worker's /health", async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 60_000, 200)));
      } else {
        const database = createPostgresDatabase(t.url, { max: POOL_SIZE });
        const { disableAfterAuthFailure } = await import("~/server/keys/verify-credential");
        const adapter = new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url }), { onAuthFailure: (cred, err) => disableAfterAuthFailure(database.prisma, cred.id, err.message) });
        const deps = { db: database.prisma, sql: database.sql, adapter, jobs: graphileSink() };
        const worker = await startGraphileWorker({ connectionString: t.url, tasks: makeTasks(deps), concurrency: CONCURRENCY });
        void prewarmClients(deps); // as startEngineWorkers does
        stopInProcess = async () => {
          await worker.stop();
          await database.close();
        };
      }

      // warm-up: markets loaded (and JIT warm) in every worker process; then wait until the workers are
      // idle (they build the clients of the keys that trade at start-up, in the background)
      const pids = () => (WORKERS > 0 ? children.flatMap((c) => descendants(c.pid!)) : [process.pid]);
      const engineCpu = () => pids().reduce((a, p) => a + procCpuMs(p), 0);
      const warmUp = async (tag: string) => {
        const startIdle = performance.now();
        for (let k = 0; k < Math.max(2, 2 * WORKERS); k++) await settled(await fire(warm.webhookToken, `warm-${tag}-${k}`));
        for (let last = engineCpu(), quiet = 0; quiet < 3; ) {
          await sleep(250);
          const now = engineCpu();
          quiet = now - last <= 250 * QUIET_FRACTION * Math.max(1, WORKERS) ? quiet + 1 : 0; // < 5% of a core per worker (25% when profiled: the profiler's own sampling)
          last = now;
        }
        notes.push(`start-up (${tag}): warm-up signals done and workers idle ${((performance.now() - startIdle) / 1000).toFixed(1)} s after they answered /health`);
      };
      await warmUp("ordered");

      const fanOut = async (label: string, token: string, id: string) => {
        const cpu0 = { workers: engineCpu(), sim: descendants(sim.pid).reduce((a, p) => a + procCpuMs(p), 0), pg: postgresCpuMs(), machine: machineCpuMs() };
        let peakConnections = 0;
        const sampler = setInterval(() => {
          void t.database.raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [t.name]).then(
            ([r]) => void (peakConnections = Math.max(peakConnections, r?.n ?? 0)),
            () => undefined,
          );
        }, 100);
        const signalId = await fire(token, id);
        const signal = await settled(signalId).finally(() => clearInterval(sampler));
        const cpu1 = { workers: engineCpu(), sim: descendants(sim.pid).reduce((a, p) => a + procCpuMs(p), 0), pg: postgresCpuMs(), machine: machineCpuMs() };
        const s = await db.signal.findUniqueOrThrow({ where: { id: signalId } });
        const execs = await db.execution.findMany({ where: { signalId }, select: { tier: true, status: true, sentAt: true, ackAt: true, message: true, exchange: true } });
        const t0 = s.receivedAt.getTime();
        const sent = execs.map((e) => (e.sentAt ? e.sentAt.getTime() - t0 : NaN));
        const acked = execs.map((e) => (e.ackAt ? e.ackAt.getTime() - t0 : NaN));
        const byStatus: Record<string, number> = {};
        for (const e of execs) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
        const tierMedian = Object.fromEntries(TIERS.map((tier) => [tier, median(execs.filter((e) => e.tier === tier && e.sentAt).map((e) => e.sentAt!.getTime() - t0))])) as Record<(typeof TIERS)[number], number>;
        // When each tier's first and last orders were written to their exchange connections (sentAt).
        const tierSpan = Object.fromEntries(TIERS.map((tier) => {
          const at = execs.filter((e) => e.tier === tier && e.sentAt).map((e) => e.sentAt!.getTime() - t0);
          return [tier, { first: Math.min(...at), last: Math.max(...at) }];
        })) as Record<(typeof TIERS)[number], { first: number; last: number }>;
        // Where the tail is: send-time deciles per exchange (ms after receipt).
        for (const ex of ["BINANCE", "BYBIT"] as const) {
          const at = execs.filter((e) => e.exchange === ex && e.sentAt).map((e) => e.sentAt!.getTime() - t0).sort((x, y) => x - y);
          if (at.length) notes.push(`${label}: ${ex} sends at deciles ${[0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99, 1].map((q) => at[Math.min(at.length - 1, Math.floor(q * at.length))]).join(" / ")} ms (p10 ... p99, max)`);
        }
        const wall = (cpu1.machine.total - cpu0.machine.total) / cpus().length;
        const busy = cpu1.machine.busy - cpu0.machine.busy;
        const spanMs = (s.completedAt?.getTime() ?? NaN) - t0;
        const firstErr = execs.find((e) => e.status !== "FILLED");
        notes.push(
          `${label}: ${execs.length} executions ${JSON.stringify(byStatus)} (signal ${signal.status})${firstErr ? `, first non-FILLED: ${firstErr.status} ${firstErr.message}` : ""}; ` +
            `decided +${s.decidedAt ? s.decidedAt.getTime() - t0 : NaN} ms, first sent +${Math.min(...sent)} ms, signal DONE +${spanMs} ms; ` +
            `CPU over ~${(wall / 1000).toFixed(1)} s: machine ${(busy / wall / cpus().length * 100).toFixed(0)}% of ${cpus().length} cores, ` +
            `workers ${((cpu1.workers - cpu0.workers) / 1000).toFixed(2)} s, simulator ${((cpu1.sim - cpu0.sim) / 1000).toFixed(2)} s, postgres ${((cpu1.pg - cpu0.pg) / 1000).toFixed(2)} s; ` +
              `peak ${peakConnections} connections to the database`,
        );
        return { count: execs.length, filled: byStatus.FILLED ?? 0, sentLast: Math.max(...sent), ackLast: Math.max(...acked), tierMedian, tierSpan, doneMs: spanMs };
      };

      // first: the first signal after the start; steady: the next one; new keys: subscribers created
      // after the workers started, whose clients are built on the way (~3 ms of CPU each)
      const first = await fanOut("first fan-out after start", main.webhookToken, "fanout-first");
      const steady = await fanOut("steady-state fan-out", main.webhookToken, "fanout-steady");
      await makeSubscribers(fresh.id, N + WARM_SUBSCRIBERS, N);
      const newKeys = await fanOut("new-keys fan-out", fresh.webhookToken, "fanout-new-keys");
      engineMs = Math.max(first.ackLast, steady.ackLast);

      // The same fan-out with tier order at the wire off (TIER_ORDER_WAIT_MS=0): what the order costs.
      let unordered: Awaited<ReturnType<typeof fanOut>> | null = null;
      if (WORKERS > 0) {
        for (const c of children) await stopGroup(c);
        children.length = 0;
        const ports = await Promise.all(Array.from({ length: WORKERS }, () => freePort()));
        for (const port of ports) children.push(startWorker(t.url, sim.url, key.toString("hex"), port, { TIER_ORDER_WAIT_MS: "0" }));
        await Promise.all(ports.map((port) => waitUntil("a worker's /health", async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 60_000, 200)));
        await warmUp("unordered");
        // compared with the steady fan-out, so its own first fan-out after the start is not the one measured
        await fanOut("unordered first fan-out (not compared)", main.webhookToken, "fanout-unordered-first");
        unordered = await fanOut("unordered steady fan-out (TIER_ORDER_WAIT_MS=0)", main.webhookToken, "fanout-unordered");
      }

      const runs = [["first", first, true], ["steady", steady, true], ["newkeys", newKeys, false], ...(unordered ? [["unordered", unordered, false] as const] : [])] as const;
      for (const [label, f, targeted] of runs) {
        const [op, t] = targeted ? (["<=", TARGET.sentMs] as const) : (["", null] as const);
        row(`${label}: orders FILLED`, f.filled, `/ ${f.count}`, ">=", N, `${label}.filled`);
        row(`${label}: last order sent after receipt`, f.sentLast, "ms", op, t, label === "first" ? "sent_last_ms" : `${label}.sent_last_ms`);
        row(`${label}: last order acknowledged`, f.ackLast, "ms", "", null, label === "first" ? "ack_last_ms" : `${label}.ack_last_ms`);
        for (const tier of TIERS) {
          const span = f.tierSpan[tier];
          rows.push([`${label}: ${tier} sent first-last`, `${span.first}-${span.last} ms`, "", ""]);
          results.push(resultLine(`fanout.${label}.${tier.toLowerCase()}_first_sent_ms`, span.first, {}), resultLine(`fanout.${label}.${tier.toLowerCase()}_last_sent_ms`, span.last, {}));
          row(`${label}: median send ${tier}`, f.tierMedian[tier], "ms", "", null, `${label}.median_sent_${tier.toLowerCase()}_ms`);
        }
        // Every PRO order written before any FLEX, every FLEX before any TRIAL (ms clock: a shared millisecond counts as before).
        const ordered = f.tierSpan.PRO.last <= f.tierSpan.FLEX.first && f.tierSpan.FLEX.last <= f.tierSpan.TRIAL.first;
        const gated = label !== "unordered";
        rows.push([`${label}: every PRO sent before any FLEX, every FLEX before any TRIAL`, ordered ? "yes" : "no", gated ? "yes" : "", gated ? (ordered ? "PASS" : "FAIL") : ""]);
        results.push(resultLine(`fanout.${label}.tier_order`, ordered ? 1 : 0, gated ? { op: "=", target: 1 } : {}));
      }
      if (unordered) {
        row("unordered (tier order off): last order acknowledged", unordered.ackLast, "ms", "", null, "unordered.ack_last_ms");
        row("tier order's cost: steady last ack / unordered last ack", steady.ackLast / unordered.ackLast, "x", "", null, "tier_order_cost", 2);
      }
      // keys the worker has never used (clients built on the way) against the warm fan-outs of the same size
      row("newkeys: last ack / warm last ack", newKeys.ackLast / engineMs, "x", "<=", 1.5, "newkeys_vs_warm", 2);

    }
    if (PHASES.has("sequential")) {
      // ---- 2. the naive sequential loop --------------------------------------------------------------
      const clients = new ExchangeClients({ keyring, simulatorUrl: sim.url });
      const naive = new ExchangeAdapter(clients);
      await Promise.all([clients.publicClient("BINANCE", "LIVE"), clients.publicClient("BYBIT", "LIVE")]); // markets preloaded, untimed
      const subs = await db.subscription.findMany({ where: { strategyId: main.id }, include: { credential: true }, orderBy: { userId: "asc" } });
      const pick = subs.filter((s) => s.credential).sort((a, b) => Number(a.userId.slice(3)) - Number(b.userId.slice(3))).slice(0, SEQUENTIAL);
      let seqErrors = 0;
      const seqStart = performance.now();
      for (const [k, s] of pick.entries()) {
        try {
          await naive.clients.clientFor(s.credential!);
          await naive.createOrder(s.credential!, { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.0004", clientOrderId: `kr-seq-${k}-${randomBytes(4).toString("hex")}` });
        } catch (err) {
          if (seqErrors++ === 0) console.error(`sequential: ${(err as Error).message}`);
        }
      }
      const seqMs = performance.now() - seqStart;
      const seqTotal = (seqMs / pick.length) * N;
      notes.push(
        `sequential: ${pick.length} orders one after another in ${(seqMs / 1000).toFixed(2)} s (${(seqMs / pick.length).toFixed(1)} ms each, ${seqErrors} errors)` +
          (pick.length < N ? `, extrapolated linearly to ${N}: ${(seqTotal / 1000).toFixed(1)} s` : "") +
          `; speed-up = sequential total / engine's last ack (the slower of first and steady, ${engineMs} ms)`,
      );
      row(`sequential: ${N} orders${pick.length < N ? ` (${pick.length} timed, extrapolated)` : ""}`, seqTotal / 1000, "s", "", null, "sequential_s", 1);
      row("engine speed-up over sequential", seqTotal / engineMs, "x", ">=", TARGET.speedup, "speedup", 1);

    }
    if (PHASES.has("webhook")) {
      // ---- 3. webhook ack latency ---------------------------------------------------------------------
      for (const c of children) await stopGroup(c);
      children.length = 0;
      await stopInProcess?.();
      stopInProcess = null;
      /** `count` distinct alerts, one every 1000/RATE ms whatever the answers do (open loop). */
      const openLoop = async (srv: Served, count: number, tag: string) => {
        const latencies: number[] = [];
        const statuses: Record<number, number> = {};
        const inflight: Promise<void>[] = [];
        let maxLag = 0;
        const t0 = performance.now();
        for (let k = 0; k < count; k++) {
          const due = t0 + (k * 1000) / RATE;
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait);
          const sentAt = performance.now();
          maxLag = Math.max(maxLag, sentAt - due);
          inflight.push(
            post(srv.url(hook.webhookToken), alert(`${tag}-${k}`)).then(
              (r) => {
                latencies.push(performance.now() - sentAt);
                statuses[r.status] = (statuses[r.status] ?? 0) + 1;
              },
              () => void (statuses[0] = (statuses[0] ?? 0) + 1),
            ),
          );
        }
        await Promise.all(inflight);
        return { latencies: latencies.sort((x, y) => x - y), statuses, maxLag, achieved: count / ((performance.now() - t0) / 1000) };
      };
      for (const [n, srv] of servers.entries()) {
        // the first server is the one measured against the target; the other shows what the route costs on top
        const tag = n === 0 ? "" : `.${srv.kind === "node:http" ? "minimal" : "next"}`;
        await openLoop(srv, RATE * 2, `hook-warm${n}`); // route loaded and JIT-compiled, pools filled: a server up for a while
        const serverCpu = () => (srv.pid ? descendants(srv.pid).reduce((a, p) => a + procCpuMs(p), 0) : NaN);
        const cpuBefore = serverCpu();
        const [pgBefore, machineBefore] = [postgresCpuMs(), machineCpuMs()];
        const count = RATE * SECONDS;
        const { latencies: lat, statuses, maxLag, achieved } = await openLoop(srv, count, `hook${n}`);
        const cpuPerRequest = (serverCpu() - cpuBefore) / count;
        const pgPerRequest = (postgresCpuMs() - pgBefore) / count;
        const machine = machineCpuMs();
        const machineBusy = (machine.busy - machineBefore.busy) / (machine.total - machineBefore.total);
        notes.push(
          `webhook (${srv.label}): ${count} distinct alerts at ${RATE}/s after ${RATE * 2} unmeasured (achieved ${achieved.toFixed(0)}/s, sender max lag ${maxLag.toFixed(1)} ms), ` +
            `answers ${JSON.stringify(statuses)}, p50 ${percentile(lat, 50).toFixed(1)} p90 ${percentile(lat, 90).toFixed(1)} p99 ${percentile(lat, 99).toFixed(1)} max ${lat[lat.length - 1]?.toFixed(1)} ms, ` +
            `server CPU ${cpuPerRequest.toFixed(2)} ms/request (${((cpuPerRequest * RATE) / 10).toFixed(0)}% of a core), PostgreSQL ${pgPerRequest.toFixed(2)} ms/request, ` +
            `machine ${(machineBusy * 100).toFixed(0)}% busy`,
        );
        row(`webhook ack p50 (${RATE}/s, ${srv.kind})`, percentile(lat, 50), "ms", "", null, `webhook${tag}_p50_ms`, 1);
        row(`webhook ack p99 (${RATE}/s, ${srv.kind})`, percentile(lat, 99), "ms", n === 0 ? "<=" : "", n === 0 ? TARGET.ackP99Ms : null, `webhook${tag}_p99_ms`, 1);
        row(`webhook server CPU per request (${srv.kind})`, cpuPerRequest, "ms", "", null, `webhook${tag}_cpu_ms`, 2);
        row(`webhook answers 202 (${srv.kind})`, statuses[202] ?? 0, `/ ${count}`, ">=", count, `webhook${tag}_202`);
      }
      notes.push("webhook: workers stopped for this part (the process_signal jobs just queue up)");
    }
  } finally {
    for (const c of children) await stopGroup(c);
    await stopInProcess?.();
    await stopWebhook?.();
    closeAgent();
    await sim.stop();
    await t.drop();
  }

  // ---- report -----------------------------------------------------------------------------------------
  console.log();
  for (const line of formatTable(["figure", "value", "target", ""], rows, (col) => col === 1)) console.log(line);
  console.log();
  for (const n of notes) console.log(n);
  console.log(`total bench time ${((performance.now() - started) / 1000).toFixed(1)} s, load average ${loadavg()[0]!.toFixed(2)} at the end`);
  console.log();
  for (const r of results) console.log(r);

  // ---- pieces ---------------------------------------------------------------------------------------
  function startWorker(databaseUrl: string, simUrl: string, encryptionKey: string, healthPort: number, env?: Record<string, string>): ChildProcess {
    // WORKER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", for profiling) runs node directly with tsx's loader
    return startWorkerProcess({
      databaseUrl, simUrl, encryptionKey, healthPort, concurrency: CONCURRENCY, poolSize: POOL_SIZE, env,
      nodeArgs: process.env.WORKER_NODE_ARGS?.split(" ").filter(Boolean),
      logLevel: process.env.WORKER_LOG_LEVEL ?? "error",
      stdout: process.env.WORKER_LOG_LEVEL ? "inherit" : "ignore",
    });
  }
}

await main();
process.exit(0);
