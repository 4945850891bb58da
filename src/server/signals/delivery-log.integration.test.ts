/**
 * The webhook delivery log on a real database, through the real webhook handler: accepted alerts
 * (written by the signal's own statement), refusals with their reason, masking, the flood bound on
 * refusals no strategy can be tied to, retention; and the placeholders 400.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobSpec } from "~/server/jobs/job-types";
import { PER_SOURCE_MINUTE, pruneDeliveries } from "~/server/signals/delivery-log";
import { receiveSignal } from "~/server/signals/receive-signal";
import { listDeliveries } from "~/server/strategies/delivery-log-query";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
const jobs = { addInTx: async () => undefined, afterCommit: (_j: JobSpec[]) => undefined };

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const db = () => t.database.prisma;
const post = (token: string, body: string, ip = "198.51.100.7", contentType = "application/json") => receiveSignal({ db: db(), sql: t.database.sql, jobs }, { pathToken: token, contentType, body, ip });
const strategy = (over: { enabled?: boolean } = {}) => insertStrategy(db(), { name: "log", allowedSymbols: ["BTC/USDT"], ...over });

describe("the webhook delivery log", () => {
  it("records an accepted alert with its signal, format, timing and source IP, in the signal's own statement", async () => {
    const s = await strategy();
    const r = await post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "buy", id: "acc-1" }));
    expect(r.status).toBe(202);
    const log = await listDeliveries(db(), { strategyId: s.id });
    expect(log.items).toEqual([expect.objectContaining({ status: 202, accepted: true, signalId: r.body.signalId, format: "json", sourceIp: "198.51.100.7", reason: null, count: 1 })]);
    expect(log.items[0]!.answeredMs).toBeGreaterThanOrEqual(0);
  });

  it("a refused delivery appears with its reason; filters by outcome, status and reason text", async () => {
    const s = await strategy();
    await post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "buy", id: "ok-2" }));
    const bad = await post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "hodl" }));
    expect(bad.status).toBe(400);
    const refused = await listDeliveries(db(), { strategyId: s.id, outcome: "refused" });
    expect(refused.items).toHaveLength(1);
    expect(refused.items[0]).toMatchObject({ status: 400, accepted: false, reason: expect.stringMatching(/action/) });
    expect((await listDeliveries(db(), { strategyId: s.id, outcome: "accepted" })).items).toHaveLength(1);
    expect((await listDeliveries(db(), { strategyId: s.id, status: 400 })).items).toHaveLength(1);
    expect((await listDeliveries(db(), { strategyId: s.id, reason: "HODL" })).items).toHaveLength(1);
    expect((await listDeliveries(db(), { strategyId: s.id, reason: "nothing like this" })).items).toHaveLength(0);
    expect((await listDeliveries(db(), { strategyId: s.id, from: new Date(Date.now() + 60_000) })).items).toHaveLength(0);
  });

  it("pages newest first with a cursor", async () => {
    const s = await strategy();
    for (let i = 0; i < 5; i++) await post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "buy", id: `page-${i}` }));
    const first = await listDeliveries(db(), { strategyId: s.id, limit: 3 });
    expect(first.items).toHaveLength(3);
    const second = await listDeliveries(db(), { strategyId: s.id, limit: 3, cursor: first.nextCursor });
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((d) => d.id)).size).toBe(5);
  });

  it("masks secrets in the stored body and never stores the URL's token", async () => {
    const s = await strategy();
    // The strategy id in the URL, the token as "secret" in the body: accepted, and the secret masked.
    const r = await post(s.id, JSON.stringify({ ticker: "BTCUSDT", action: "buy", id: "sec-1", secret: s.webhookToken }));
    expect(r.status).toBe(202);
    await post(s.webhookToken, `ticker=BTCUSDT\naction=hodl\napi_key=AbCdEf0123456789xyz\nsecret=${s.webhookToken}`, "198.51.100.7", "text/plain");
    const rows = await db().webhookDelivery.findMany({ where: { strategyId: s.id } });
    expect(rows).toHaveLength(2);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(s.webhookToken);
    expect(dump).not.toContain("AbCdEf0123456789xyz");
    expect(rows.map((d) => d.body).join("\n")).toContain('"secret":"***"');
  });

  it("keeps refusals with an unknown token (no strategy), bounded per IP and minute", async () => {
    const before = await db().webhookDelivery.count({ where: { strategyId: null } });
    for (let i = 0; i < PER_SOURCE_MINUTE + 15; i++) {
      expect((await post(`unknown-token-${i}-xxxxxxxx`, '{"ticker":"BTCUSDT","action":"buy"}', "203.0.113.66")).status).toBe(404);
    }
    const rows = await db().webhookDelivery.findMany({ where: { strategyId: null, sourceIp: "203.0.113.66" } });
    expect(rows.length).toBe(PER_SOURCE_MINUTE + 1);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(PER_SOURCE_MINUTE + 15);
    expect(rows.find((r) => r.count > 1)?.reason).toMatch(/More refused calls from this address this minute; the latest: No strategy has this webhook URL/);
    expect((await db().webhookDelivery.count({ where: { strategyId: null } })) - before).toBe(PER_SOURCE_MINUTE + 1);
    const shown = await listDeliveries(db(), { strategyId: null, reason: "webhook URL" });
    expect(shown.items.length).toBeGreaterThan(0);
  });

  it("a disabled strategy's webhook answers 409 and records it", async () => {
    const s = await strategy({ enabled: false });
    const r = await post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "buy" }));
    expect(r.status).toBe(409);
    expect(String(r.body.error)).toMatch(/disabled/);
    expect((await listDeliveries(db(), { strategyId: s.id })).items).toEqual([expect.objectContaining({ status: 409, reason: expect.stringMatching(/disabled/) })]);
  });

  it("deletes deliveries past the retention period", async () => {
    const s = await strategy();
    await post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "buy", id: "old-1" }));
    await post(s.webhookToken, JSON.stringify({ ticker: "BTCUSDT", action: "buy", id: "new-1" }));
    const [old] = await db().webhookDelivery.findMany({ where: { strategyId: s.id }, orderBy: { receivedAt: "asc" } });
    await db().webhookDelivery.update({ where: { id: old!.id }, data: { receivedAt: new Date(Date.now() - 15 * 86_400_000) } });
    expect((await listDeliveries(db(), { strategyId: s.id })).items).toHaveLength(1); // hidden at once
    expect(await pruneDeliveries(db(), new Date(), 14)).toBeGreaterThanOrEqual(1);
    expect(await db().webhookDelivery.count({ where: { strategyId: s.id } })).toBe(1);
  });
});

describe("unrendered placeholders", () => {
  it.each([
    ["text/plain", "ticker={{ticker}}\naction={{strategy.order.action}}\nprice={{close}}"],
    ["application/json", '{"ticker": "{{ticker}}", "action": "buy", "price": {{close}}}'],
  ])("%s: a 400 naming the placeholders, recorded in the log", async (contentType, body) => {
    const s = await strategy();
    const r = await post(s.webhookToken, body, "198.51.100.9", contentType);
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toMatch(/The alert still contains TradingView placeholders \{\{ticker\}\}, .*\{\{close\}\}/);
    expect(String(r.body.error)).not.toMatch(/looks like JSON but is not valid/);
    expect((await listDeliveries(db(), { strategyId: s.id })).items[0]).toMatchObject({ status: 400, reason: expect.stringContaining("placeholders") });
  });
});
