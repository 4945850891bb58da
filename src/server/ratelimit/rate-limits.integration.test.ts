import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureRateLimits, consume, closeRateLimits, getRateLimits } from "~/server/ratelimit/process-rate-limits";
import { createRateLimits, RATE_LIMIT_TABLE } from "~/server/ratelimit/rate-limits";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
const pools: pg.Pool[] = [];

function pool(): pg.Pool {
  const p = new pg.Pool({ connectionString: t.url, max: 2 });
  // Dropping the test database terminates connections a closing pool may still hold.
  p.on("error", () => undefined);
  pools.push(p);
  return p;
}

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await closeRateLimits();
  configureRateLimits({});
  await Promise.all(pools.map((p) => p.end()));
  await t.drop();
});

describe("rate limits (PostgreSQL store)", () => {
  it("two instances (two processes) share one counter and both block after N", async () => {
    const rules = { keySave: { points: 4, durationSeconds: 120 } };
    // Both start at once: they race to create the table, which must not fail either.
    const a = createRateLimits({ pool: pool(), limits: rules });
    const b = createRateLimits({ pool: pool(), limits: rules });
    const first = await Promise.all([a.consume("keySave", "user_9"), b.consume("keySave", "user_9")]);
    expect(first).toEqual([{ ok: true }, { ok: true }]);
    expect(await a.consume("keySave", "user_9")).toEqual({ ok: true });
    expect(await b.consume("keySave", "user_9")).toEqual({ ok: true });

    for (const limits of [a, b]) {
      const r = await limits.consume("keySave", "user_9");
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.retryAfterSeconds).toBeGreaterThan(0);
        expect(r.retryAfterSeconds).toBeLessThanOrEqual(120);
      }
    }
    await expect(b.assertWithinLimit("keySave", "user_9")).rejects.toMatchObject({
      code: "RATE_LIMITED",
      details: { limit: "keySave", retryAfterSeconds: expect.any(Number) as number },
    });
    expect(await a.consume("keySave", "user_10")).toEqual({ ok: true });

    // Counters are in the database, keyed by a digest (no emails or IPs stored in clear).
    const rows = await t.database.raw.query<{ key: string; points: number }>(`SELECT key, points FROM "${RATE_LIMIT_TABLE}" ORDER BY points DESC`);
    expect(rows[0]?.points).toBeGreaterThanOrEqual(5);
    expect(rows.every((r) => r.key.startsWith("keySave:") && !r.key.includes("user_"))).toBe(true);

    // A reset from one process is seen by the other.
    await a.reset("keySave", "user_9");
    expect(await b.consume("keySave", "user_9")).toEqual({ ok: true });
  });

  it("the process-wide limiter uses PostgreSQL when given a database URL", async () => {
    configureRateLimits({ databaseUrl: t.url, limits: { tokenCreate: { points: 1, durationSeconds: 60 } } });
    expect(getRateLimits().store).toBe("postgres");
    expect(await consume("tokenCreate", "user_1")).toEqual({ ok: true });
    const other = createRateLimits({ pool: pool(), limits: { tokenCreate: { points: 1, durationSeconds: 60 } } });
    expect((await other.consume("tokenCreate", "user_1")).ok).toBe(false);
  });
});

describe("refunds: only failures count", () => {
  it("an attempt refunded (a successful sign-in) gives its point back, in both stores; failures still hit the limit", async () => {
    const rules = { signInIp: { points: 3, durationSeconds: 120 } };
    for (const limits of [createRateLimits({ pool: pool(), limits: rules }), createRateLimits({ limits: rules })]) {
      const ip = `203.0.113.${limits.store === "postgres" ? 7 : 8}`;
      // 10 successful sign-ins from one office NAT: each consumed and refunded.
      for (let i = 0; i < 10; i++) {
        expect(await limits.consume("signInIp", ip)).toEqual({ ok: true });
        await limits.refund("signInIp", ip);
      }
      // Failures are not refunded: the fourth is refused.
      for (let i = 0; i < 3; i++) expect(await limits.consume("signInIp", ip)).toEqual({ ok: true });
      expect(await limits.consume("signInIp", ip)).toMatchObject({ ok: false });
    }
  });
});
