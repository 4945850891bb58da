// A burst at the candle close: BURST_ALERTS (1,000) distinct TradingView alerts over BURST_STRATEGIES
// (100) strategies with 10 subscribers each, all sent within BURST_WINDOW_MS (1,000 ms), open loop
// (one every window/alerts ms whatever the answers do), each on a new connection (TradingView's
// senders do not share one), to:
//   route     the real webhook route: the production server (`node --import tsx scripts/server.ts`,
//             NODE_ENV=production, the build in .next, as bench/fanout.ts's "webhook" phase runs it).
//             Without a build (or with BURST_SERVER=http): the minimal node:http server of
//             bench/webhook-servers.ts calling receiveSignal as the route does, and the output says so.
//   baseline  a bare node:http server in a child process doing one `INSERT ... RETURNING id` per
//             request (the raw body into a bench table) on the same PostgreSQL through a pg Pool of
//             10 connections (the web process's DATABASE_POOL_SIZE default): the floor an answer costs.
// No worker runs: only the answer path is measured (the process_signal jobs just queue up). Each
// server first takes BURST_WARM alerts at 200/s, unmeasured (modules loaded, JIT warm, pools filled,
// strategies cached: a server that has been up a while), and is idle before its burst.
// Per server: answer time (request start -> end of the response) p50/p99/max, answers over 3 s
// (TradingView gives up then, and never re-sends after a timeout), unanswered, lost (sent - rows
// created: Signal rows for the route, bench rows for the baseline), and CPU per accepted (202) alert
// of the server's process tree from just before the first send until it is idle again after the last
// answer (work done after the answer counts), with PostgreSQL's CPU per alert beside it.
// Targets: none over 3 s, 0 lost, every alert answered, server CPU per alert <= 3x the baseline's.
// Run: npx tsx bench/burst.ts   (env: BURST_ALERTS 1000, BURST_STRATEGIES 100, BURST_WINDOW_MS 1000,
// BURST_WARM 300, BURST_SERVER next|http). Creates and drops its own database; exits 0 unless the run
// itself breaks.
import { randomBytes } from "node:crypto";
import http from "node:http";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

import {
  loadNote, machine, machineCpuMs, percentile, postgresCpuMs, printResult, procMemMb, seedSubscribers, sleep, startSim, subscribe, throwawayDatabase, treeCpuMs, waitQuiet,
} from "./harness";
import { forkServer, serveChild, startMinimalRoute, startNextRoute } from "./webhook-servers";

const ALERTS = Number(process.env.BURST_ALERTS ?? 1000);
const STRATEGIES = Number(process.env.BURST_STRATEGIES ?? 100);
const WINDOW_MS = Number(process.env.BURST_WINDOW_MS ?? 1000);
const WARM = Number(process.env.BURST_WARM ?? 300);
const SERVER = process.env.BURST_SERVER ?? "next";
const SUBSCRIBERS = 10;
const BASELINE_POOL = 10;
const TARGET = { answerMs: 3000, cpuVsBaseline: 3 };
const HERE = fileURLToPath(import.meta.url);

interface Server {
  kind: "route" | "baseline";
  label: string;
  pid: number;
  /** POST URL for a strategy's token */
  url(token: string): string;
  /** rows the server has created so far */
  rows(): Promise<number>;
  stop(): Promise<void>;
}

/** POST on a new connection; status 0 when there is no answer (error, or 30 s without one). */
function post(url: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", () => resolve(0));
    });
    req.setTimeout(30_000, () => req.destroy());
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

