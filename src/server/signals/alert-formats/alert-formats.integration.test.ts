/**
 * Other relays' alert formats end to end: TradingView's default strategy message through the
 * webhook, the engine and unmodified ccxt to the simulator; and the detector fuzzed through the
 * real webhook (no 5xx, nothing stored for a 4xx).
 */
import crypto from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { graphileSink, makeTasks } from "~/server/engine/runtime";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { startGraphileWorker, type WorkerHandle } from "~/server/jobs/graphile-queue";
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
const keyring = createKeyring({ primary: crypto.randomBytes(32) });

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  deps = { db: t.database.prisma, sql: t.database.sql, adapter: new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 5_000 })), jobs: graphileSink() };
  worker = await startGraphileWorker({ connectionString: t.url, tasks: makeTasks(deps), concurrency: 4, pollInterval: 100 });
});
afterAll(async () => {
  await worker?.stop();
  await sim.close();
  await t.drop();
});

/** Posts a text/plain message, as TradingView does for a message that is not JSON, and waits until it is settled. */
async function send(token: string, body: string, userId: string) {
  const r = await receiveSignal({ db: deps.db, sql: deps.sql, jobs: deps.jobs }, { pathToken: token, contentType: "text/plain; charset=utf-8", body, ip: "127.0.0.1" });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  expect(r.body.format).toBe("tradingview-default");
  const signalId = String(r.body.signalId);
  await waitFor(async () => {
    const s = await deps.db.signal.findUnique({ where: { id: signalId } });
    return s && (s.status === "DONE" || s.status === "REJECTED") ? s : null;
  }, 30_000);
  return deps.db.execution.findMany({ where: { signalId, userId }, orderBy: { leg: "asc" } });
}

describe("TradingView's default strategy message", () => {
  it("an entry and then a close leave the subscriber flat, with exactly two orders on their own key", async () => {
    const strategy = await makeStrategy(deps.db, { marketType: "LINEAR" });
    const sub = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT", sizing: 1000 });
    const other = await makeSubscriber(deps.db, keyring, sim.url, strategy.id, { exchange: "BYBIT", sizing: 1000, paused: true });
    for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT:USDT", price: "50000" });

    const entry = await send(strategy.webhookToken, "buy @ 1.0E-2 filled on BYBIT:BTCUSDT.P. New strategy position is 1.0E-2", sub.userId);
    expect(entry.map((e) => [e.intent, e.status])).toEqual([["OPEN", "FILLED"]]);
    expect(await deps.db.position.findFirstOrThrow({ where: { userId: sub.userId } })).toMatchObject({ side: "LONG" });

    const close = await send(strategy.webhookToken, "sell @ 0.01 filled on BYBIT:BTCUSDT.P. New strategy position is 0", sub.userId);
    expect(close.map((e) => [e.intent, e.status])).toEqual([["CLOSE", "FILLED"]]);

    const p = await deps.db.position.findFirstOrThrow({ where: { userId: sub.userId } });
    expect(p.size.toString()).toBe("0");
    const orders = await ledger(sim.url, `?apiKey=${sub.apiKey}`);
    expect(orders.map((o) => [o.side, o.amount, o.reduceOnly])).toEqual([
      ["buy", "0.02", false],
      ["sell", "0.02", true],
    ]);
    expect(await ledger(sim.url, `?apiKey=${other.apiKey}`)).toEqual([]);
  }, 60_000);
});

describe("the format detector through the webhook", () => {
  it("fuzz: other relays' shapes with random values never get a 5xx, and only accepted alerts are stored", async () => {
    const strategy = await makeStrategy(deps.db, {});
    await deps.db.strategy.update({ where: { id: strategy.id }, data: { rateLimitPerMinute: 100_000 } });
    const before = await deps.db.signal.count({ where: { strategyId: strategy.id } });
    let accepted = 0;
    const statuses = new Map<number, number>();
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant("{{ticker}}"), fc.constant("1.0E-2"), fc.constant("-0.01"), fc.constant("USDT_BTC"), fc.constant("BTCUSDT.P"));
    const level = fc.oneof(value, fc.dictionary(fc.constantFrom("percent", "amount", "price", "limitPrice", "stopPrice", "type", "trailPercent"), value));
    const number = fc.oneof(fc.constantFrom("0.01", "1.0E-2", "-0.01", "0", "1e400", "{{strategy.position_size}}", "1,000", ""), fc.double().map(String));
    const body = fc.oneof(
      // Well-formed messages too (random values alone reach a valid one only now and then), so every run reaches the accepting path.
      fc.tuple(fc.constantFrom("buy", "sell"), fc.constantFrom("0.01", "1.0E-2", "0.5"), fc.constantFrom("BTCUSDT", "BINANCE:BTCUSDT.P"), fc.constantFrom("0.01", "-0.01", "0", "2.5E-1")).map(
        ([a, q, tk, p]) => `${a} @ ${q} filled on ${tk}. New strategy position is ${p}`,
      ),
      fc.tuple(fc.constantFrom("buy", "sell", "BUY", "{{strategy.order.action}}", "hold"), number, fc.constantFrom("BTCUSDT", "BINANCE:BTCUSDT.P", "{{ticker}}", "BTC", ""), number).map(
        ([a, q, tk, p]) => `${a} @ ${q} filled on ${tk}. New strategy position is ${p}`,
      ),
      fc.record({ ticker: value, action: fc.oneof(value, fc.constantFrom("buy", "sell", "exit", "add", "breakeven", "cancel")), sentiment: value, quantity: value, quantityType: value, orderType: value, limitPrice: value, takeProfit: level, stopLoss: level }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      fc.record({ pair: value, tv_instrument: value, action: value, bot_id: value, max_lag: value, timestamp: value, secret: value, order: fc.dictionary(fc.constantFrom("amount", "currency_type", "order_type"), value) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      fc.array(fc.tuple(fc.constantFrom("EXCHANGE", "SYMBOL", "SIGNAL", "VOLUME", "PRICE", "ORDER_TYPE", "REDUCE_ONLY", "TAKE_PROFIT_PRICE", "TAKE_PROFIT_PRICE_1", "STOP_PRICE"), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("BUY", "SELL", "BTCUSDT", "10%", "0.01"))), { maxLength: 8 }).map((kv) => kv.map(([k, v]) => `${k}=${v}`).join("\n")),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom("application/json", "text/plain", null), async (b, ct) => {
        const r = await receiveSignal({ db: deps.db, sql: deps.sql, jobs: { addInTx: async () => undefined, afterCommit: () => undefined } }, { pathToken: strategy.webhookToken, contentType: ct, body: b, ip: null });
        expect(r.status, `${ct} ${b.slice(0, 200)}`).toBeLessThan(500);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 202) accepted++;
        else expect(r.status === 200 || (r.status >= 400 && r.status < 500), `${r.status}`).toBe(true);
      }),
      { numRuns: 800 },
    );
    // Both answers were reached: the fuzz exercised the parser, not only a gate in front of it.
    expect(Math.min(statuses.get(202) ?? 0, statuses.get(400) ?? 0), JSON.stringify([...statuses])).toBeGreaterThan(0);
    expect(await deps.db.signal.count({ where: { strategyId: strategy.id } })).toBe(before + accepted);
  }, 120_000);
});
