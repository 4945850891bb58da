// What every bench script shares: the exchange simulator (in its own process or in this one),
// statistics, timing loops, child processes, a throwaway database with subscribers, and the
// `RESULT <figure>=<value> [target<op><number>]` lines scripts/bench.ts collects into its table.
// Not a bench itself: scripts/bench.ts skips this file. Heavy modules (Prisma, the vault, the
// simulator) are imported inside the functions that need them, so the simulator child stays small.
import { createHash } from "node:crypto";
import { fork, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RateLimits } from "~/sim/state";
import type { TestDatabase } from "~/server/test/test-db";
import type { Keyring } from "~/server/vault/keyring";

const HERE = fileURLToPath(import.meta.url);

// ---- the exchange simulator -----------------------------------------------------------------------

export interface SimHandle {
  url: string;
  /** The simulator's process: this one when in-process. */
  pid: number;
  inProcess: boolean;
  /** CPU time (user + system, µs) the simulator's process has used so far: diff two readings. */
  cpuUs(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the simulator in a child process (default: its CPU is not the caller's, and it gets a core
 * of its own), or in this process with `inProcess`. `limits` overrides the per-key rate limits.
 */
export async function startSim(opts: { limits?: Partial<RateLimits>; inProcess?: boolean } = {}): Promise<SimHandle> {
  if (opts.inProcess) {
    const { startSimulator } = await import("~/sim/server");
    const sim = await startSimulator({ port: 0, limits: opts.limits });
    return { url: sim.url, pid: process.pid, inProcess: true, cpuUs: async () => cpuUsNow(), stop: () => sim.close() };
  }
  // fork inherits tsx's loader flags from process.execArgv
  const child: ChildProcess = fork(HERE, ["--sim-child", JSON.stringify(opts.limits ?? {})], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`simulator child exited early (${code})`)));
  });
  const cpuUs = () =>
    new Promise<number>((resolve) => {
      child.once("message", (m) => {
        const c = (m as { cpu: NodeJS.CpuUsage }).cpu;
        resolve(c.user + c.system);
      });
      child.send("cpu");
    });
  const stop = () => stopChild(child);
  return { url, pid: child.pid!, inProcess: false, cpuUs, stop };
}

/** Asks a forked child to "stop" and resolves once it exited (SIGKILL after 5 s). */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.send("stop");
  });
}

async function runSimChild(limits: Partial<RateLimits>): Promise<void> {
  const { startSimulator } = await import("~/sim/server");
  const sim = await startSimulator({ port: 0, limits });
  process.on("message", (msg) => {
    if (msg === "cpu") process.send?.({ cpu: process.cpuUsage() });
    if (msg === "stop") void sim.close().then(() => process.exit(0));
  });
  process.on("disconnect", () => process.exit(0)); // the parent died: do not linger
  process.send?.({ url: sim.url });
}

// ---- statistics -----------------------------------------------------------------------------------

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((sorted.length * p) / 100) - 1))]!;
}

