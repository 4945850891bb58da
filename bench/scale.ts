// Scale-out: the 1,000-subscriber fan-out with 1, 2 and 4 worker processes (`npm run worker`)
// against one PostgreSQL, throughput for each. Simulator in its own process, 20 ms latency.
// Run: npx tsx bench/scale.ts   (creates and drops its own database; exits 0; asserts nothing)
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import net from "node:net";
import os from "node:os";
import { graphileSink } from "~/server/engine/runtime";
import { receiveSignal } from "~/server/signals/receive-signal";
import { createTestDatabase } from "~/server/test/test-db";
import { createKeyring } from "~/server/vault/keyring";
import { seal } from "~/server/vault/secret-box";

const N = Number(process.env.SCALE_SUBSCRIBERS ?? 1000);
const WORKERS = [1, 2, 4];
const LATENCY_MS = 20;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
const groups: ChildProcess[] = [];
const spawnGroup = (args: string[], env: Record<string, string>) => {
  const c = spawn("npx", args, { env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "ignore", "inherit"] });
  groups.push(c);
  return c;
};
const killGroup = (c: ChildProcess) => {
  try {
    process.kill(-c.pid!, "SIGTERM");
  } catch {}
};
async function until(fn: () => Promise<boolean>, ms = 120_000, every = 50) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error("timed out");
}
const post = async (url: string, path: string, body: unknown) => {
  const r = await fetch(url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<Record<string, string>>;
};

const t = await createTestDatabase({ prefix: "kr_bench_scale" });
const db = t.database.prisma;
const simPort = await freePort();
const simUrl = `http://127.0.0.1:${simPort}`;
const sim = spawnGroup(["tsx", "src/sim/main.ts"], { SIM_PORT: String(simPort) });
try {
  await until(async () => (await fetch(`${simUrl}/__sim/health`).catch(() => null))?.ok === true);
  await post(simUrl, "/__sim/limits", { binanceWeight: 1_000_000, bybitOrders: 1_000_000 });
  for (const exchange of ["binance", "bybit"]) await post(simUrl, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
  const key = crypto.randomBytes(32);
  const keyring = createKeyring({ primary: key });
  const accounts = [];
  for (let i = 0; i < N; i += 100) {
    accounts.push(...(await Promise.all(Array.from({ length: Math.min(100, N - i) }, (_, j) => post(simUrl, "/__sim/accounts", { exchange: (i + j) % 2 ? "binance" : "bybit", balances: { USDT: "1000000" } })))));
  }
  const tiers = ["PRO", "FLEX", "TRIAL"] as const;
  await db.user.createMany({ data: accounts.map((_, i) => ({ id: `sc_u${i}`, email: `sc${i}@example.com`, name: "s", passwordHash: "x", tier: tiers[i % 3], trialEndsAt: new Date(Date.now() + 86_400_000), tradingMode: "PERSONAL" as const })) });
  await db.exchangeCredential.createMany({
    data: accounts.map((a, i) => {
      const exchange = i % 2 ? ("BINANCE" as const) : ("BYBIT" as const);
      return { id: `sc_c${i}`, userId: `sc_u${i}`, exchange, environment: "LIVE" as const, apiKey: a.apiKey!, keyId: keyring.primaryId, status: "ACTIVE" as const, canRead: true, canTrade: true, sealedSecret: seal(keyring, a.secret!, { userId: `sc_u${i}`, exchange, environment: "LIVE", apiKey: a.apiKey! }) };
    }),
  });
  const strategy = await db.strategy.create({ data: { name: "scale", allowedSymbols: ["BTC/USDT"], webhookToken: crypto.randomBytes(24).toString("base64url"), rateLimitPerMinute: 100_000 } });
  await db.subscription.createMany({ data: accounts.map((_, i) => ({ userId: `sc_u${i}`, strategyId: strategy.id, credentialId: `sc_c${i}`, sizingMode: "FIXED_QUOTE" as const, sizingValue: 20 })) });
  const jobs = graphileSink();
  const workerEnv = {
    NODE_ENV: "production" as const,
    DATABASE_URL: t.url,
    EXCHANGE_SIMULATOR_URL: simUrl,
    ENCRYPTION_KEY: key.toString("hex"),
    NEXTAUTH_SECRET: "x".repeat(40),
    LOG_LEVEL: "error",
  };
  const fanOut = async (tag: string) => {
    const r = await receiveSignal({ db, jobs }, { pathToken: strategy.webhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000, id: tag }), ip: null });
    const signalId = String(r.body.signalId);
    await until(async () => (await db.signal.findUnique({ where: { id: signalId } }))?.status === "DONE", 180_000, 25);
    const s = await db.signal.findUniqueOrThrow({ where: { id: signalId } });
    const agg = await db.execution.aggregate({ where: { signalId }, _max: { ackAt: true }, _count: { _all: true } });
    const filled = await db.execution.count({ where: { signalId, status: "FILLED" } });
    return { ms: agg._max.ackAt!.getTime() - s.receivedAt.getTime(), filled, total: agg._count._all };
  };

  const rows: { workers: number; ms: number; perSecond: number; filled: number }[] = [];
  for (const n of WORKERS) {
    const procs = Array.from({ length: n }, () => spawnGroup(["tsx", "scripts/worker.ts"], { ...workerEnv, WORKER_CONCURRENCY: "8" }));
    await until(async () => (await db.workerHeartbeat.count({ where: { lastSeenAt: { gt: new Date(Date.now() - 5_000) } } })) >= n * 8, 60_000, 200);
    await post(simUrl, "/__sim/faults", { latencyMs: 0 });
    // Warm-up: every process loads markets and builds the ccxt clients of the keys it will serve
    // (batches go to whichever worker is free, so a few rounds until most keys are warm everywhere).
    for (let w = 0; w < 1 + n; w++) await fanOut(`warm-${n}-${w}`);
    await fetch(`${simUrl}/__sim/faults`, { method: "DELETE" });
    await post(simUrl, "/__sim/faults", { latencyMs: LATENCY_MS });
    const r = await fanOut(`run-${n}`);
    await fetch(`${simUrl}/__sim/faults`, { method: "DELETE" });
    rows.push({ workers: n, ms: r.ms, perSecond: Math.round((r.total / r.ms) * 1000), filled: r.filled });
    for (const p of procs) killGroup(p);
    await until(async () => (await db.workerHeartbeat.count({ where: { lastSeenAt: { gt: new Date(Date.now() - 3_000) } } })) === 0, 30_000, 200).catch(() => undefined);
    await db.workerHeartbeat.deleteMany();
  }
  console.log(`scale bench — ${N} subscribers, simulator latency ${LATENCY_MS} ms, ${os.cpus().length} cores, WORKER_CONCURRENCY 8 per process\n`);
  console.log("workers   receipt -> last ack   orders/s   filled");
  for (const r of rows) console.log(`${String(r.workers).padStart(7)}   ${`${r.ms} ms`.padStart(19)}   ${String(r.perSecond).padStart(8)}   ${r.filled}/${N}`);
  const base = rows[0]!.perSecond;
  for (const r of rows) console.log(`RESULT scale.orders_per_s.workers_${r.workers}=${r.perSecond}${r.workers > 1 ? ` target>=${base}` : ""}`);
  console.log(`\nspeed-up: ${rows.map((r) => `${r.workers} worker(s) ${(r.perSecond / base).toFixed(2)}x`).join(", ")}`);
} finally {
  for (const c of groups) killGroup(c);
  killGroup(sim);
  await new Promise((r) => setTimeout(r, 500));
  await t.drop();
}
