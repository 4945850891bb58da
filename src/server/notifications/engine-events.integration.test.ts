/**
 * The engine tells subscribers what happened, through the real pieces (PostgreSQL, graphile-worker,
 * the exchange simulator): an order the exchange refuses, an order filled, an alert the decision
 * step rejects. The result writer only queues a job per flushed batch; the job makes the notifications.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { graphileSink, makeTasks } from "~/server/engine/runtime";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { startGraphileWorker, type WorkerHandle } from "~/server/jobs/graphile-queue";
import { listChannels, updateChannel } from "~/server/notifications/channels";
import { sendDailySummaries } from "~/server/notifications/daily-summary";
import { receiveSignal } from "~/server/signals/receive-signal";
import { makeStrategy, makeSubscriber, waitFor } from "~/server/test/engine-fixtures";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createKeyring } from "~/server/vault/keyring";
import { simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";

let t: TestDatabase;
let sim: Simulator;
let worker: WorkerHandle;
let deps: EngineDeps;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  const adapter = new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 2_000 }));
  deps = { db: t.database.prisma, sql: t.database.sql, adapter, jobs: graphileSink() };
  await simPost(sim.url, "/__sim/prices", { exchange: "bybit", symbol: "BTC/USDT", price: "50000" });
  worker = await startGraphileWorker({ connectionString: t.url, tasks: makeTasks(deps), concurrency: 4, pollInterval: 200 });
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await sim.close();
  await t.drop();
});

const post = (token: string, body: unknown) =>
  receiveSignal({ db: deps.db, sql: deps.sql, jobs: deps.jobs }, { pathToken: token, contentType: "application/json", body: JSON.stringify(body), ip: "127.0.0.1" });
const notes = (userId: string) => deps.db.notification.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });

describe("order and signal notifications from the engine", () => {
  it("a refused order is ORDER_FAILED with the exchange's reason, a filled one ORDER_FILLED; a rejected alert tells every subscriber why", async () => {
    const strategy = await makeStrategy(deps.db);
    const broke = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { balances: { USDT: "1" } });
    const rich = await makeSubscriber(deps.db, keyring, sim.url, strategy.id);
    const tiny = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { sizing: 0.5 });
    const paused = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { paused: true });
    // broke wants failed orders by email; nobody here has a channel for fills.
    const brokeEmail = (await listChannels({ db: deps.db, userId: broke.userId })).find((c) => c.type === "EMAIL")!;
    await updateChannel({ db: deps.db, userId: broke.userId, meta: null }, { channelId: brokeEmail.id, events: ["ORDER_FAILED"] });
    const r = await post(strategy.webhookToken, { ticker: "BTCUSDT", action: "buy", price: "50000", id: `n-${crypto.randomBytes(4).toString("hex")}` });
    expect(r.status).toBe(202);

    const failed = await waitFor(async () => (await notes(broke.userId)).find((n) => n.kind === "ORDER_FAILED"));
    expect(failed.message).toMatch(/^BUY (?:[\d.]+ )?BTC\/USDT on Bybit failed \(S [0-9a-f]{6}\): Not enough balance/);
    expect(failed.details).toMatchObject({ symbol: "BTC/USDT", side: "buy", status: "REJECTED", errorKind: "INSUFFICIENT_FUNDS" });
    // Skipped at the fan-out (below the market's minimum): told with the reason; a paused subscription is not news.
    const skipped = await waitFor(async () => (await notes(tiny.userId)).find((n) => n.kind === "ORDER_SKIPPED"));
    expect(skipped.message).toMatch(/^BUY BTC\/USDT was skipped \(S [0-9a-f]{6}\): .*minimum/);
    const filled = await waitFor(async () => (await notes(rich.userId)).find((n) => n.kind === "ORDER_FILLED"));
    expect(filled.message).toMatch(/^BUY 0\.001 BTC\/USDT filled at 50000 on Bybit/);
    expect(filled.details).toMatchObject({ symbol: "BTC/USDT", side: "buy", status: "FILLED", paper: false, exchange: "BYBIT", filledAmount: "0.001", averagePrice: "50000", errorKind: null });
    // The failed order is delivered on the channel that wants it; the fill, which no channel wants, is not.
    expect((await deps.db.notificationDelivery.findMany({ where: { notificationId: failed.id } })).map((d) => d.channelId)).toEqual([brokeEmail.id]);
    expect(await deps.db.notificationDelivery.count({ where: { notificationId: { in: [filled.id, skipped.id] } } })).toBe(0);

    // ETH/USDT is not among the strategy's symbols: rejected before any order.
    const rejected = await post(strategy.webhookToken, { ticker: "ETHUSDT", action: "buy", price: "3000", id: `n-${crypto.randomBytes(4).toString("hex")}` });
    expect(rejected.status).toBe(202);
    expect(await notes(paused.userId)).toEqual([]);
    for (const sub of [broke, rich]) {
      const n = await waitFor(async () => (await notes(sub.userId)).find((x) => x.kind === "SIGNAL_REJECTED"));
      expect(n.message).toContain("was rejected, no order was placed");
      expect(n.message).toMatch(/ETH\/USDT/);
    }
    // One notification per order: no duplicates from the batch job.
    expect((await notes(broke.userId)).map((n) => n.kind)).toEqual(["ORDER_FAILED", "SIGNAL_REJECTED"]);

    // The daily summary goes to those who chose it (here: by email), about the UTC day just ended.
    await updateChannel({ db: deps.db, userId: broke.userId, meta: null }, { channelId: brokeEmail.id, events: ["DAILY_SUMMARY"] });
    const tomorrow = new Date(Date.now() + 86_400_000);
    const told = await sendDailySummaries({ db: deps.db, jobs: { addInTx: async () => undefined, afterCommit: () => undefined } }, tomorrow);
    expect(told).toBe(1);
    const summary = (await notes(broke.userId)).find((n) => n.kind === "DAILY_SUMMARY")!;
    expect(summary.message).toBe(`${new Date().toISOString().slice(0, 10)} (UTC): 1 order (1 failed), 0 fills, realized PnL 0 (quote currency, live and paper together).`);
    expect((await notes(rich.userId)).some((n) => n.kind === "DAILY_SUMMARY")).toBe(false);
  }, 60_000);
});