/** The middle value (mean of the two middle ones for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export interface Summary {
  n: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  return { n: values.length, median: median(values), p90: percentile(values, 90), p99: percentile(values, 99), max: percentile(values, 100), mean: mean(values) };
}

// ---- timing ---------------------------------------------------------------------------------------

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** CPU time (user + system, µs) this process has used so far. */
export function cpuUsNow(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

/** Microseconds per call of a synchronous `fn`, one sample per call, after `warmup` unmeasured calls. */
export function timeSync(fn: () => unknown, opts: { calls: number; warmup?: number }): number[] {
  for (let i = 0; i < (opts.warmup ?? 0); i++) fn();
  const micros: number[] = [];
  for (let i = 0; i < opts.calls; i++) {
    const start = process.hrtime.bigint();
    fn();
    micros.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  return micros;
}

/** Milliseconds per run of an async `fn`, one after another, after `warmup` unmeasured runs. */
export async function timeAsync(fn: () => Promise<unknown>, opts: { runs: number; warmup?: number }): Promise<number[]> {
  for (let i = 0; i < (opts.warmup ?? 0); i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  return ms;
}

export type Work = (i: number) => Promise<unknown>;

export interface PoolRun {
  count: number;
  errors: number;
  seconds: number;
  /** this process, user + system */
  cpuUs: number;
  /** the simulator's process over the run (0 without `sim`) */
  simCpuUs: number;
  /** ms per item */
  latencies: number[];
}

const reportedErrors = new Set<string>();

/**
 * Items `from` .. `from + count - 1`, each run by whichever worker is free (one worker = one item in
 * flight); a failed item counts as an error, and the first error per label is printed.
 */
export async function runPool(label: string, opts: { count: number; from?: number; workers: readonly Work[]; sim?: SimHandle | null }): Promise<PoolRun> {
  const latencies: number[] = [];
  const end = (opts.from ?? 0) + opts.count;
  let next = opts.from ?? 0;
  let errors = 0;
  const simBefore = opts.sim ? await opts.sim.cpuUs() : 0;
  const cpuBefore = cpuUsNow();
  const started = performance.now();
  await Promise.all(
    opts.workers.map(async (work) => {
      for (let i = next++; i < end; i = next++) {
        const t = performance.now();
        try {
          await work(i);
        } catch (e) {
          errors++;
          if (!reportedErrors.has(label)) {
            reportedErrors.add(label);
            console.error(`first error in ${label}: ${(e as Error).message.slice(0, 300)}`);
          }
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = cpuUsNow() - cpuBefore;
  const simCpuUs = opts.sim ? (await opts.sim.cpuUs()) - simBefore : 0;
  return { count: opts.count, errors, seconds, cpuUs, simCpuUs, latencies };
}

/** Polls `fn` (errors count as "not yet") until it returns something truthy. */
export async function waitUntil<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

// ---- child processes ------------------------------------------------------------------------------

/** A process group (spawn detached): stop it with stopGroup, which takes its grandchildren too. */
export function spawnGroup(cmd: string, args: string[], opts: { env?: Record<string, string | undefined>; stdout?: "ignore" | "inherit" | "pipe" } = {}): ChildProcess {
  return spawn(cmd, args, { env: { ...process.env, ...opts.env }, detached: true, stdio: ["ignore", opts.stdout ?? "ignore", "inherit"] });
}

/** SIGTERM to the group, SIGKILL after a grace period; resolves once the leader exited. */
export async function stopGroup(child: ChildProcess, graceMs = 8_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** `scripts/worker.ts`, the production job runner, in its own process group. */
export function startWorkerProcess(opts: {
  databaseUrl: string;
  simUrl: string;
  encryptionKey: string;
  concurrency: number;
  poolSize?: number;
  healthPort?: number;
  logLevel?: string;
  /** run node directly with tsx's loader and these flags (e.g. --cpu-prof) instead of npx tsx */
  nodeArgs?: string[];
  /** node directly (`node --import tsx`) even without nodeArgs: the child's pid is then the worker's own */
  direct?: boolean;
  /** more environment (e.g. DRIFT_CHECK_DELAY_MS) */
  env?: Record<string, string>;
  stdout?: "ignore" | "inherit" | "pipe";
}): ChildProcess {
  const direct = opts.direct || Boolean(opts.nodeArgs?.length);
  const [cmd, args] = direct ? [process.execPath, [...(opts.nodeArgs ?? []), "--import", "tsx", "scripts/worker.ts"]] : ["npx", ["tsx", "scripts/worker.ts"]];
  return spawnGroup(cmd, args, {
    stdout: opts.stdout,
    env: {
      NODE_ENV: "production",
      DATABASE_URL: opts.databaseUrl,
      EXCHANGE_SIMULATOR_URL: opts.simUrl,
      ENCRYPTION_KEY: opts.encryptionKey,
      // One audit key for every worker of a bench (production requires one; audit-key.ts).
      AUDIT_HMAC_KEY: process.env.AUDIT_HMAC_KEY ?? createHash("sha256").update(`bench-audit-key:${opts.encryptionKey}`).digest("hex"),
      NEXTAUTH_SECRET: "x".repeat(40),
      WORKER_CONCURRENCY: String(opts.concurrency),
      ...(opts.poolSize === undefined ? {} : { DATABASE_POOL_SIZE: String(opts.poolSize) }),
      ...(opts.healthPort === undefined ? {} : { WORKER_HEALTH_PORT: String(opts.healthPort) }),
      LOG_LEVEL: opts.logLevel ?? "error",
      ...opts.env,
    },
  });
}

// ---- what a process costs (Linux /proc): CPU, memory ----------------------------------------------

const TICK_MS = 10; // USER_HZ 100

/**
 * CPU time (user + system, ms, 10 ms ticks) process `pid` has used so far; 0 once it is gone. With
 * `reaped`, plus that of its children that exited and were waited for (cutime + cstime).
 */
export function procCpuMs(pid: number, opts: { reaped?: boolean } = {}): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const own = Number(f[11]) + Number(f[12]); // utime + stime
    return (opts.reaped ? own + Number(f[13]) + Number(f[14]) : own) * TICK_MS;
  } catch {
    return 0;
  }
}

/** `pid` and every process under it (npx -> tsx -> node), from /proc children lists. */
export function descendants(pid: number): number[] {
  const out: number[] = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const task of fs.readdirSync(`/proc/${out[i]}/task`)) {
        const kids = fs.readFileSync(`/proc/${out[i]}/task/${task}/children`, "utf8").trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      /* gone */
    }
  }
  return out;
}

/** CPU ms of `pid` and its descendants. */
export const treeCpuMs = (pid: number): number => descendants(pid).reduce((a, p) => a + procCpuMs(p), 0);

/**
 * CPU ms of every `postgres` process on the machine (the server the benches share), including
 * backends that have exited since (the postmaster's reaped-children time), so closing connections
 * never makes the total go down.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/comm`, "utf8").trim() === "postgres") total += procCpuMs(Number(d), { reaped: true });
    } catch {
      /* gone */
    }
  }
  return total;
}

/** Busy and total CPU ms of the whole machine (all cores) so far, from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  const total = line.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
}

/** A memory field of /proc/<pid>/status in MB (VmRSS now, VmHWM the peak RSS so far); NaN once gone. */
export function procMemMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Waits until `cpuMs()` grows by less than `share` of a core per `everyMs`, `times` readings in a row (or `maxMs` passed). */
export async function waitQuiet(cpuMs: () => number, opts: { share?: number; everyMs?: number; times?: number; maxMs?: number } = {}): Promise<number> {
  const { share = 0.05, everyMs = 250, times = 3, maxMs = 60_000 } = opts;
  const started = performance.now();
  for (let last = cpuMs(), quiet = 0; quiet < times && performance.now() - started < maxMs; ) {
    await sleep(everyMs);
    const now = cpuMs();
    quiet = now - last <= everyMs * share ? quiet + 1 : 0;
    last = now;
  }
  return performance.now() - started;
}

// ---- a throwaway database and subscribers ---------------------------------------------------------

/** A fresh PostgreSQL database on TEST_DATABASE_URL's server, migrated; `drop()` it in a finally. */
export async function throwawayDatabase(prefix: string): Promise<TestDatabase> {
  const { createTestDatabase } = await import("~/server/test/test-db");
  return createTestDatabase({ prefix });
}

type Db = TestDatabase["database"]["prisma"];
const TIERS = ["PRO", "FLEX", "TRIAL"] as const;

/** Subscriber n trades on Binance when n is odd, Bybit when even; tiers PRO, FLEX, TRIAL in turn. */
export const exchangeOf = (n: number): "BINANCE" | "BYBIT" => (n % 2 ? "BINANCE" : "BYBIT");
export const tierOf = (n: number): (typeof TIERS)[number] => TIERS[n % 3]!;

/**
 * Users `<prefix>_u<n>` for n in from .. from + count - 1, each with a simulator account (1,000,000
 * USDT), a sealed ACTIVE key `<prefix>_c<n>` on it and, with `strategyId`, a subscription (20 USDT
 * per order); rows go in with createMany.
 */
export async function seedSubscribers(db: Db, opts: { simUrl: string; keyring: Keyring; prefix: string; from: number; count: number; strategyId?: string }): Promise<void> {
  const { createSimAccount } = await import("~/sim/ccxt-test-clients");
  const { seal } = await import("~/server/vault/secret-box");
  const { prefix, from, count, keyring } = opts;
  const accounts: { apiKey: string; secret: string }[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) =>
      createSimAccount(opts.simUrl, { exchange: exchangeOf(from + i + j) === "BINANCE" ? "binance" : "bybit", balances: { USDT: "1000000" } }),
    );
    accounts.push(...(await Promise.all(batch)));
  }
  const n = (k: number) => from + k;
  await db.user.createMany({
    data: accounts.map((_, k) => ({
      id: `${prefix}_u${n(k)}`, email: `${prefix}${n(k)}@bench.example.com`, name: prefix, passwordHash: "x", tier: tierOf(n(k)),
      trialEndsAt: new Date(Date.now() + 86_400_000), tradingMode: "PERSONAL" as const,
    })),
  });
  await db.exchangeCredential.createMany({
    data: accounts.map((a, k) => {
      const [userId, exchange] = [`${prefix}_u${n(k)}`, exchangeOf(n(k))];
      return {
        id: `${prefix}_c${n(k)}`, userId, exchange, environment: "LIVE", apiKey: a.apiKey, keyId: keyring.primaryId, status: "ACTIVE", canRead: true, canTrade: true,
        sealedSecret: seal(keyring, a.secret, { userId, exchange, environment: "LIVE", apiKey: a.apiKey }),
      } as const;
    }),
  });
  if (opts.strategyId) await subscribe(db, { strategyId: opts.strategyId, prefix, from, count });
}