/** `count` distinct alerts spread evenly over `windowMs`, round-robin over the tokens. */
async function send(server: Server, tokens: readonly string[], count: number, windowMs: number, tag: string) {
  const answers: { ms: number; status: number }[] = [];
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let k = 0; k < count; k++) {
    const wait = t0 + (k * windowMs) / count - performance.now();
    if (wait > 1) await sleep(wait);
    const body = JSON.stringify({ ticker: "BTCUSDT", action: k % 2 ? "sell" : "buy", price: 50000, id: `${tag}-${k}` });
    const sentAt = performance.now();
    inflight.push(post(server.url(tokens[k % tokens.length]!), body).then((status) => void answers.push({ ms: performance.now() - sentAt, status })));
  }
  const sendSpanMs = performance.now() - t0;
  await Promise.all(inflight);
  return { answers, sendSpanMs };
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const { createKeyring } = await import("~/server/vault/keyring");
  const { insertStrategy } = await import("~/server/test/strategy-fixtures");
  const encryptionKey = randomBytes(32);
  const t = await throwawayDatabase("kr_bench_burst");
  const db = t.database.prisma;
  const servers: Server[] = [];
  console.log(`burst bench — ${machine()}; ${ALERTS} distinct alerts over ${STRATEGIES} strategies (${SUBSCRIBERS} subscribers each) within ${WINDOW_MS} ms, a new connection each; no worker running`);
  try {
    // fixtures: strategies with subscribers (the route counts them), and the baseline's table
    const tokens: string[] = [];
    for (let s = 0; s < STRATEGIES; s++) tokens.push((await insertStrategy(db, { name: `burst ${s}`, allowedSymbols: ["BTC/USDT"], rateLimitPerMinute: 1_000_000 })).webhookToken);
    const sim = await startSim();
    try {
      await seedSubscribers(db, { simUrl: sim.url, keyring: createKeyring({ primary: encryptionKey }), prefix: "bu", from: 0, count: SUBSCRIBERS });
    } finally {
      await sim.stop();
    }
    for (const strategy of await db.strategy.findMany({ select: { id: true } })) await subscribe(db, { strategyId: strategy.id, prefix: "bu", from: 0, count: SUBSCRIBERS });
    await t.database.raw.query(`CREATE TABLE bench_alert (id bigserial PRIMARY KEY, token text NOT NULL, body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`);

    const next = SERVER === "next" ? await startNextRoute(t.url, encryptionKey.toString("hex")) : null;
    if (SERVER !== "next") console.log("BURST_SERVER=http: the minimal node:http route");
    const route: Server = next
      ? { ...next, kind: "route", rows: () => db.signal.count() }
      : { ...(await startMinimalRoute(t.url)), kind: "route", label: "NOT the Next route: a minimal node:http server calling receiveSignal (bench/webhook-servers.ts)", rows: () => db.signal.count() };
    servers.push(route, await startBaseline(t.url));
    console.log(`route: ${route.label}`);
    const cpuPerAlert: Record<Server["kind"], number> = { route: NaN, baseline: NaN };
    for (const server of servers) {
      await send(server, tokens, WARM, (WARM / 200) * 1000, `warm-${server.kind}`);
      await waitQuiet(() => treeCpuMs(server.pid), { maxMs: 10_000 });
      const rowsBefore = await server.rows();
      const cpu0 = { server: treeCpuMs(server.pid), pg: postgresCpuMs(), machine: machineCpuMs() };
      const { answers, sendSpanMs } = await send(server, tokens, ALERTS, WINDOW_MS, `burst-${server.kind}`);
      const answeredMs = Math.max(...answers.map((a) => a.ms));
      await waitQuiet(() => treeCpuMs(server.pid), { maxMs: 5_000 });
      const cpu1 = { server: treeCpuMs(server.pid), pg: postgresCpuMs(), machine: machineCpuMs() };
      const created = (await server.rows()) - rowsBefore;
      const ms = answers.filter((a) => a.status !== 0).map((a) => a.ms);
      const statuses: Record<number, number> = {};
      for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      const accepted = statuses[202] ?? 0;
      const over = answers.filter((a) => a.status === 0 || a.ms > TARGET.answerMs).length;
      const unanswered = statuses[0] ?? 0;
      const lost = ALERTS - created;
      cpuPerAlert[server.kind] = (cpu1.server - cpu0.server) / Math.max(1, accepted);
      const pgPerAlert = (cpu1.pg - cpu0.pg) / ALERTS;
      const busy = (cpu1.machine.busy - cpu0.machine.busy) / (cpu1.machine.total - cpu0.machine.total);
      console.log(
        `${server.kind} (${server.label}): sent in ${sendSpanMs.toFixed(0)} ms, all answered after ${answeredMs.toFixed(0)} ms; answers ${JSON.stringify(statuses)}; ` +
          `p50 ${percentile(ms, 50).toFixed(0)} p99 ${percentile(ms, 99).toFixed(0)} max ${percentile(ms, 100).toFixed(0)} ms; ${created} rows created; ` +
          `server CPU ${(cpu1.server - cpu0.server).toFixed(0)} ms (${cpuPerAlert[server.kind].toFixed(2)} ms per accepted alert), PostgreSQL ${pgPerAlert.toFixed(2)} ms per alert, ` +
          `machine ${(busy * 100).toFixed(0)}% busy; server peak RSS ${procMemMb(server.pid, "VmHWM").toFixed(0)} MB`,
      );
      const p = server.kind === "route" ? "burst" : "burst.baseline";
      const target = server.kind === "route";
      printResult(`${p}.answer_p50_ms`, percentile(ms, 50), { digits: 0 });
      printResult(`${p}.answer_p99_ms`, percentile(ms, 99), { digits: 0 });
      printResult(`${p}.answer_max_ms`, percentile(ms, 100), { digits: 0 });
      printResult(`${p}.over_3s`, over, target ? { op: "=", target: 0 } : {});
      printResult(`${p}.unanswered`, unanswered, target ? { op: "=", target: 0 } : {});
      printResult(`${p}.lost`, lost, target ? { op: "=", target: 0 } : {});
      printResult(`${p}.cpu_ms_per_alert`, cpuPerAlert[server.kind], { digits: 3 });
      printResult(`${p}.postgres_cpu_ms_per_alert`, pgPerAlert, { digits: 3 });
    }
    printResult("burst.cpu_vs_baseline", cpuPerAlert.route / cpuPerAlert.baseline, { digits: 2, op: "<=", target: TARGET.cpuVsBaseline });
    const note = loadNote(loadBefore);
    if (note) console.log(note);
  } finally {
    for (const s of servers) await s.stop();
    await t.drop();
  }

  async function startBaseline(databaseUrl: string): Promise<Server> {
    const child = await forkServer(HERE, ["--baseline-child", databaseUrl]);
    const rows = async () => (await t.database.raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM bench_alert`))[0]?.n ?? 0;
    return { ...child, kind: "baseline", label: `bare node:http, one INSERT ... RETURNING per request, pg Pool of ${BASELINE_POOL}`, rows };
  }
}

/** The baseline server: read the body, one INSERT ... RETURNING, answer 202 with the id. */
async function runBaselineChild(databaseUrl: string): Promise<void> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: databaseUrl, max: BASELINE_POOL });
  await serveChild(
    async (token, body) => ({ status: 202, body: { id: (await pool.query<{ id: string }>("INSERT INTO bench_alert (token, body) VALUES ($1, $2) RETURNING id", [token, body])).rows[0]?.id } }),
    () => pool.end(),
  );
}

if (process.argv[2] === "--baseline-child") {
  await runBaselineChild(process.argv[3]!);
} else {
  await main();
  process.exit(0);
}
