/**
 * Named rate limits (rate-limiter-flexible). With a pg.Pool the counters live in PostgreSQL
 * (table "RateLimit"), so every process behind the same database shares them; without one they
 * live in memory (the embedded, single-process mode).
 *
 * Defaults (points per window; keys are whatever the caller passes, e.g. `${ip}|${email}`):
 *   signIn       10 / 15 min   per IP + email   (password guessing against one account)
 *   signInIp     50 / 15 min   per IP           (spraying many accounts from one address; a successful sign-in gives its point back)
 *   keySave      20 / hour     per user         (saving exchange API keys)
 *   keyVerify    30 / hour     per user         (checking keys against the exchange, which rate-limits us)
 *   tokenCreate  10 / hour     per user         (personal API tokens)
 *   signUp        5 / hour     per IP           (new accounts; a tRPC batch counts each call)
 *   accountEmail  3 / hour     per email        (verification, "you already have an account", reset links)
 *   passwordReset 10 / hour    per IP           (reset requests and reset attempts)
 *   secondFactor 10 / 15 min   per user         (2FA codes and step-up re-authentication)
 *
 * If the database store fails (down, table missing and not creatable), the call falls back to an
 * in-memory limiter of the same rule, logs a warning, and retries the database after a cool-off:
 * limits then hold per process instead of failing requests.
 */
import crypto from "node:crypto";
import type pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "~/server/errors";
import { logger } from "~/server/logger";

export interface RateLimitRule {
  points: number;
  durationSeconds: number;
}

export const RATE_LIMIT_DEFAULTS = {
  signIn: { points: 10, durationSeconds: 15 * 60 },
  signInIp: { points: 50, durationSeconds: 15 * 60 },
  keySave: { points: 20, durationSeconds: 60 * 60 },
  keyVerify: { points: 30, durationSeconds: 60 * 60 },
  tokenCreate: { points: 10, durationSeconds: 60 * 60 },
  signUp: { points: 5, durationSeconds: 60 * 60 },
  accountEmail: { points: 3, durationSeconds: 60 * 60 },
  passwordReset: { points: 10, durationSeconds: 60 * 60 },
  secondFactor: { points: 10, durationSeconds: 15 * 60 },
} as const satisfies Record<string, RateLimitRule>;

export type RateLimitName = keyof typeof RATE_LIMIT_DEFAULTS;
export type RateLimitConfig = Partial<Record<RateLimitName, Partial<RateLimitRule>>>;
export type ConsumeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** What the user was doing too often, for the error message. */
const WHAT: Record<RateLimitName, string> = {
  signIn: "sign-in attempts for this account",
  signInIp: "sign-in attempts from your network",
  keySave: "exchange key changes",
  keyVerify: "exchange key checks",
  tokenCreate: "API tokens created",
  signUp: "sign-ups from your network",
  accountEmail: "emails to this address",
  passwordReset: "password reset attempts from your network",
  secondFactor: "two-factor attempts for this account",
};

export const RATE_LIMIT_TABLE = "RateLimit";
const DB_RETRY_AFTER_MS = 30_000;

export interface RateLimits {
  readonly store: "postgres" | "memory";
  consume(name: RateLimitName, key: string): Promise<ConsumeResult>;
  /** Throws AppError("RATE_LIMITED") with details.retryAfterSeconds when over the limit. */
  assertWithinLimit(name: RateLimitName, key: string): Promise<void>;
  /** Forgets a key (e.g. after a successful sign-in). */
  reset(name: RateLimitName, key: string): Promise<void>;
  /** Gives back one point consumed for the key (an attempt that turned out fine, so only failures count). */
  refund(name: RateLimitName, key: string): Promise<void>;
}

export interface RateLimitsOptions {
  /** PostgreSQL store; omit for memory. The caller owns (and ends) the pool. */
  pool?: pg.Pool;
  limits?: RateLimitConfig;
}

export function resolveRules(overrides: RateLimitConfig = {}): Record<RateLimitName, RateLimitRule> {
  const out = {} as Record<RateLimitName, RateLimitRule>;
  for (const name of Object.keys(RATE_LIMIT_DEFAULTS) as RateLimitName[]) {
    const rule = { ...RATE_LIMIT_DEFAULTS[name], ...overrides[name] };
    if (!Number.isInteger(rule.points) || rule.points < 1 || !Number.isInteger(rule.durationSeconds) || rule.durationSeconds < 1) {
      throw new AppError("CONFIG", `Rate limit ${name} needs whole points >= 1 and durationSeconds >= 1.`, { field: name });
    }
    out[name] = rule;
  }
  return out;
}

