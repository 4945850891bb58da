// Exchange simulator throughput: ~50 concurrent warm ccxt clients (limiter off,
// one distinct key each) placing market orders, per exchange. The simulator runs
// in a child process so its CPU per order is measured apart from ccxt's.
// Run: npx tsx bench/sim.ts   (env: ORDERS per exchange, default 5000; CLIENTS, default 50;
// BENCH_INPROC=1 runs the simulator in this process instead). Prints figures only.
import { fork } from "node:child_process";
import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import ccxt from "ccxt";
import { request } from "undici";
import { binanceClient, bybitClient, createSimAccount } from "../src/sim/ccxt-test-clients.ts";
import { startSimulator } from "../src/sim/server.ts";

const ORDERS = Number(process.env.ORDERS ?? 5000);
const CLIENTS = Number(process.env.CLIENTS ?? 50);
const INPROC = process.env.BENCH_INPROC === "1";

type CpuProbe = () => Promise<NodeJS.CpuUsage>;

// The default per-key limits (Bybit 200 creates/s, Binance 1200 weight/min) hold for a few
// thousand orders over 50 keys; bigger runs lift them rather than measure throttling.
const PER_KEY = ORDERS / CLIENTS + 20; // + warm-up rounds
const LIMITS = PER_KEY > 150 ? { bybitOrders: 1e9, binanceWeight: 1e9 } : {};

// child mode: run the simulator, answer CPU probes over IPC
if (process.argv[2] === "--child") {
  const sim = await startSimulator({ port: 0, limits: LIMITS });
  process.on("message", (msg) => {
    if (msg === "cpu") process.send?.({ cpu: process.cpuUsage() });
    if (msg === "stop") void sim.close().then(() => process.exit(0));
  });
  process.send?.({ url: sim.url });
} else {
  await main();
}

async function startSim(): Promise<{ url: string; cpu: CpuProbe; stop: () => Promise<void> }> {
  if (INPROC) {
    const sim = await startSimulator({ port: 0, limits: LIMITS });
    return { url: sim.url, cpu: async () => process.cpuUsage(), stop: () => sim.close() };
  }
  // fork inherits tsx's loader flags from process.execArgv
  const child = fork(fileURLToPath(import.meta.url), ["--child"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve) => child.once("message", (m) => resolve((m as { url: string }).url)));
  const cpu: CpuProbe = () =>
    new Promise((resolve) => {
      child.once("message", (m) => resolve((m as { cpu: NodeJS.CpuUsage }).cpu));
      child.send("cpu");
    });
  const stop = () => new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.send("stop");
  });
  return { url, cpu, stop };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

interface Figures {
  label: string;
  orders: number;
  errors: number;
  seconds: number;
  simCpuUs: number;
  clientCpuUs: number;
  latencies: number[];
}

function print(f: Figures): void {
  const lat = [...f.latencies].sort((a, b) => a - b);
  const cpu = INPROC
    ? `process CPU (simulator + ccxt) ${f.clientCpuUs.toFixed(1)} us/order`
    : `simulator CPU ${f.simCpuUs.toFixed(1)} us/order, client CPU ${f.clientCpuUs.toFixed(1)} us/order`;
  console.log(
    `${f.label.padEnd(34)} ${String(Math.round(f.orders / f.seconds)).padStart(6)} orders/s  ` +
      `${f.orders} orders in ${f.seconds.toFixed(2)} s, errors ${f.errors}  ` +
      `latency p50 ${percentile(lat, 50).toFixed(2)} ms p99 ${percentile(lat, 99).toFixed(2)} ms  ${cpu}`,
  );
  if (!INPROC && f.simCpuUs > 0) {
    // Orders one simulator core can serve: what "never the bottleneck" needs (>= 5,000/s).
    const slug = f.label.split(" ").slice(0, 2).join("_");
    console.log(`RESULT sim.orders_per_core.${slug}=${Math.round(1e6 / f.simCpuUs)} target>=5000`);
  }
}