/** Subscribes users seeded by seedSubscribers (from .. from + count - 1) to a strategy with their key. */
export function subscribe(db: Db, opts: { strategyId: string; prefix: string; from: number; count: number }) {
  return db.subscription.createMany({
    data: Array.from({ length: opts.count }, (_, k) => ({
      userId: `${opts.prefix}_u${opts.from + k}`, strategyId: opts.strategyId, credentialId: `${opts.prefix}_c${opts.from + k}`, sizingMode: "FIXED_QUOTE" as const, sizingValue: 20,
    })),
  });
}

// ---- output ---------------------------------------------------------------------------------------

export type TargetOp = "<" | "<=" | ">" | ">=" | "=";

export function meetsTarget(value: number, op: TargetOp, target: number): boolean {
  return op === "<" ? value < target : op === "<=" ? value <= target : op === ">" ? value > target : op === ">=" ? value >= target : value === target;
}

/**
 * The line scripts/bench.ts collects: `RESULT <figure>=<value>`, plus ` target<op><number> PASS|FAIL`
 * when there is a target. Put a ratio to a baseline measured in the same run beside any absolute
 * figure: on a shared machine the ratio is what survives the noise.
 */
export function resultLine(figure: string, value: number, opts: { digits?: number; op?: TargetOp; target?: number } = {}): string {
  const shown = opts.digits === undefined ? String(value) : value.toFixed(opts.digits);
  if (opts.op === undefined || opts.target === undefined) return `RESULT ${figure}=${shown}`;
  return `RESULT ${figure}=${shown} target${opts.op}${opts.target} ${meetsTarget(value, opts.op, opts.target) ? "PASS" : "FAIL"}`;
}

