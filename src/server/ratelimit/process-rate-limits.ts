/**
 * The process-wide rate limits: PostgreSQL-backed when DATABASE_URL is set (shared by every process
 * on that database), in memory otherwise. Kept on globalThis because Next bundles and the server
 * entry load this module separately. Tests call configureRateLimits() to change rules or the store.
 */
import pg from "pg";
import { getEnv } from "~/env";
import { logger } from "~/server/logger";
import {
  createRateLimits,
  type ConsumeResult,
  type RateLimitConfig,
  type RateLimitName,
  type RateLimits,
} from "~/server/ratelimit/rate-limits";

export interface RateLimitSettings {
  /** Per-limit overrides of RATE_LIMIT_DEFAULTS. */
  limits?: RateLimitConfig;
  /** undefined: DATABASE_URL; null: memory; a URL: that PostgreSQL. */
  databaseUrl?: string | null;
}

interface ProcessRateLimits {
  limits: RateLimits;
  pool: pg.Pool | null;
}

const g = globalThis as unknown as { __keyrelayRateLimits?: ProcessRateLimits; __keyrelayRateLimitSettings?: RateLimitSettings };

export function getRateLimits(): RateLimits {
  if (!g.__keyrelayRateLimits) {
    const settings = g.__keyrelayRateLimitSettings ?? {};
    const url = settings.databaseUrl === undefined ? getEnv().DATABASE_URL : settings.databaseUrl;
    // Its own small pool: rate limiting must not queue behind (or starve) Prisma's connections,
    // and a dead database must fail fast so the in-memory fallback takes over.
    const pool = url
      ? new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 5_000, statement_timeout: 5_000, idleTimeoutMillis: 30_000 })
      : null;
    // Without a listener, an idle client's error (database restarted) would crash the process.
    pool?.on("error", (err) => logger.warn({ err }, "rate limit store: idle PostgreSQL connection failed"));
    g.__keyrelayRateLimits = { limits: createRateLimits({ pool: pool ?? undefined, limits: settings.limits }), pool };
  }
  return g.__keyrelayRateLimits.limits;
}

/** Replaces the rules and/or store; the next call builds fresh limiters (counters start at zero). */
export function configureRateLimits(settings: RateLimitSettings): void {
  const previous = g.__keyrelayRateLimits;
  g.__keyrelayRateLimits = undefined;
  g.__keyrelayRateLimitSettings = settings;
  previous?.pool?.end().catch((err: unknown) => logger.warn({ err }, "rate limit store: closing the old pool failed"));
}

export async function closeRateLimits(): Promise<void> {
  const current = g.__keyrelayRateLimits;
  g.__keyrelayRateLimits = undefined;
  await current?.pool?.end();
}

export function consume(name: RateLimitName, key: string): Promise<ConsumeResult> {
  return getRateLimits().consume(name, key);
}

export function assertWithinLimit(name: RateLimitName, key: string): Promise<void> {
  return getRateLimits().assertWithinLimit(name, key);
}

export function resetRateLimit(name: RateLimitName, key: string): Promise<void> {
  return getRateLimits().reset(name, key);
}
