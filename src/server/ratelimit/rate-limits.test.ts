import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { AppError, httpStatusFor, isAppError } from "~/server/errors";
import { captureLogs } from "~/server/logger";
import {
  assertWithinLimit,
  configureRateLimits,
  consume,
  getRateLimits,
  resetRateLimit,
} from "~/server/ratelimit/process-rate-limits";
import { createRateLimits, RATE_LIMIT_DEFAULTS, resolveRules } from "~/server/ratelimit/rate-limits";

afterEach(() => configureRateLimits({}));

describe("rate limits (memory store)", () => {
  it("allow N per window, then refuse with retryAfterSeconds", async () => {
    const limits = createRateLimits({ limits: { keySave: { points: 3, durationSeconds: 60 } } });
    expect(limits.store).toBe("memory");
    for (let i = 0; i < 3; i++) expect(await limits.consume("keySave", "user_1")).toEqual({ ok: true });
    const blocked = await limits.consume("keySave", "user_1");
    expect(blocked.ok).toBe(false);
    if (!blocked.ok) {
      expect(blocked.retryAfterSeconds).toBeGreaterThan(0);
      expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    // Other keys and other limits are counted apart.
    expect(await limits.consume("keySave", "user_2")).toEqual({ ok: true });
    expect(await limits.consume("keyVerify", "user_1")).toEqual({ ok: true });
  });

  it("assertWithinLimit throws RATE_LIMITED (429) with the wait in the message and details", async () => {
    const limits = createRateLimits({ limits: { tokenCreate: { points: 1, durationSeconds: 120 } } });
    await limits.assertWithinLimit("tokenCreate", "u");
    try {
      await limits.assertWithinLimit("tokenCreate", "u");
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err, "RATE_LIMITED")).toBe(true);
      const e = err as AppError;
      expect(httpStatusFor(e.code)).toBe(429);
      expect(e.message).toMatch(/^Too many API tokens created\. Try again in (119|120) s\.$/);
      expect(e.details).toEqual({ limit: "tokenCreate", retryAfterSeconds: expect.any(Number) as number });
    }
  });

  it("reset forgets a key", async () => {
    const limits = createRateLimits({ limits: { signIn: { points: 1 } } });
    await limits.consume("signIn", "1.2.3.4|a@example.com");
    expect((await limits.consume("signIn", "1.2.3.4|a@example.com")).ok).toBe(false);
    await limits.reset("signIn", "1.2.3.4|a@example.com");
    expect((await limits.consume("signIn", "1.2.3.4|a@example.com")).ok).toBe(true);
  });

  it("defaults are documented values; overrides are validated", () => {
    expect(resolveRules()).toEqual(RATE_LIMIT_DEFAULTS);
    expect(RATE_LIMIT_DEFAULTS).toEqual({
      signIn: { points: 10, durationSeconds: 900 },
      signInIp: { points: 50, durationSeconds: 900 },
      keySave: { points: 20, durationSeconds: 3600 },
      keyVerify: { points: 30, durationSeconds: 3600 },
      tokenCreate: { points: 10, durationSeconds: 3600 },
      signUp: { points: 5, durationSeconds: 3600 },
      accountEmail: { points: 3, durationSeconds: 3600 },
      passwordReset: { points: 10, durationSeconds: 3600 },
      secondFactor: { points: 10, durationSeconds: 900 },
    });
    expect(resolveRules({ keyVerify: { points: 2 } }).keyVerify).toEqual({ points: 2, durationSeconds: 3600 });
    expect(() => resolveRules({ keySave: { points: 0 } })).toThrow(/keySave/);
    expect(() => resolveRules({ keySave: { durationSeconds: 1.5 } })).toThrow(/keySave/);
  });

  it("the process-wide API follows configureRateLimits", async () => {
    configureRateLimits({ databaseUrl: null, limits: { signInIp: { points: 2, durationSeconds: 30 } } });
    expect(getRateLimits().store).toBe("memory");
    expect(await consume("signInIp", "10.0.0.1")).toEqual({ ok: true });
    await assertWithinLimit("signInIp", "10.0.0.1");
    await expect(assertWithinLimit("signInIp", "10.0.0.1")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await resetRateLimit("signInIp", "10.0.0.1");
    expect((await consume("signInIp", "10.0.0.1")).ok).toBe(true);
    // Reconfiguring starts from fresh counters.
    configureRateLimits({ databaseUrl: null, limits: { signInIp: { points: 1 } } });
    expect((await consume("signInIp", "10.0.0.1")).ok).toBe(true);
    expect((await consume("signInIp", "10.0.0.1")).ok).toBe(false);
  });
});

describe("rate limits when PostgreSQL is unreachable", () => {
  it("fall back to memory, log a warning once per cool-off, and never reject unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const logs = captureLogs();
    // Port 1 on loopback: connection refused at once.
    const pool = new pg.Pool({ connectionString: "postgresql://nobody@127.0.0.1:1/none", connectionTimeoutMillis: 2000 });
    pool.on("error", () => undefined);
    try {
      const limits = createRateLimits({ pool, limits: { keyVerify: { points: 2, durationSeconds: 60 } } });
      expect(limits.store).toBe("postgres");
      expect(await limits.consume("keyVerify", "u")).toEqual({ ok: true });
      expect(await limits.consume("keyVerify", "u")).toEqual({ ok: true });
      const third = await limits.consume("keyVerify", "u");
      expect(third.ok).toBe(false);
      await limits.reset("keyVerify", "u");
      await new Promise((r) => setTimeout(r, 50));
      const warnings = logs.records().filter((r) => r.msg === "rate limit store (PostgreSQL) failed; using in-memory limits for 30 s");
      expect(warnings).toHaveLength(1);
      expect(unhandled).toEqual([]);
    } finally {
      logs.restore();
      process.off("unhandledRejection", onUnhandled);
      await pool.end();
    }
  });
});
