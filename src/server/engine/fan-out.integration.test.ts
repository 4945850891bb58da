/**
 * Signals to orders through the real pieces: PostgreSQL, graphile-worker, ccxt unmodified and
 * the exchange simulator, whose ledger proves whose key placed each order.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyring } from "~/server/vault/keyring";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { processSignal } from "~/server/engine/fan-out";
import { graphileSink, makeTasks } from "~/server/engine/runtime";
import type { JobSpec } from "~/server/jobs/job-types";
import { startGraphileWorker, type WorkerHandle } from "~/server/jobs/graphile-queue";
import { disableAfterAuthFailure } from "~/server/keys/verify-credential";
import { receiveSignal } from "~/server/signals/receive-signal";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { ledger, simDelete, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { makeStrategy, makeSubscriber, waitFor } from "~/server/test/engine-fixtures";

let t: TestDatabase;
let sim: Simulator;
let worker: WorkerHandle;
let deps: EngineDeps;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  const db = t.database.prisma;
  // Wired as in production (keys/exchange-access.ts): an AUTH failure anywhere disables the key.
  const adapter = new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 2_000 }), {
    onAuthFailure: (cred, err) => disableAfterAuthFailure(db, cred.id, err.message),
  });
  deps = { db, sql: t.database.sql, adapter, jobs: graphileSink() };
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
  worker = await startGraphileWorker({ connectionString: t.url, tasks: makeTasks(deps), concurrency: 8, pollInterval: 200 });
});
afterAll(async () => {
  await worker?.stop();
  await sim.close();
  await t.drop();
});

async function post(token: string, body: unknown, contentType = "application/json") {
  return receiveSignal({ db: deps.db, sql: deps.sql, jobs: deps.jobs }, { pathToken: token, contentType, body: typeof body === "string" ? body : JSON.stringify(body), ip: "127.0.0.1" });
}

async function settled(signalId: string) {
  return waitFor(async () => {
    const s = await deps.db.signal.findUnique({ where: { id: signalId } });
    return s && (s.status === "DONE" || s.status === "REJECTED") ? s : null;
  });
}

describe("signals to orders", () => {
  it("workers heartbeat (the lease that lets others take over a dead worker's jobs depends on it)", async () => {
    const beats = await deps.db.workerHeartbeat.findMany();
    expect(beats.length).toBe(8); // one per worker in the pool (concurrency 8)
    expect(beats.every((b) => Date.now() - b.lastSeenAt.getTime() < 10_000)).toBe(true);
  });

  it("one order per subscriber on their own account, PRO first; re-delivery creates nothing", async () => {
    const strategy = await makeStrategy(deps.db);
    const trial = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { tier: "TRIAL", exchange: "BINANCE" });
    const flex = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { tier: "FLEX", exchange: "BYBIT" });
    const pro = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { tier: "PRO", exchange: "BYBIT" });
    const body = { ticker: "BTCUSDT", action: "buy", price: "50000", id: `a-${crypto.randomBytes(4).toString("hex")}` };
    const before = Date.now();
    const r = await post(strategy.webhookToken, body);
    expect(r.status).toBe(202);
    expect(r.body.subscribers).toBe(3);
    const signal = await settled(String(r.body.signalId));
    expect(signal.status, JSON.stringify(signal.decision)).toBe("DONE");
    const after = Date.now();

    const execs = await deps.db.execution.findMany({ where: { signalId: signal.id } });
    expect(execs.map((e) => e.status).sort()).toEqual(["FILLED", "FILLED", "FILLED"]);
    // Each step's time as it happened (UTC, milliseconds), in order: queued, sent, answered, written.
    for (const e of execs) {
      const times = [e.queuedAt, e.sentAt!, e.ackAt!, e.completedAt!].map((d) => d.getTime());
      expect(times.every((t) => t >= before - 5 && t <= after + 5), JSON.stringify({ before, after, times })).toBe(true);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    }
    for (const sub of [trial, flex, pro]) {
      const e = execs.find((x) => x.userId === sub.userId)!;
      const orders = await ledger(sim.url, `?clientOrderId=${e.clientOrderId}`);
      expect(orders.map((o) => o.apiKey)).toEqual([sub.apiKey]);
    }
    const sent = (u: string) => execs.find((e) => e.userId === u)!.sentAt!.getTime();
    expect(sent(pro.userId)).toBeLessThanOrEqual(sent(flex.userId));
    expect(sent(flex.userId)).toBeLessThanOrEqual(sent(trial.userId));

    const again = await post(strategy.webhookToken, body);
    expect(again.status).toBe(200);
    expect(again.body.signalId).toBe(signal.id);
    const text = await post(strategy.webhookToken, `ticker=BTCUSDT\naction=buy\nprice=50000\nid=${body.id}`, "text/plain");
    expect(text.status).toBe(200);
    expect(await deps.db.execution.count({ where: { signalId: signal.id } })).toBe(3);
    expect(await deps.db.signal.count({ where: { strategyId: strategy.id } })).toBe(1);
  });

  it("tier order at the wire across exchanges: every PRO order is written to its exchange before any FLEX, every FLEX before any TRIAL", async () => {
    // PRO on Bybit, FLEX on Binance (whose create path is shorter), TRIAL on both: batches in flight together.
    const strategy = await makeStrategy(deps.db);
    const plan = [...Array(6).fill(["PRO", "BYBIT"]), ...Array(6).fill(["FLEX", "BINANCE"]), ...Array(3).fill(["TRIAL", "BINANCE"]), ...Array(3).fill(["TRIAL", "BYBIT"])] as ["PRO" | "FLEX" | "TRIAL", "BYBIT" | "BINANCE"][];
    const subs: Awaited<ReturnType<typeof makeSubscriber>>[] = [];
    for (const [tier, exchange] of plan) subs.push(await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { tier, exchange }));
    const r = await post(strategy.webhookToken, { ticker: "BTCUSDT", action: "buy", price: "50000", id: `w-${crypto.randomBytes(4).toString("hex")}` });
    const signal = await settled(String(r.body.signalId));
    const execs = await deps.db.execution.findMany({ where: { signalId: signal.id } });
    expect(execs.map((e) => e.status)).toEqual(Array(plan.length).fill("FILLED"));
    // When the engine wrote each create to its exchange connection (sentAt, after the tier gate). When
    // the simulator received it follows the writes but is not asserted: two writes a millisecond apart
    // can arrive in either order (one on a fresh connection, the other on a warm one).
    const span = async (tier: string) => {
      const mine = execs.filter((e) => e.tier === tier);
      // Each order on its subscriber's own account, once.
      for (const e of mine) expect((await ledger(sim.url, `?clientOrderId=${e.clientOrderId}`)).map((o) => o.apiKey)).toEqual([subs.find((s) => s.userId === e.userId)!.apiKey]);
      const sent = mine.map((e) => e.sentAt!.getTime());
      return { firstSent: Math.min(...sent), lastSent: Math.max(...sent) };
    };
    const [pro, flex, trial] = [await span("PRO"), await span("FLEX"), await span("TRIAL")];
    expect(pro.lastSent).toBeLessThanOrEqual(flex.firstSent);
    expect(flex.lastSent).toBeLessThanOrEqual(trial.firstSent);
  });

  it("a fan-out larger than a page: every subscriber once, tiers in order across pages, every queued execution in exactly one job", async () => {
    const strategy = await makeStrategy(deps.db);
    const tiers = ["TRIAL", "PRO", "FLEX", "TRIAL", "PRO", "FLEX", "PRO", "TRIAL", "FLEX", "PRO", "TRIAL"] as const;
    const subs = [];
    for (const tier of tiers) subs.push(await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { tier, exchange: "BYBIT" }));
    const added: JobSpec[] = [];
    const collect = { addInTx: async (_tx: unknown, jobs: JobSpec[]) => void added.push(...jobs), afterCommit: () => undefined };
    const r = await receiveSignal({ db: deps.db, sql: deps.sql, jobs: collect }, { pathToken: strategy.webhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: "50000" }), ip: null });
    await processSignal({ ...deps, jobs: collect, fanOutPage: 4, batchSize: 3 }, String(r.body.signalId));
    const execs = await deps.db.execution.findMany({ where: { signalId: String(r.body.signalId) }, orderBy: { priority: "asc" } });
    expect(execs.map((e) => e.userId).sort()).toEqual(subs.map((s) => s.userId).sort());
    expect(execs.every((e) => e.status === "QUEUED")).toBe(true);
    const order = added.filter((j) => j.task === "execute_batch").flatMap((j) => j.payload.ids as string[]);
    expect(order.length).toBe(tiers.length);
    expect(new Set(order).size).toBe(tiers.length);
    const tierOf = new Map(execs.map((e) => [e.id, e.tier]));
    expect(order.map((id) => tierOf.get(id))).toEqual([...Array(4).fill("PRO"), ...Array(3).fill("FLEX"), ...Array(4).fill("TRIAL")]);
  });

  it("records why a subscriber was skipped; PAPER fills without any exchange order", async () => {
    const strategy = await makeStrategy(deps.db);
    const off = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { mode: "OFF" });
    const disabledKey = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { keyStatus: "DISABLED" });
    const paused = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { paused: true });
    const expired = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { tier: "TRIAL", trialEndsAt: new Date(Date.now() - 1000) });
    const tiny = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { sizing: 0.5 });
    const paper = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { mode: "PAPER" });
    const r = await post(strategy.webhookToken, { ticker: "BTCUSDT", action: "buy", price: 50000 });
    const signal = await settled(String(r.body.signalId));
    const byUser = new Map((await deps.db.execution.findMany({ where: { signalId: signal.id } })).map((e) => [e.userId, e]));
    expect(byUser.get(off.userId)).toMatchObject({ status: "SKIPPED", message: "Trading mode is OFF." });
    expect(byUser.get(disabledKey.userId)?.message).toMatch(/DISABLED, not ACTIVE/);
    expect(byUser.get(paused.userId)?.message).toBe("Subscription paused.");
    expect(byUser.get(expired.userId)?.message).toMatch(/Trial ended/);
    expect(byUser.get(tiny.userId)).toMatchObject({ status: "SKIPPED" });
    expect(byUser.get(tiny.userId)?.message).toMatch(/minimum/);
    expect(byUser.get(paper.userId)).toMatchObject({ status: "FILLED", paper: true });
    expect(Number(byUser.get(paper.userId)!.averagePrice)).toBe(50000);
    for (const u of [off, disabledKey, paused, expired, tiny, paper]) expect(await ledger(sim.url, `?apiKey=${u.apiKey}`)).toEqual([]);
  });

  it("exit closes what the strategy holds: spot sells the bought BTC (net of its fee), and the position is flat", async () => {
    const strategy = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT" });
    const buy = await post(strategy.webhookToken, { ticker: "BTCUSDT", action: "buy", price: 50000 });
    await settled(String(buy.body.signalId));
    const exit = await post(strategy.webhookToken, "ticker=BTCUSDT\naction=exit\nprice=50000", "text/plain");
    expect(exit.status).toBe(202);
    const signal = await settled(String(exit.body.signalId));
    const [e] = await deps.db.execution.findMany({ where: { signalId: signal.id } });
    expect(e, JSON.stringify(e)).toMatchObject({ status: "FILLED", side: "sell", intent: "CLOSE" });
    const orders = await ledger(sim.url, `?apiKey=${sub.apiKey}`);
    expect(orders.map((o) => o.side)).toEqual(["buy", "sell"]);
    const position = await deps.db.position.findFirstOrThrow({ where: { userId: sub.userId } });
    expect(position).toMatchObject({ side: "FLAT", paper: false });
    expect(await deps.db.fill.count({ where: { positionId: position.id } })).toBe(2);
  });

  it("a rejected alert places nothing and says why", async () => {
    const strategy = await makeStrategy(deps.db, { allowedSymbols: ["ETH/USDT"] });
    await makeSubscriber(deps.db, keyring, sim.url, strategy.id);
    const r = await post(strategy.webhookToken, { ticker: "BTCUSDT", action: "buy", timestamp: new Date(Date.now() - 600_000).toISOString(), maxLagSeconds: 60 });
    const signal = await settled(String(r.body.signalId));
    expect(signal.status).toBe("REJECTED");
    const codes = ((signal.decision as { reasons: { code: string }[] }).reasons ?? []).map((x) => x.code);
    expect(codes).toEqual(expect.arrayContaining(["SYMBOL_NOT_ALLOWED", "STALE_ALERT"]));
    expect(await deps.db.execution.count({ where: { signalId: signal.id } })).toBe(0);
  });

  it("accept-then-drop: the order is placed but the answer lost -> exactly one order after reconciliation", async () => {
    const strategy = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BINANCE" });
    await simPost(sim.url, "/__sim/faults", { apiKey: sub.apiKey, dropAfterAccept: true, count: 1, paths: ["/api/v3/order"] });
    const r = await post(strategy.webhookToken, { ticker: "BTCUSDT", action: "buy", price: 50000 });
    const signal = await settled(String(r.body.signalId));
    const [e] = await deps.db.execution.findMany({ where: { signalId: signal.id } });
    expect(e!.status).toBe("FILLED");
    expect(await ledger(sim.url, `?clientOrderId=${e!.clientOrderId}`)).toHaveLength(1);
    await simDelete(sim.url, "/__sim/faults");
  });

  it("a create that times out and is booked late: the look-up waits out the receive window, exactly one order", async () => {
    const strategy = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BINANCE" });
    // The client gives up after 2 s; the exchange books the order at 3 s, inside its 5 s receive window.
    await simPost(sim.url, "/__sim/faults", { apiKey: sub.apiKey, latencyMs: 3_000, count: 1, paths: ["/api/v3/order"] });
    const r = await post(strategy.webhookToken, { ticker: "BTCUSDT", action: "buy", price: 50000 });
    const signal = await settled(String(r.body.signalId));
    const [e] = await deps.db.execution.findMany({ where: { signalId: signal.id } });
    expect(e!.status).toBe("FILLED");
    expect(await ledger(sim.url, `?clientOrderId=${e!.clientOrderId}`)).toHaveLength(1);
    await simDelete(sim.url, "/__sim/faults");
  });

  it("a 429 storm: every order placed exactly once after backing off", async () => {
    const strategy = await makeStrategy(deps.db);
    const subs = await Promise.all(Array.from({ length: 6 }, (_, i) => makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: i % 2 ? "BINANCE" : "BYBIT" })));
    for (const s of subs) await simPost(sim.url, "/__sim/faults", { apiKey: s.apiKey, status: 429, count: 3 });
    const r = await post(strategy.webhookToken, { ticker: "BTCUSDT", action: "buy", price: 50000 });
    const signal = await settled(String(r.body.signalId));
    const execs = await deps.db.execution.findMany({ where: { signalId: signal.id } });
    expect(execs.every((e) => e.status === "FILLED")).toBe(true);
    for (const e of execs) expect(await ledger(sim.url, `?clientOrderId=${e.clientOrderId}`)).toHaveLength(1);
    await simDelete(sim.url, "/__sim/faults");
  }, 60_000);

  it("an AUTH failure fails the execution, disables the key and tells the user", async () => {
    const strategy = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { wrongSecret: true });
    const r = await post(strategy.webhookToken, { ticker: "BTCUSDT", action: "buy", price: 50000 });
    const signal = await settled(String(r.body.signalId));
    const [e] = await deps.db.execution.findMany({ where: { signalId: signal.id } });
    expect(e).toMatchObject({ status: "FAILED", errorKind: "AUTH" });
    expect(e!.message).toMatch(/rejected this API key/);
    expect(await ledger(sim.url, `?apiKey=${sub.apiKey}`)).toEqual([]);
    const cred = await deps.db.exchangeCredential.findUniqueOrThrow({ where: { id: sub.credentialId! } });
    expect(cred.status).toBe("DISABLED");
    expect(await deps.db.notification.count({ where: { userId: sub.userId, kind: "KEY_DISABLED" } })).toBe(1);
  });
});
