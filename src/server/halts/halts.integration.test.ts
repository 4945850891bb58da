/**
 * Operator halts through the real pieces (PostgreSQL, graphile-worker, the simulator): a signal
 * during a platform halt is received and recorded, its live executions SKIPPED with the reason,
 * paper ones still filled; after the resume the next signal fills. A Bybit halt leaves Binance
 * trading. Halting is audited and tells every admin; halting a halted target is a CONFLICT.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { graphileSink, makeTasks } from "~/server/engine/runtime";
import { isAppError } from "~/server/errors";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { activeHalts, haltTrading, resumeTrading } from "~/server/halts/halts";
import { startGraphileWorker, type WorkerHandle } from "~/server/jobs/graphile-queue";
import { listChannels } from "~/server/notifications/channels";
import { receiveSignal } from "~/server/signals/receive-signal";
import { makeStrategy, makeSubscriber, waitFor } from "~/server/test/engine-fixtures";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createKeyring } from "~/server/vault/keyring";
import { ledger, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";

let t: TestDatabase;
let sim: Simulator;
let worker: WorkerHandle;
let deps: EngineDeps;
let adminId = "";
const keyring = createKeyring({ primary: crypto.randomBytes(32) });

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  const db = t.database.prisma;
  deps = { db, sql: t.database.sql, adapter: new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 2_000 })), jobs: graphileSink() };
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
  worker = await startGraphileWorker({ connectionString: t.url, tasks: makeTasks(deps), concurrency: 4, pollInterval: 200 });
  adminId = (await db.user.create({ data: { email: "halt-admin@example.com", name: "Admin", passwordHash: "x", role: "ADMIN" } })).id;
});
afterAll(async () => {
  await worker?.stop();
  await sim.close();
  await t.drop();
});

const admin = () => ({ id: adminId, email: "halt-admin@example.com", meta: { ip: "192.0.2.9", userAgent: "test" } });

async function signal(token: string) {
  const body = JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: "50000", id: `h-${crypto.randomBytes(4).toString("hex")}` });
  const r = await receiveSignal({ db: deps.db, sql: deps.sql, jobs: deps.jobs }, { pathToken: token, contentType: "application/json", body, ip: "127.0.0.1" });
  expect(r.status).toBe(202);
  const id = String(r.body.signalId);
  await waitFor(async () => {
    const s = await deps.db.signal.findUnique({ where: { id } });
    return s && (s.status === "DONE" || s.status === "REJECTED") ? s : null;
  });
  return deps.db.execution.findMany({ where: { signalId: id } });
}

/** Each filled live order is on its subscriber's own account, once (paper ones on none). */
async function onOwnAccount(execs: { clientOrderId: string; userId: string; status: string; paper: boolean }[], subs: { userId: string; apiKey: string }[]) {
  for (const e of execs.filter((x) => x.status === "FILLED")) {
    if (e.paper) {
      expect(await ledger(sim.url, `?clientOrderId=${e.clientOrderId}`)).toEqual([]);
      continue;
    }
    const orders = await ledger(sim.url, `?clientOrderId=${e.clientOrderId}`);
    expect(orders.map((o) => o.apiKey)).toEqual([subs.find((s) => s.userId === e.userId)!.apiKey]);
  }
}

