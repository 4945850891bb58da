// Exchange layer throughput: the production ExchangeAdapter beside bare ccxt, in the same run,
// against the local simulator, per exchange (market orders on BTC/USDT:USDT):
//   bare     one warm ccxt instance per account (limiter off, same options and URL rewrite as
//            exchange-clients.ts), createOrder(..., {clientOrderId}) directly
//   adapter  new ExchangeAdapter(new ExchangeClients({keyring, simulatorUrl})).createOrder(cred, ...)
//   per-order a new ccxt instance for every order; markets from a shared loader through
//            setMarketsFromExchange (no loadMarkets per order, so this is the cheap variant)
// bare and adapter run in alternating rounds (A B, B A, ...) on separate account sets of equal size;
// the headline ratio is the median of the per-round paired ratios (the pooled ratio is printed too).
// The adapter's per-key token bucket (profiles.ts limits.orders, burst 50 / 20) cannot be raised
// from outside, so each key gets at most WARM + PER_ACCOUNT orders <= the smaller burst: the bucket
// never makes anyone wait (counted, and printed). The simulator's own per-key limits are lifted.
// The simulator runs in a child process, so "CPU us/order" is this process only (ccxt + adapter).
// Run: npx tsx bench/exchange.ts   (env: ACCOUNTS 200, PER_ACCOUNT 18, ROUNDS 8, INFLIGHT 50,
// PER_ORDER 300, WARM 2, BARE_WARM 8). Prints figures and RESULT lines; always exits 0, asserts nothing.
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import type { Exchange as CcxtExchange } from "ccxt";
import type { CredentialRef } from "~/server/exchanges/exchange-clients";
import type { ExchangeName } from "~/server/exchanges/profiles";

import { formatTable, loadNote, machine, median, percentile, resultLine, runPool, startSim, type PoolRun, type SimHandle, type Work } from "./harness";

const ACCOUNTS = Number(process.env.ACCOUNTS ?? 200);
const PER_ACCOUNT = Number(process.env.PER_ACCOUNT ?? 18);
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const INFLIGHT = Number(process.env.INFLIGHT ?? 50);
const PER_ORDER = Number(process.env.PER_ORDER ?? 300);
const WARM = Number(process.env.WARM ?? 2); // per adapter key: counts against its bucket
const BARE_WARM = Number(process.env.BARE_WARM ?? 8); // per bare account: warms ccxt and the simulator JIT
const SYMBOL = "BTC/USDT:USDT";
const AMOUNT = 0.002; // clears Binance's 100 USDT futures minimum
const TARGET = 0.8;
const SIM_LIMITS = { bybitOrders: 1e9, binanceWeight: 1e9 };

// ---- helpers ----------------------------------------------------------------------------------------
const empty = (): PoolRun => ({ count: 0, errors: 0, seconds: 0, cpuUs: 0, simCpuUs: 0, latencies: [] });

function add(into: PoolRun, s: PoolRun): PoolRun {
  into.count += s.count;
  into.errors += s.errors;
  into.seconds += s.seconds;
  into.cpuUs += s.cpuUs;
  into.simCpuUs += s.simCpuUs;
  for (const l of s.latencies) into.latencies.push(l);
  return into;
}

/** `count` orders numbered from `from`, at most INFLIGHT at a time. */
function run(label: string, sim: SimHandle | null, from: number, count: number, work: Work): Promise<PoolRun> {
  return runPool(label, { count, from, sim, workers: Array.from({ length: Math.min(INFLIGHT, count) }, () => work) });
}

const rate = (s: PoolRun) => s.count / s.seconds;

