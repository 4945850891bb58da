/**
 * Strategy management through the real routers and engine: edit (errors by field), disable (the
 * webhook refuses, recorded), archive (hidden from subscribers, webhook refused, history kept), every
 * change audited with actor and IP; and "Send test alert": the full path (graphile-worker, the
 * decision, the fan-out, the simulator) where every subscriber's execution is PAPER and no order
 * reaches an exchange account, a PERSONAL subscriber's included.
 */
import crypto from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { graphileSink, makeTasks } from "~/server/engine/runtime";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { startGraphileWorker, type WorkerHandle } from "~/server/jobs/graphile-queue";
import { receiveSignal } from "~/server/signals/receive-signal";
import { sendTestAlert, testAlertResult } from "~/server/strategies/test-alert";
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
let caller: (userId: string) => ReturnType<Awaited<ReturnType<typeof routers>>["createCaller"]>;
let fieldErrorsOf: typeof import("~/server/api/trpc").fieldErrorsOf;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });
const META = { ip: "192.0.2.44", userAgent: "strategy-management-test" };

async function routers() {
  const { appRouter } = await import("~/server/api/root");
  return appRouter;
}

async function refused(p: Promise<unknown>): Promise<Partial<Record<string, string>> | string> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return fieldErrorsOf(e.cause) ?? e.code;
  }
  throw new Error("expected the call to be refused");
}

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  const db = t.database.prisma;
  Object.assign(process.env, { DATABASE_URL: t.url, EXCHANGE_SIMULATOR_URL: sim.url, NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"), ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex") });
  deps = { db, sql: t.database.sql, adapter: new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 2_000 })), jobs: graphileSink() };
  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
  worker = await startGraphileWorker({ connectionString: t.url, tasks: makeTasks(deps), concurrency: 4, pollInterval: 200 });
  const appRouter = await routers();
  ({ fieldErrorsOf } = await import("~/server/api/trpc"));
  caller = (userId) => appRouter.createCaller({ db, auth: { userId, via: "token" }, meta: META, headers: new Headers() });
  adminId = (await db.user.create({ data: { email: `admin-${crypto.randomBytes(3).toString("hex")}@example.com`, name: "Admin", passwordHash: "x", role: "ADMIN", totpEnabledAt: new Date() } })).id;
});
afterAll(async () => {
  await worker?.stop();
  await sim?.close();
  await t?.drop();
});

const post = (token: string, body: object) => receiveSignal({ db: deps.db, sql: deps.sql, jobs: deps.jobs }, { pathToken: token, contentType: "application/json", body: JSON.stringify(body), ip: "198.51.100.3" });

describe("editing a strategy", () => {
  it("changes every setting, names the field at fault, and audits the change with actor and IP", async () => {
    const s = await makeStrategy(deps.db);
    const admin = caller(adminId);
    expect(await refused(admin.strategies.update({ id: s.id, allowedSymbols: ["BTCUSDT"] }))).toEqual({ "allowedSymbols.0": "symbols look like BTC/USDT" });
    expect(await refused(admin.strategies.update({ id: s.id, cooldownSeconds: -1 }))).toEqual({ cooldownSeconds: "cooldownSeconds must be 0 or more" });
    expect(await refused(admin.strategies.update({ id: s.id, description: "x".repeat(501) }))).toEqual({ description: "description must be at most 500 characters" });
    const saved = await admin.strategies.update({
      id: s.id,
      name: "Renamed", description: "Trend following on 4h", allowedSymbols: ["eth/usdt", "BTC/USDT"], marketType: "LINEAR", defaultOrderType: "LIMIT", cooldownSeconds: 30, maxPriceDeviationPct: 1.5, rateLimitPerMinute: 60,
    });
    expect(saved).toMatchObject({ name: "Renamed", description: "Trend following on 4h", allowedSymbols: ["ETH/USDT", "BTC/USDT"], marketType: "LINEAR", defaultOrderType: "LIMIT", cooldownSeconds: 30, maxPriceDeviationPct: 1.5, rateLimitPerMinute: 60, enabled: true });
    const audit = await deps.db.auditLog.findFirstOrThrow({ where: { action: "strategy.update", targetId: s.id } });
    expect(audit).toMatchObject({ actorId: adminId, ip: META.ip });
    expect(await refused(caller((await makeSubscriber(deps.db, keyring, sim.url, s.id)).userId).strategies.update({ id: s.id, name: "x" }))).toBe("FORBIDDEN");
  });

  it("lists the subscriber count and the last alert time", async () => {
    const s = await makeStrategy(deps.db);
    await makeSubscriber(deps.db, keyring, sim.url, s.id, { mode: "PAPER" });
    await makeSubscriber(deps.db, keyring, sim.url, s.id, { mode: "PAPER" });
    expect((await caller(adminId).strategies.list()).find((x) => x.id === s.id)).toMatchObject({ subscriberCount: 2, lastAlertAt: null });
    expect((await post(s.webhookToken, { ticker: "BTCUSDT", action: "buy", id: "last-1" })).status).toBe(202);
    expect((await caller(adminId).strategies.list()).find((x) => x.id === s.id)?.lastAlertAt).toBeInstanceOf(Date);
  });
});