export function printResult(...args: Parameters<typeof resultLine>): void {
  console.log(resultLine(...args));
}

export interface ParsedResult {
  figure: string;
  value: number;
  op?: TargetOp;
  target?: number;
}

/** Reads a resultLine back (null for any other line); NaN values are not figures. */
export function parseResultLine(line: string): ParsedResult | null {
  const m = /^RESULT\s+(\S+)=(-?[\d.]+)(?:\s+target(<=|>=|<|>|=)(-?[\d.]+))?/.exec(line.trim());
  if (!m) return null;
  const [, figure, value, op, target] = m;
  return { figure: figure!, value: Number(value), ...(op ? { op: op as TargetOp, target: Number(target) } : {}) };
}

/** Header, a rule of dashes, rows; columns two spaces apart, right-aligned where `right(col)`. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], right: (col: number) => boolean): string[] {
  const table = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...table.map((row) => (row[col] ?? "").length)));
  const line = (row: readonly string[]) => widths.map((w, col) => (right(col) ? (row[col] ?? "").padStart(w) : (row[col] ?? "").padEnd(w))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}

/** `node v20..., <cpu model> x2, load average 1.23`: the first line of every bench's output. */
export function machine(): string {
  return `node ${process.version}, ${cpus()[0]?.model ?? "unknown cpu"} x${cpus().length}, load average ${loadavg()[0]!.toFixed(2)}`;
}

/** A note when other processes competed for the CPU during the run (load above cores - 1), else null. */
export function loadNote(loadBefore: number, steadier = "the ratios to baselines measured in the same run are"): string | null {
  const load = Math.max(loadBefore, loadavg()[0]!);
  if (load <= cpus().length - 1) return null;
  return `NOTE: load average ${load.toFixed(1)} on ${cpus().length} cores: other processes competed for the CPU, so absolute times are noisy; ${steadier} the steadier figures.`;
}

// ---- entry: `fork(harness.ts, ["--sim-child", limits])` runs the simulator and answers CPU probes ---
if (path.resolve(process.argv[1] ?? "") === HERE && process.argv[2] === "--sim-child") {
  await runSimChild(JSON.parse(process.argv[3] ?? "{}") as Partial<RateLimits>);
}
