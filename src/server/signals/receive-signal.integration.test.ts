import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobSpec } from "~/server/jobs/job-types";
import { receiveSignal } from "~/server/signals/receive-signal";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { insertStrategy } from "~/server/test/strategy-fixtures";

let t: TestDatabase;
const queued: JobSpec[] = [];
const jobs = { addInTx: async () => undefined, afterCommit: (j: JobSpec[]) => void queued.push(...j) };

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

async function strategy(over: { allowedIps?: string[]; rateLimitPerMinute?: number } = {}) {
  return insertStrategy(t.database.prisma, { name: "fuzz", allowedSymbols: ["BTC/USDT"], ...over });
}

const post = (token: string, body: string, contentType: string | null = "application/json", ip: string | null = "198.51.100.1") =>
  receiveSignal({ db: t.database.prisma, sql: t.database.sql, jobs }, { pathToken: token, contentType, body, ip });

describe("the TradingView webhook", () => {
  it("answers 202 with the signal id and subscriber count, and queues the decision job", async () => {
    const s = await strategy();
    const r = await post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "buy" }));
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ signalId: expect.any(String), subscribers: 0 });
    expect(queued.at(-1)).toMatchObject({ task: "process_signal", payload: { signalId: r.body.signalId } });
  });

  it("accepts the strategy id in the URL with the token as `secret` in the body; stores no secret", async () => {
    const s = await strategy();
    const r = await post(s.id, JSON.stringify({ ticker: "BTCUSDT", action: "buy", secret: s.webhookToken }));
    expect(r.status).toBe(202);
    const row = await t.database.prisma.signal.findUniqueOrThrow({ where: { id: String(r.body.signalId) } });
    expect(JSON.stringify(row)).not.toContain(s.webhookToken);
    expect((await post(s.id, JSON.stringify({ ticker: "BTCUSDT", action: "buy", secret: "wrong" }))).status).toBe(404);
  });

  it("refuses bad tokens (404), big bodies (413), foreign IPs (403) and floods (429) with clear messages", async () => {
    expect((await post("nope-not-a-token-xxxxxxxx", "{}")).status).toBe(404);
    const s = await strategy({ allowedIps: ["52.89.214.238"], rateLimitPerMinute: 2 });
    expect((await post(s.webhookToken, "x".repeat(65 * 1024))).status).toBe(413);
    const foreign = await post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "buy" }));
    expect(foreign.status).toBe(403);
    const ok = (id: number) => post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "buy", id: `r${id}` }), "application/json", "52.89.214.238");
    expect((await ok(1)).status).toBe(202);
    expect((await ok(2)).status).toBe(202);
    const flood = await ok(3);
    expect(flood.status).toBe(429);
    expect(Number(flood.headers?.["retry-after"])).toBeGreaterThan(0);
  });

  it("a bad payload gets a 400 naming the field", async () => {
    const s = await strategy();
    const r = await post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "hodl" }));
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toMatch(/action/);
  });

  it("fuzz: random bodies, content types and sizes never get a 5xx, and only accepted alerts are stored", async () => {
    const s = await strategy({ rateLimitPerMinute: 100_000 });
    const before = await t.database.prisma.signal.count({ where: { strategyId: s.id } });
    let accepted = 0;
    const contentType = fc.constantFrom("application/json", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "application/xml", "", "multipart/form-data");
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant("{{close}}"), fc.string({ unit: "binary" }));
    const body = fc.oneof(
      fc.string({ maxLength: 2000 }),
      fc.string({ unit: "binary", maxLength: 500 }),
      fc.json(),
      fc.dictionary(fc.constantFrom("ticker", "symbol", "action", "price", "qty", "timestamp", "maxLagSeconds", "id", "leverage", "__proto__", "constructor", "x"), value).map((o) => JSON.stringify(o)),
      fc.array(fc.tuple(fc.constantFrom("ticker", "action", "price", "qty", "id", "x"), fc.string({ maxLength: 40 })), { maxLength: 8 }).map((kv) => kv.map(([k, v]) => `${k}=${v}`).join("\n")),
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, async (b, ct) => {
        const r = await post(s.webhookToken, b, ct || null);
        expect(r.status, `${ct} ${b.slice(0, 200)}`).toBeLessThan(500);
        if (r.status === 202) accepted++;
        else expect(r.status).toBeGreaterThanOrEqual(200);
      }),
      { numRuns: 1500 },
    );
    expect(await t.database.prisma.signal.count({ where: { strategyId: s.id } })).toBe(before + accepted);
  }, 120_000);
});

describe("storing an alert in one statement", () => {
  it("a re-delivered alert (same id) is answered as a duplicate and creates nothing; with the PostgreSQL queue the job commits with the signal", async () => {
    const { installJobSchema } = await import("~/server/jobs/graphile-queue");
    const { graphileSink } = await import("~/server/engine/runtime");
    await installJobSchema(t.url);
    const db = t.database.prisma;
    const s = await strategy();
    const body = JSON.stringify({ ticker: "BTCUSDT", action: "buy", id: "redelivered-1" });
    const first = await receiveSignal({ db, sql: t.database.sql, jobs: graphileSink() }, { pathToken: s.webhookToken, contentType: "application/json", body, ip: null });
    expect(first.status).toBe(202);
    const again = await receiveSignal({ db, sql: t.database.sql, jobs: graphileSink() }, { pathToken: s.webhookToken, contentType: "application/json", body, ip: null });
    expect(again).toMatchObject({ status: 200, body: { signalId: first.body.signalId, duplicate: true } });
    expect(await db.signal.count({ where: { strategyId: s.id } })).toBe(1);
    const queuedJobs = await t.database.raw.query<{ id: string }>(`SELECT payload->>'signalId' AS id FROM graphile_worker._private_jobs`);
    expect(queuedJobs.map((r) => r.id).filter((id) => id === first.body.signalId)).toHaveLength(1);
    const stored = await db.signal.findUniqueOrThrow({ where: { id: String(first.body.signalId) }, include: { dedupeKeys: true } });
    expect(Math.abs(stored.receivedAt.getTime() - Date.now())).toBeLessThan(60_000); // stored as UTC
    expect(stored.dedupeKeys.length).toBeGreaterThan(0);
    expect(stored.dedupeKeys.every((k) => k.expiresAt.getTime() > stored.receivedAt.getTime())).toBe(true);
  });
});