describe("disabling and archiving", () => {
  it("disabled: the webhook answers 409, recorded in the delivery log; enabled again: accepted; both audited", async () => {
    const s = await makeStrategy(deps.db);
    const admin = caller(adminId);
    await admin.strategies.update({ id: s.id, enabled: false });
    const r = await post(s.webhookToken, { ticker: "BTCUSDT", action: "buy", id: "dis-1" });
    expect(r.status).toBe(409);
    const log = await admin.strategies.deliveries({ strategyId: s.id, outcome: "refused" });
    expect(log.items[0]).toMatchObject({ status: 409, reason: expect.stringMatching(/disabled/) });
    await admin.strategies.update({ id: s.id, enabled: true });
    expect((await post(s.webhookToken, { ticker: "BTCUSDT", action: "buy", id: "dis-2" })).status).toBe(202);
    const actions = (await deps.db.auditLog.findMany({ where: { targetId: s.id }, orderBy: { createdAt: "asc" } })).map((a) => [a.action, a.actorId, a.ip]);
    expect(actions).toEqual([["strategy.disable", adminId, META.ip], ["strategy.enable", adminId, META.ip]]);
  });

  it("archived: hidden from new subscribers, webhook refused (410), history kept, no more edits", async () => {
    const s = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, s.id, { mode: "PAPER" });
    const signal = await post(s.webhookToken, { ticker: "BTCUSDT", action: "buy", id: "arch-1" });
    await waitFor(async () => (await deps.db.execution.count({ where: { signalId: String(signal.body.signalId), status: "FILLED" } })) === 1);
    const admin = caller(adminId);
    const archived = await admin.strategies.archive({ id: s.id });
    expect(archived.archivedAt).toBeInstanceOf(Date);
    expect(archived.enabled).toBe(false);
    expect((await post(s.webhookToken, { ticker: "BTCUSDT", action: "buy", id: "arch-2" })).status).toBe(410);
    const outsider = (await deps.db.user.create({ data: { email: `o-${crypto.randomBytes(3).toString("hex")}@example.com`, name: "O", passwordHash: "x" } })).id;
    expect((await caller(outsider).strategies.available()).some((x) => x.id === s.id)).toBe(false);
    expect((await caller(sub.userId).strategies.available()).find((x) => x.id === s.id)).toMatchObject({ archived: true });
    expect(await refused(caller(outsider).strategies.subscribe({ strategyId: s.id, sizingMode: "FIXED_QUOTE", sizingValue: 10 }))).toEqual({ strategyId: expect.stringMatching(/archived/) });
    expect((await caller(sub.userId).strategies.myExecutions()).filter((e) => e.signalId === signal.body.signalId)).toHaveLength(1);
    expect(await refused(admin.strategies.update({ id: s.id, name: "again" }))).toEqual({ id: expect.stringMatching(/archived/) });
    expect(await deps.db.auditLog.count({ where: { action: "strategy.archive", targetId: s.id, actorId: adminId, ip: META.ip } })).toBe(1);
  });
});

