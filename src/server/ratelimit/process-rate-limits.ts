/**
 * The process-wide rate limits (built once by the composition root: PostgreSQL-backed when
 * DATABASE_URL is set, shared by every process on that database; in memory otherwise). Tests call
 * configureRateLimits() to change rules or the store.
 */
import { closeRootRateLimits, configureRootRateLimits, rootRateLimits, type RateLimitSettings } from "~/server/composition";
import { rateLimitedError, type ConsumeResult, type RateLimitName, type RateLimits } from "~/server/ratelimit/rate-limits";

export type { RateLimitSettings } from "~/server/composition";

/**
 * The process's limits. assertWithinLimit throws from this module's copy of the code (see
 * composition.ts), not from the copy that happened to build the shared limiters.
 */
export function getRateLimits(): RateLimits {
  const limits = rootRateLimits();
  return {
    store: limits.store,
    consume: (name, key) => limits.consume(name, key),
    reset: (name, key) => limits.reset(name, key),
    refund: (name, key) => limits.refund(name, key),
    assertWithinLimit: (name, key) => assertWithinLimit(name, key),
  };
}

/** Replaces the rules and/or store; the next call builds fresh limiters (counters start at zero). */
export function configureRateLimits(settings: RateLimitSettings): void {
  configureRootRateLimits(settings);
}

export function closeRateLimits(): Promise<void> {
  return closeRootRateLimits();
}

export function consume(name: RateLimitName, key: string): Promise<ConsumeResult> {
  return rootRateLimits().consume(name, key);
}

/** Throws AppError("RATE_LIMITED") with details.retryAfterSeconds when over the limit. */
export async function assertWithinLimit(name: RateLimitName, key: string): Promise<void> {
  const r = await consume(name, key);
  if (!r.ok) throw rateLimitedError(name, r.retryAfterSeconds);
}

export function refundRateLimit(name: RateLimitName, key: string): Promise<void> {
  return rootRateLimits().refund(name, key);
}

export function resetRateLimit(name: RateLimitName, key: string): Promise<void> {
  return rootRateLimits().reset(name, key);
}