// ---- main -------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const { default: ccxt } = await import("ccxt");
  const { ExchangeAdapter } = await import("~/server/exchanges/exchange-adapter");
  const { ExchangeClients } = await import("~/server/exchanges/exchange-clients");
  const { PROFILES } = await import("~/server/exchanges/profiles");
  const { createKeyring } = await import("~/server/vault/keyring");
  const { seal } = await import("~/server/vault/secret-box");
  const { createSimAccount } = await import("~/sim/ccxt-test-clients");

  const perKey = WARM + PER_ACCOUNT;
  const minBurst = Math.min(PROFILES.BINANCE.limits.orders.burst, PROFILES.BYBIT.limits.orders.burst);
  const measured = ACCOUNTS * PER_ACCOUNT;
  const perRound = Math.ceil(measured / ROUNDS);
  console.log(
    `exchange bench — ${machine()}; ccxt ${ccxt.version}; simulator in a child process (its CPU is not in ours)\n` +
      `${SYMBOL} market orders; bare and adapter: ${ACCOUNTS} accounts each, ${INFLIGHT} in flight, ${measured} measured orders ` +
      `in ${ROUNDS} alternating rounds after warm-up (${BARE_WARM} orders per bare account, ${WARM} per adapter key); per-order clients: ${PER_ORDER} orders\n` +
      `adapter limiter: production buckets (orders burst ${PROFILES.BINANCE.limits.orders.burst} Binance / ${PROFILES.BYBIT.limits.orders.burst} Bybit), ` +
      `${perKey} orders per key${perKey > minBurst ? " -- EXCEEDS the smaller burst, waits may occur" : " (within burst: the bucket never binds)"}`,
  );

  const keyring = createKeyring({ primary: randomBytes(32) });
  const tag = Date.now().toString(36);
  let cidSeq = 0;
  const cid = () => `kr-${tag}-${++cidSeq}`; // one generator for every case: equal work
  const sideOf = (i: number): "buy" | "sell" => (Math.floor(i / ACCOUNTS) % 2 === 0 ? "buy" : "sell"); // per account: buy, sell, buy...

  /** A ccxt instance built the way exchange-clients.ts builds one (options, has, limiter off, URL rewrite). */
  function makeClient(exchange: ExchangeName, url: string, auth?: { apiKey: string; secret: string }): CcxtExchange {
    const p = PROFILES[exchange];
    const Ctor = ccxt[p.ccxtId] as unknown as new (config: Record<string, unknown>) => CcxtExchange;
    const c = new Ctor({ ...(auth ?? {}), enableRateLimit: false, timeout: 10_000, options: { ...p.options }, ...(p.has ? { has: p.has } : {}) });
    const api = (c.urls as { api: Record<string, string> }).api;
    for (const name of Object.keys(api)) api[name] = api[name]!.replace(/^https:\/\/[^/]+/, url);
    return c;
  }
  /** Closes an instance's keep-alive pool (ccxt's close() leaves the undici Agent open). */
  const closePool = async (c: CcxtExchange) => {
    await (c as unknown as { fetchDispatcher?: { close(): Promise<void> } }).fetchDispatcher?.close();
  };

  const loadBefore = loadavg()[0]!;
  const sim = await startSim({ limits: SIM_LIMITS });
  const rows: string[][] = [];
  const results: string[] = [];
  const notes: string[] = [];
  try {
    for (const exchange of ["BINANCE", "BYBIT"] as const) {
      const simEx = exchange.toLowerCase() as "binance" | "bybit";
      const newAccounts = () =>
        Promise.all(Array.from({ length: ACCOUNTS }, () => createSimAccount(sim.url, { exchange: simEx, balances: { USDT: "1000000" } })));

      // bare: warm instances, markets shared from one loader
      const bareAccounts = await newAccounts();
      const loader = makeClient(exchange, sim.url);
      await loader.loadMarkets();
      const bare = bareAccounts.map((a) => {
        const c = makeClient(exchange, sim.url, a);
        c.setMarketsFromExchange(loader);
        return c;
      });
      const bareWork: Work = (i) => bare[i % ACCOUNTS]!.createOrder(SYMBOL, "market", sideOf(i), AMOUNT, undefined, { clientOrderId: cid() });

      // adapter: production code path, sealed credentials
      const clients = new ExchangeClients({ keyring, simulatorUrl: sim.url });
      const adapter = new ExchangeAdapter(clients);
      let limiterWaits = 0;
      const reserve = clients.limiter.reserve.bind(clients.limiter);
      clients.limiter.reserve = (key, r) => {
        const wait = reserve(key, r);
        if (wait > 0) limiterWaits++;
        return wait;
      }; // observation only: counts waits, changes nothing
      const creds: CredentialRef[] = (await newAccounts()).map((a, n) => {
        const userId = `bench_user_${exchange}_${n}`;
        const aad = { userId, exchange, environment: "LIVE" as const, apiKey: a.apiKey };
        return { id: `bench_cred_${exchange}_${n}`, userId, exchange, environment: "LIVE", apiKey: a.apiKey, sealedSecret: seal(keyring, a.secret, aad) };
      });
      const adapterWork: Work = (i) =>
        adapter.createOrder(creds[i % ACCOUNTS]!, { symbol: SYMBOL, side: sideOf(i), type: "market", amount: String(AMOUNT), clientOrderId: cid() });

      // warm-up: JIT of ccxt and the simulator on the bare path (no bucket there; the first order per
      // instance opens its socket), then the adapter's first order per key -- which builds the client
      // (sealed secret opened, ccxt constructed) and is reported as its own row -- then its remaining
      // warm-up within the bucket. Measured indices continue after the larger of the two.
      await run(`${exchange} bare warm-up`, null, 0, ACCOUNTS * BARE_WARM, bareWork);
      const coldAdapter = await run(`${exchange} adapter first order`, sim, 0, ACCOUNTS, adapterWork);
      if (WARM > 1) await run(`${exchange} adapter warm-up`, null, ACCOUNTS, ACCOUNTS * (WARM - 1), adapterWork);
      const measuredFrom = ACCOUNTS * Math.max(WARM, BARE_WARM);

      // measured: alternating rounds
      const totals = { bare: empty(), adapter: empty() };
      const roundRatios: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const from = measuredFrom + r * perRound;
        const count = Math.min(perRound, measured - r * perRound);
        if (count <= 0) break;
        const order = r % 2 === 0 ? (["bare", "adapter"] as const) : (["adapter", "bare"] as const);
        const got: Partial<Record<"bare" | "adapter", PoolRun>> = {};
        for (const which of order) {
          got[which] = await run(`${exchange} ${which}`, sim, from, count, which === "bare" ? bareWork : adapterWork);
          add(totals[which], got[which]!);
        }
        roundRatios.push(rate(got.adapter!) / rate(got.bare!));
      }

      // client per order: a fresh instance each, markets from the bare loader
      const fresh: CcxtExchange[] = [];
      const perOrderWork: Work = (i) => {
        const a = bareAccounts[i % ACCOUNTS]!;
        const c = makeClient(exchange, sim.url, a);
        fresh.push(c);
        c.setMarketsFromExchange(loader);
        return c.createOrder(SYMBOL, "market", sideOf(i), AMOUNT, undefined, { clientOrderId: cid() });
      };
      const perOrderFrom = measuredFrom + ACCOUNTS * (PER_ACCOUNT + 2); // past the bare indices: keeps sides alternating
      await run(`${exchange} per-order warm-up`, null, perOrderFrom, Math.min(INFLIGHT, PER_ORDER), perOrderWork);
      const perOrder = await run(`${exchange} client per order`, sim, perOrderFrom + INFLIGHT, PER_ORDER, perOrderWork);

      // report
      const line = (name: string, s: PoolRun) => {
        rows.push([
          exchange,
          name,
          String(s.count),
          String(s.errors),
          rate(s).toFixed(0),
          (s.cpuUs / s.count).toFixed(1),
          (s.simCpuUs / s.count).toFixed(1),
          percentile(s.latencies, 50).toFixed(2),
          percentile(s.latencies, 99).toFixed(2),
        ]);
      };
      line("bare ccxt (warm, 1/account)", totals.bare);
      line("adapter", totals.adapter);
      line("ccxt client per order", perOrder);
      line("adapter, 1st order per key", coldAdapter);

      // headline: median of the per-round paired ratios (each pair ran back to back, so a load spike
      // from elsewhere on the machine moves one pair, not the result); the pooled ratio is printed too
      const ratio = median(roundRatios);
      const pooled = rate(totals.adapter) / rate(totals.bare);
      const cpuRatio = totals.adapter.cpuUs / totals.adapter.count / (totals.bare.cpuUs / totals.bare.count);
      const slowdown = rate(totals.adapter) / rate(perOrder);
      const verdict = ratio >= TARGET ? "PASS" : "FAIL";
      notes.push(
        `${exchange}: adapter/bare throughput ${ratio.toFixed(2)}x median of rounds (target >= ${TARGET}x) ${verdict}; pooled ${pooled.toFixed(2)}x; ` +
          `rounds ${roundRatios.map((r) => r.toFixed(2)).join(" ")}; ` +
          `CPU/order adapter/bare ${cpuRatio.toFixed(2)}x (+${(totals.adapter.cpuUs / totals.adapter.count - totals.bare.cpuUs / totals.bare.count).toFixed(1)} us); ` +
          `client-per-order is ${slowdown.toFixed(1)}x slower than the adapter; limiter waits ${limiterWaits}`,
      );
      results.push(
        resultLine(`exchange.adapter_vs_bare.${exchange}`, ratio, { digits: 2, op: ">=", target: TARGET }),
        resultLine(`exchange.adapter_cpu_vs_bare.${exchange}`, cpuRatio, { digits: 2 }),
        resultLine(`exchange.client_per_order_slowdown.${exchange}`, slowdown, { digits: 1 }),
      );
      if (limiterWaits > 0) notes.push(`${exchange}: WARNING the adapter's per-key bucket made ${limiterWaits} orders wait: the ratio above includes throttling`);

      // release this exchange's sockets before the next one
      const adapterClients = await Promise.all(creds.map((c) => clients.clientFor(c)));
      await Promise.all([...bare, ...fresh, ...adapterClients, loader, await clients.publicClient(exchange, "LIVE")].map(closePool));
    }
  } finally {
    await sim.stop();
  }

  console.log();
  const header = ["exchange", "case", "orders", "err", "orders/s", "CPU us/order", "sim us/order", "p50 ms", "p99 ms"];
  for (const l of formatTable(header, rows, (col) => col >= 2)) console.log(l);
  console.log();
  for (const n of notes) console.log(n);
  console.log("(per-order: a new ccxt instance per order with markets from a shared loader via setMarketsFromExchange, no loadMarkets;");
  console.log(" '1st order per key': the adapter builds that key's client on it -- opens the sealed secret, constructs ccxt)");
  const note = loadNote(loadBefore, "CPU us/order (the time this process actually ran) and the round ratios are");
  if (note) console.log(note);
  console.log();
  for (const r of results) console.log(r);
}

await main();