describe("send test alert", () => {
  it("produces a PAPER execution for every subscriber, whatever their mode; nothing reaches an exchange", async () => {
    const s = await makeStrategy(deps.db);
    const personal = await makeSubscriber(deps.db, keyring, sim.url, s.id, { mode: "PERSONAL", tier: "PRO", exchange: "BYBIT" });
    const paper = await makeSubscriber(deps.db, keyring, sim.url, s.id, { mode: "PAPER", tier: "FLEX", exchange: "BINANCE" });
    const off = await makeSubscriber(deps.db, keyring, sim.url, s.id, { mode: "OFF", tier: "TRIAL" });
    const sent = await sendTestAlert({ db: deps.db, sql: deps.sql, jobs: deps.jobs }, { id: adminId, meta: META }, s.id);
    expect(sent.subscribers).toBe(3);
    const result = await waitFor(async () => {
      const r = await testAlertResult(deps.db, sent.signalId);
      return r.status === "DONE" && r.executions.length === 3 && r.executions.every((e) => e.status === "FILLED") ? r : null;
    });
    expect(result.executions.map((e) => e.paper)).toEqual([true, true, true]);
    expect(new Set(result.executions.map((e) => e.userEmail))).toEqual(new Set((await deps.db.user.findMany({ where: { id: { in: [personal.userId, paper.userId, off.userId] } } })).map((u) => u.email)));
    for (const u of [personal, paper, off]) expect(await ledger(sim.url, `?apiKey=${u.apiKey}`)).toEqual([]);
    expect(await deps.db.signal.findUniqueOrThrow({ where: { id: sent.signalId } })).toMatchObject({ test: true });
    const delivery = await deps.db.webhookDelivery.findFirstOrThrow({ where: { signalId: sent.signalId } });
    expect(delivery).toMatchObject({ test: true, accepted: true, status: 202, strategyId: s.id, sourceIp: META.ip });
    expect(await deps.db.auditLog.count({ where: { action: "strategy.test_alert", targetId: s.id, actorId: adminId } })).toBe(1);
  });

  it("a real alert after the test still trades the PERSONAL subscriber live (the test changed no mode)", async () => {
    const s = await makeStrategy(deps.db);
    const personal = await makeSubscriber(deps.db, keyring, sim.url, s.id, { mode: "PERSONAL" });
    await sendTestAlert({ db: deps.db, sql: deps.sql, jobs: deps.jobs }, { id: adminId, meta: META }, s.id);
    const r = await post(s.webhookToken, { ticker: "BTCUSDT", action: "buy", id: "live-1" });
    const e = await waitFor(async () => deps.db.execution.findFirst({ where: { signalId: String(r.body.signalId), status: "FILLED" } }));
    expect(e.paper).toBe(false);
    expect(await ledger(sim.url, `?apiKey=${personal.apiKey}`)).toHaveLength(1);
  });
});

describe("rejected signals for subscribers", () => {
  it("a subscriber sees the alerts of their strategy that were rejected, with the reason", async () => {
    const s = await makeStrategy(deps.db);
    const sub = await makeSubscriber(deps.db, keyring, sim.url, s.id, { mode: "PAPER" });
    const r = await post(s.webhookToken, { ticker: "ETHUSDT", action: "buy", id: "rej-1" });
    await waitFor(async () => (await deps.db.signal.findUnique({ where: { id: String(r.body.signalId) } }))?.status === "REJECTED");
    const rejected = await caller(sub.userId).strategies.myRejectedSignals();
    expect(rejected).toEqual([expect.objectContaining({ id: r.body.signalId, symbol: "ETH/USDT", reasons: [expect.objectContaining({ message: expect.stringMatching(/ETH\/USDT/) })] })]);
  });
});