describe("trading halts", () => {
  it("platform halt: the signal is recorded, live executions SKIPPED with the reason, paper filled; after the resume the next signal fills", async () => {
    const strategy = await makeStrategy(deps.db);
    const live = [
      await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT" }),
      await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BINANCE", tier: "FLEX" }),
    ];
    const paper = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT", mode: "PAPER" });

    // An admin who opened the notification settings first: their account email takes halts by default; a user's does not.
    const admin2 = (await deps.db.user.create({ data: { email: `halt-admin2-${crypto.randomBytes(3).toString("hex")}@example.com`, name: "A2", passwordHash: "x", role: "ADMIN" } })).id;
    expect((await listChannels({ db: deps.db, userId: admin2 }))[0]!.events).toEqual(expect.arrayContaining(["TRADING_HALTED", "TRADING_RESUMED", "KEY_DISABLED"]));
    expect((await listChannels({ db: deps.db, userId: live[0]!.userId }))[0]!.events).not.toContain("TRADING_HALTED");

    const halt = await haltTrading(deps, admin(), { scope: "ALL", reason: "  exchange maintenance  ", confirm: "HALT" });
    expect(halt.reason).toBe("exchange maintenance");
    const during = await signal(strategy.webhookToken);
    expect(during).toHaveLength(3);
    for (const s of live) {
      const e = during.find((x) => x.userId === s.userId)!;
      expect(e.status).toBe("SKIPPED");
      expect(e.message).toBe("trading halted by the operator: exchange maintenance");
      expect(await ledger(sim.url, `?clientOrderId=${e.clientOrderId}`)).toEqual([]);
    }
    const p = during.find((x) => x.userId === paper.userId)!;
    expect([p.status, p.paper]).toEqual(["FILLED", true]);
    // The skipped users are told why (the bell), like any other skip.
    await waitFor(() => deps.db.notification.findFirst({ where: { userId: live[0]!.userId, kind: "ORDER_SKIPPED", message: { contains: "trading halted by the operator: exchange maintenance" } } }));

    // Audited, and every admin told.
    const audit = await deps.db.auditLog.findFirst({ where: { action: "trading.halt", targetId: halt.id } });
    expect(audit).toMatchObject({ outcome: "SUCCESS", actorId: adminId, ip: "192.0.2.9", details: { scope: "ALL", exchange: null, strategyId: null, reason: "exchange maintenance" } });
    const told = await deps.db.notification.findFirst({ where: { userId: adminId, kind: "TRADING_HALTED" } });
    expect(told?.message).toContain("exchange maintenance");
    const mail = await deps.db.notificationDelivery.count({ where: { notificationId: told!.id, channel: { type: "EMAIL", userId: adminId } } });
    expect(mail).toBe(1); // admins get email by default
    expect(await deps.db.notificationDelivery.count({ where: { notification: { userId: admin2, kind: "TRADING_HALTED" }, channel: { type: "EMAIL" } } })).toBe(1);
    expect(await deps.db.notification.count({ where: { kind: "TRADING_HALTED", userId: { in: live.map((l) => l.userId) } } })).toBe(0);

    // Halting it again is a clear CONFLICT naming the target.
    const again = await haltTrading(deps, admin(), { scope: "ALL", reason: "second", confirm: "HALT" }).catch((e: unknown) => e);
    expect(isAppError(again, "CONFLICT")).toBe(true);
    expect((again as Error).message).toContain("the whole platform is already halted");

    await resumeTrading(deps, admin(), { id: halt.id, reason: "maintenance over" });
    expect(await activeHalts(deps.db)).toEqual([]);
    expect(await deps.db.auditLog.count({ where: { action: "trading.resume", targetId: halt.id, actorId: adminId } })).toBe(1);
    expect(await deps.db.notification.count({ where: { userId: adminId, kind: "TRADING_RESUMED" } })).toBe(1);
    const resumeAgain = await resumeTrading(deps, admin(), { id: halt.id }).catch((e: unknown) => e);
    expect(isAppError(resumeAgain, "CONFLICT")).toBe(true);

    const after = await signal(strategy.webhookToken);
    expect(after.map((e) => e.status)).toEqual(["FILLED", "FILLED", "FILLED"]);
    await onOwnAccount(after, [...live, paper]);
  });

  it("a Bybit halt leaves Binance trading; a strategy halt leaves other strategies trading", async () => {
    const strategy = await makeStrategy(deps.db);
    const bybit = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT" });
    const binance = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BINANCE" });
    const halt = await haltTrading(deps, admin(), { scope: "EXCHANGE", exchange: "BYBIT", reason: "Bybit incident", confirm: "HALT" });
    // The other exchange can be halted on its own: a different target, no conflict.
    const execs = await signal(strategy.webhookToken);
    const by = execs.find((e) => e.userId === bybit.userId)!;
    const bi = execs.find((e) => e.userId === binance.userId)!;
    expect([by.status, by.message]).toEqual(["SKIPPED", "trading on Bybit halted by the operator: Bybit incident"]);
    expect(by.message).toContain("halted by the operator");
    expect(bi.status).toBe("FILLED");
    await onOwnAccount([bi], [binance]);
    const dup = await haltTrading(deps, admin(), { scope: "EXCHANGE", exchange: "BYBIT", reason: "again", confirm: "HALT" }).catch((e: unknown) => e);
    expect(isAppError(dup, "CONFLICT") && (dup as Error).message.includes("Bybit is already halted")).toBe(true);
    await resumeTrading(deps, admin(), { id: halt.id });

    const other = await makeStrategy(deps.db);
    const otherSub = await makeSubscriber(deps.db, keyring, sim.url, other.id, { exchange: "BYBIT" });
    const sh = await haltTrading(deps, admin(), { scope: "STRATEGY", strategyId: strategy.id, reason: "bad signals", confirm: "HALT" });
    const [stopped, going] = [await signal(strategy.webhookToken), await signal(other.webhookToken)];
    expect(stopped.map((e) => [e.status, e.message])).toEqual([
      ["SKIPPED", "trading of this strategy halted by the operator: bad signals"],
      ["SKIPPED", "trading of this strategy halted by the operator: bad signals"],
    ]);
    expect(going.map((e) => e.status)).toEqual(["FILLED"]);
    await onOwnAccount(going, [otherSub]);
    await resumeTrading(deps, admin(), { id: sh.id });
  });

  it("a halt committed after the fan-out stops the queued orders at the send (nothing reaches the exchange)", async () => {
    const strategy = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BINANCE" });
    // The worker is paused so the fan-out's queued execution waits for its batch job.
    await worker.stop();
    const body = JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: "50000", id: `q-${crypto.randomBytes(4).toString("hex")}` });
    const r = await receiveSignal({ db: deps.db, sql: deps.sql, jobs: deps.jobs }, { pathToken: strategy.webhookToken, contentType: "application/json", body, ip: "127.0.0.1" });
    const signalId = String(r.body.signalId);
    const { processSignal } = await import("~/server/engine/fan-out");
    await processSignal(deps, signalId);
    const queued = await deps.db.execution.findFirstOrThrow({ where: { signalId } });
    expect(queued.status).toBe("QUEUED");
    const halt = await haltTrading(deps, admin(), { scope: "ALL", reason: "late halt", confirm: "HALT" });
    worker = await startGraphileWorker({ connectionString: t.url, tasks: makeTasks(deps), concurrency: 4, pollInterval: 200 });
    const done = await waitFor(async () => {
      const e = await deps.db.execution.findUnique({ where: { id: queued.id } });
      return e && e.status !== "QUEUED" && e.status !== "SUBMITTING" ? e : null;
    });
    expect([done.status, done.message]).toEqual(["SKIPPED", "trading halted by the operator: late halt"]);
    expect(await ledger(sim.url, `?clientOrderId=${done.clientOrderId}`)).toEqual([]);
    await waitFor(async () => (await deps.db.signal.findUnique({ where: { id: signalId } }))?.status === "DONE");
    expect(sub.userId).toBe(done.userId);
    await resumeTrading(deps, admin(), { id: halt.id });
  });
});
