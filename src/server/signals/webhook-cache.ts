/**
 * Strategies found by their webhook token's hash, with their subscriber count, kept for a second:
 * a burst of alerts (TradingView fires many at once) skips two queries each. The count in the
 * answer may be a second old; the decision step reads everything afresh.
 *
 * Kept in the process registry, not in this module: the webhook is served by the server entry's
 * copy of the modules and a rotation runs in Next's copy (tRPC), so only a shared map lets the
 * rotation evict the old URL's entry. The old URL then stops at once in this process; in another
 * web process, within WEBHOOK_CACHE_MS. Bounded: the oldest entry goes first.
 */
import type { Strategy } from "~/generated/prisma/client";
import { processRegistry } from "~/server/process-registry";

export const WEBHOOK_CACHE_MS = 1_000;
const MAX_ENTRIES = 1_000;

export interface WebhookCacheEntry {
  at: number;
  strategy: Strategy;
  subscribers: number;
}

const entries = () => processRegistry().webhookStrategies;

/** The entry for this token hash when it is younger than WEBHOOK_CACHE_MS. */
export function cachedWebhookStrategy(tokenHash: string, now: number): WebhookCacheEntry | null {
  const e = entries().get(tokenHash);
  if (!e) return null;
  if (now - e.at < WEBHOOK_CACHE_MS) return e;
  entries().delete(tokenHash);
  return null;
}

export function rememberWebhookStrategy(tokenHash: string, entry: WebhookCacheEntry): void {
  const map = entries();
  map.delete(tokenHash);
  while (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  map.set(tokenHash, entry);
}

/** Drops every entry of this strategy (its URL was rotated). */
export function forgetWebhookStrategy(strategyId: string): void {
  const map = entries();
  for (const [hash, e] of map) if (e.strategy.id === strategyId) map.delete(hash);
}