async function measure(label: string, cpu: CpuProbe, total: number, workers: ((i: number) => Promise<void>)[]): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const simBefore = await cpu();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    workers.map(async (work) => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        try {
          await work(i);
        } catch (e) {
          if (errors++ === 0) console.error(`first error in ${label}:`, (e as Error).message);
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(clientBefore);
  const simAfter = await cpu();
  const simUs = simAfter.user + simAfter.system - simBefore.user - simBefore.system;
  return {
    label,
    orders: total,
    errors,
    seconds,
    simCpuUs: INPROC ? NaN : simUs / total,
    clientCpuUs: (clientCpu.user + clientCpu.system) / total,
    latencies,
  };
}

type Worker = (i: number) => Promise<void>;

/** 50 warm clients on distinct keys; markets loaded once and shared. */
async function ccxtWorkers(url: string, exchange: "binance" | "bybit"): Promise<Worker[]> {
  const accounts = await Promise.all(Array.from({ length: CLIENTS }, () => createSimAccount(url, { exchange, balances: { USDT: "1000000" } })));
  const make = exchange === "binance" ? binanceClient : bybitClient;
  const clients = accounts.map((a) => make(url, a));
  const loader = clients[0]!;
  await loader.loadMarkets();
  for (const c of clients.slice(1)) (c as typeof loader).setMarketsFromExchange(loader as never);
  // alternate buy/sell so positions stay small; 0.002 BTC clears Binance's 100 USDT futures minimum
  return clients.map((c) => (i: number) => c.createOrder("BTC/USDT:USDT", "market", i % 2 === 0 ? "buy" : "sell", 0.002).then(() => undefined));
}

/** Unmeasured rounds so neither side's JIT warm-up lands on whichever run goes first. */
async function warm(workers: Worker[], perWorker: number): Promise<void> {
  await Promise.all(workers.map(async (w) => {
    for (let i = 0; i < perWorker; i++) await w(i);
  }));
}

/** The simulator's own ceiling: signed Binance futures orders over undici, no ccxt in the loop. */
async function rawWorkers(url: string): Promise<Worker[]> {
  const accounts = await Promise.all(Array.from({ length: CLIENTS }, () => createSimAccount(url, { exchange: "binance", balances: { USDT: "1000000" } })));
  return accounts.map((a) => async (i: number) => {
    const query = `symbol=BTCUSDT&side=${i % 2 === 0 ? "BUY" : "SELL"}&type=MARKET&quantity=0.002&newOrderRespType=RESULT&timestamp=${Date.now()}`;
    const body = `${query}&signature=${createHmac("sha256", a.secret).update(query).digest("hex")}`;
    const res = await request(`${url}/fapi/v1/order`, {
      method: "POST",
      body,
      headers: { "X-MBX-APIKEY": a.apiKey, "Content-Type": "application/x-www-form-urlencoded" },
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${text}`);
  });
}

async function main(): Promise<void> {
  const limits = PER_KEY > 150 ? "rate limits lifted" : "default rate limits";
  console.log(`ccxt ${ccxt.version}, node ${process.version}, ${CLIENTS} clients, ${ORDERS} orders per run, ${limits}, simulator ${INPROC ? "in-process" : "in a child process"}`);
  const sim = await startSim();
  try {
    const runs: [string, Worker[]][] = [
      ["binance ccxt createOrder (linear)", await ccxtWorkers(sim.url, "binance")],
      ["bybit ccxt createOrder (linear)", await ccxtWorkers(sim.url, "bybit")],
      ["binance raw signed HTTP (no ccxt)", await rawWorkers(sim.url)],
    ];
    for (const [, workers] of runs) await warm(workers, 20);
    for (const [label, workers] of runs) print(await measure(label, sim.cpu, ORDERS, workers));
  } finally {
    await sim.stop();
  }
}
