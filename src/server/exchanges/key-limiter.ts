/**
 * Per-API-key token buckets. ccxt's own limiter is per instance, polls every millisecond and does
 * not credit idle time, so it is off; this one enforces each exchange's documented limits per key
 * and lets a key be paused after the exchange says "slow down" (RATE_LIMITED).
 */
import type { RateBucket } from "~/server/exchanges/profiles";

interface BucketState {
  tokens: number;
  updatedAt: number;
  pausedUntil: number;
}

export class KeyLimiter {
  private readonly buckets = new Map<string, BucketState>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds to wait before a request on this key may go (and reserves the token). */
  reserve(key: string, rate: RateBucket): number {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: rate.burst, updatedAt: t, pausedUntil: 0 };
      this.buckets.set(key, b);
      if (this.buckets.size > 50_000) this.evictIdle(t);
    }
    b.tokens = Math.min(rate.burst, b.tokens + ((t - b.updatedAt) / 1000) * rate.perSecond);
    b.updatedAt = t;
    b.tokens -= 1;
    const refillWait = b.tokens >= 0 ? 0 : (-b.tokens / rate.perSecond) * 1000;
    return Math.max(refillWait, b.pausedUntil - t, 0);
  }

  async acquire(key: string, rate: RateBucket): Promise<void> {
    const wait = this.reserve(key, rate);
    if (wait > 0) await new Promise((r) => setTimeout(r, Math.ceil(wait)));
  }

  /** Pause a key (e.g. after a 429) so no request on it goes out before `ms` have passed. */
  pause(key: string, ms: number): void {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: 0, updatedAt: t, pausedUntil: 0 };
    b.pausedUntil = Math.max(b.pausedUntil, t + ms);
    this.buckets.set(key, b);
  }

  private evictIdle(t: number) {
    for (const [k, b] of this.buckets) if (t - b.updatedAt > 60_000 && b.pausedUntil < t) this.buckets.delete(k);
  }
}
