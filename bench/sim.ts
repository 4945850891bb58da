// Exchange simulator throughput: ~50 concurrent warm ccxt clients (limiter off,
// one distinct key each) placing market orders, per exchange. The simulator runs
// in a child process so its CPU per order is measured apart from ccxt's.
// Then fault scoping (moved here from src/sim/faults.test.ts): while one key has a 150 ms
// latency fault, another key's requests take what they take with no fault at all, in the same run.
// Run: npx tsx bench/sim.ts   (env: ORDERS per exchange, default 5000; CLIENTS, default 50;
// BENCH_INPROC=1 runs the simulator in this process instead). Prints figures only.
import { createHmac } from "node:crypto";
import ccxt from "ccxt";
import { request } from "undici";
import { binanceClient, bybitClient, createSimAccount, simDelete, simPost } from "~/sim/ccxt-test-clients";

import { machine, median, percentile, printResult, runPool, startSim, timeAsync, type PoolRun, type SimHandle, type Work } from "./harness";

const ORDERS = Number(process.env.ORDERS ?? 5000);
const CLIENTS = Number(process.env.CLIENTS ?? 50);
const INPROC = process.env.BENCH_INPROC === "1";
const FAULT_LATENCY_MS = 150;

// The default per-key limits (Bybit 200 creates/s, Binance 1200 weight/min) hold for a few
// thousand orders over 50 keys; bigger runs lift them rather than measure throttling.
const PER_KEY = ORDERS / CLIENTS + 20; // + warm-up rounds
const LIMITS = PER_KEY > 150 ? { bybitOrders: 1e9, binanceWeight: 1e9 } : {};

function print(label: string, r: PoolRun): void {
  const simCpuUs = INPROC ? NaN : r.simCpuUs / r.count;
  const clientCpuUs = r.cpuUs / r.count;
  const cpu = INPROC
    ? `process CPU (simulator + ccxt) ${clientCpuUs.toFixed(1)} us/order`
    : `simulator CPU ${simCpuUs.toFixed(1)} us/order, client CPU ${clientCpuUs.toFixed(1)} us/order`;
  console.log(
    `${label.padEnd(34)} ${String(Math.round(r.count / r.seconds)).padStart(6)} orders/s  ` +
      `${r.count} orders in ${r.seconds.toFixed(2)} s, errors ${r.errors}  ` +
      `latency p50 ${percentile(r.latencies, 50).toFixed(2)} ms p99 ${percentile(r.latencies, 99).toFixed(2)} ms  ${cpu}`,
  );
  if (!INPROC && simCpuUs > 0) {
    // Orders one simulator core can serve: what "never the bottleneck" needs (>= 5,000/s).
    const slug = label.split(" ").slice(0, 2).join("_");
    printResult(`sim.orders_per_core.${slug}`, Math.round(1e6 / simCpuUs), { op: ">=", target: 5000 });
  }
}

/** 50 warm clients on distinct keys; markets loaded once and shared. */
async function ccxtWorkers(url: string, exchange: "binance" | "bybit"): Promise<Work[]> {
  const accounts = await Promise.all(Array.from({ length: CLIENTS }, () => createSimAccount(url, { exchange, balances: { USDT: "1000000" } })));
  const make = exchange === "binance" ? binanceClient : bybitClient;
  const clients = accounts.map((a) => make(url, a));
  const loader = clients[0]!;
  await loader.loadMarkets();
  for (const c of clients.slice(1)) (c as typeof loader).setMarketsFromExchange(loader as never);
  // alternate buy/sell so positions stay small; 0.002 BTC clears Binance's 100 USDT futures minimum
  return clients.map((c) => (i: number) => c.createOrder("BTC/USDT:USDT", "market", i % 2 === 0 ? "buy" : "sell", 0.002));
}

/** Unmeasured rounds so neither side's JIT warm-up lands on whichever run goes first. */
async function warm(workers: Work[], perWorker: number): Promise<void> {
  await Promise.all(workers.map(async (w) => {
    for (let i = 0; i < perWorker; i++) await w(i);
  }));
}

/** The simulator's own ceiling: signed Binance futures orders over undici, no ccxt in the loop. */
async function rawWorkers(url: string): Promise<Work[]> {
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

/**
 * Another key's fetchBalance with no fault and while one key has a latency fault, in alternating
 * rounds so a load spike from elsewhere moves both sides (was faults.test.ts: < 140 ms).
 */
async function faultScoping(sim: SimHandle): Promise<void> {
  const [slowAccount, otherAccount] = await Promise.all([0, 1].map(() => createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: "10000" } })));
  const slow = bybitClient(sim.url, slowAccount!);
  const other = bybitClient(sim.url, otherAccount!);
  await Promise.all([slow.loadMarkets(), other.loadMarkets()]);
  await timeAsync(() => other.fetchBalance(), { runs: 20 }); // warm
  const noFault: number[] = [];
  const meanwhile: number[] = [];
  const slowed: number[] = [];
  try {
    for (let round = 0; round < 5; round++) {
      noFault.push(...(await timeAsync(() => other.fetchBalance(), { runs: 10 })));
      await simPost(sim.url, "/__sim/faults", { apiKey: slowAccount!.apiKey, latencyMs: FAULT_LATENCY_MS });
      meanwhile.push(...(await timeAsync(() => other.fetchBalance(), { runs: 10 })));
      slowed.push(...(await timeAsync(() => slow.fetchBalance(), { runs: 1 })));
      await simDelete(sim.url, "/__sim/faults");
    }
  } finally {
    await simDelete(sim.url, "/__sim/faults");
  }
  console.log(
    `latency fault on one key (${FAULT_LATENCY_MS} ms): that key's fetchBalance median ${median(slowed).toFixed(1)} ms; ` +
      `another key's ${median(meanwhile).toFixed(2)} ms meanwhile, ${median(noFault).toFixed(2)} ms with no fault (5 alternating rounds)`,
  );
  printResult("sim.fault_other_key_ms", median(meanwhile), { digits: 2, op: "<", target: 140 });
  // a fault leaking onto other keys would put this near 150 ms / the no-fault time: hundreds
  printResult("sim.fault_other_key_vs_no_fault", median(meanwhile) / median(noFault), { digits: 2, op: "<=", target: 3 });
  printResult("sim.fault_latency_applied_ms", median(slowed), { digits: 1, op: ">=", target: FAULT_LATENCY_MS - 10 });
}

const limits = PER_KEY > 150 ? "rate limits lifted" : "default rate limits";
console.log(`sim bench — ${machine()}; ccxt ${ccxt.version}, ${CLIENTS} clients, ${ORDERS} orders per run, ${limits}, simulator ${INPROC ? "in-process" : "in a child process"}`);
const sim = await startSim({ limits: LIMITS, inProcess: INPROC });
try {
  const runs: [string, Work[]][] = [
    ["binance ccxt createOrder (linear)", await ccxtWorkers(sim.url, "binance")],
    ["bybit ccxt createOrder (linear)", await ccxtWorkers(sim.url, "bybit")],
    ["binance raw signed HTTP (no ccxt)", await rawWorkers(sim.url)],
  ];
  for (const [, workers] of runs) await warm(workers, 20);
  for (const [label, workers] of runs) print(label, await runPool(label, { count: ORDERS, workers, sim }));
  await faultScoping(sim);
} finally {
  await sim.stop();
}