/** Keys may hold emails and IPs: store a digest, which also keeps them under varchar(255). */
function storeKey(key: string): string {
  return crypto.createHash("sha256").update(key, "utf8").digest("base64url");
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

export function rateLimitedError(name: RateLimitName, retryAfterSeconds: number): AppError {
  return new AppError("RATE_LIMITED", `Too many ${WHAT[name]}. Try again in ${retryAfterSeconds} s.`, {
    details: { limit: name, retryAfterSeconds },
  });
}

export function createRateLimits(opts: RateLimitsOptions = {}): RateLimits {
  const rules = resolveRules(opts.limits);
  const names = Object.keys(rules) as RateLimitName[];
  const build = (make: (name: RateLimitName, rule: RateLimitRule) => RateLimiterAbstract) =>
    Object.fromEntries(names.map((n) => [n, make(n, rules[n])])) as Record<RateLimitName, RateLimiterAbstract>;

  const memory = build((n, r) => new RateLimiterMemory({ keyPrefix: n, points: r.points, duration: r.durationSeconds }));
  const pool = opts.pool;
  const postgres = pool
    ? build(
        (n, r) =>
          new RateLimiterPostgres({
            storeClient: pool,
            storeType: "pool",
            tableName: RATE_LIMIT_TABLE,
            // We create the table ourselves (ensureTable) so no constructor promise can reject unhandled.
            tableCreated: true,
            // One sweeper of expired rows is enough for the shared table.
            clearExpiredByTimeout: n === "signIn",
            keyPrefix: n,
            points: r.points,
            duration: r.durationSeconds,
          }),
      )
    : null;

  let tableReady: Promise<void> | null = null;
  let dbDownUntil = 0;

  function ensureTable(p: pg.Pool): Promise<void> {
    tableReady ??= p
      .query(
        `CREATE TABLE IF NOT EXISTS "${RATE_LIMIT_TABLE}" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
      )
      .then(
        () => undefined,
        (err: { code?: string }) => {
          // Two processes creating the table at once: the loser sees a unique violation; the table exists.
          if (err.code === "23505" || err.code === "42P07") return;
          tableReady = null;
          throw err;
        },
      );
    return tableReady;
  }

  async function consumeIn(limiter: RateLimiterAbstract, key: string): Promise<ConsumeResult> {
    try {
      await limiter.consume(key);
      return { ok: true };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: retryAfter(err) };
      throw err;
    }
  }

  async function consume(name: RateLimitName, key: string): Promise<ConsumeResult> {
    const k = storeKey(key);
    if (postgres && pool && Date.now() >= dbDownUntil) {
      try {
        await ensureTable(pool);
        return await consumeIn(postgres[name], k);
      } catch (err) {
        // Logged at most once per cool-off: while it runs, calls skip the database.
        logger.warn({ err, limit: name }, "rate limit store (PostgreSQL) failed; using in-memory limits for 30 s");
        dbDownUntil = Date.now() + DB_RETRY_AFTER_MS;
      }
    }
    return consumeIn(memory[name], k);
  }

  return {
    store: postgres ? "postgres" : "memory",
    consume,
    async assertWithinLimit(name, key) {
      const r = await consume(name, key);
      if (!r.ok) throw rateLimitedError(name, r.retryAfterSeconds);
    },
    async refund(name, key) {
      const k = storeKey(key);
      if (postgres && pool && Date.now() >= dbDownUntil) {
        try {
          await postgres[name].reward(k, 1);
          return;
        } catch (err) {
          logger.warn({ err, limit: name }, "rate limit store (PostgreSQL) failed to refund a point");
        }
      }
      await memory[name].reward(k, 1);
    },
    async reset(name, key) {
      const k = storeKey(key);
      await memory[name].delete(k);
      if (postgres && pool && Date.now() >= dbDownUntil) {
        try {
          await ensureTable(pool);
          await postgres[name].delete(k);
        } catch (err) {
          logger.warn({ err, limit: name }, "rate limit store (PostgreSQL) failed to reset a key");
        }
      }
    },
  };
}
