import { createHash } from "node:crypto";

import type { ParsedAlert } from "~/server/signals/webhook-payload";

// The key that makes a repeated delivery of one alert trade once.
//
// With an id (KeyRelay's template builds one per firing): "id:<strategyId>:<id>", whenever it arrives.
// Without: identical alerts for a strategy within DEDUPE_WINDOW_SECONDS are one delivery (TradingView
// firing twice, a user who created the same alert twice, a proxy retry). "Identical" is judged on the
// parsed alert, not the raw body, so key order, whitespace and "0.10" vs 0.1 do not make two deliveries.
// The secret is left out of the hash, so no secret reaches a stored key even hashed; so is the format.
//
// Fixed time buckets have an edge: two copies 1 s apart can fall either side of a boundary. So each
// delivery claims two keys, its own bucket and the next one, and the caller inserts both in ONE statement
// against a unique index: any copy within the window shares at least one key and fails the insert, with
// no read-then-write race. Copies 60-119 s apart may also collide (never >= 120 s); that is the price,
// and a sender that repeats an identical alert inside two minutes on purpose should send an id.

export const DEDUPE_WINDOW_SECONDS = 60;
/** How long an id key must be kept; ids are unique per firing, so this only bounds late replays. */
export const ID_KEY_RETENTION_SECONDS = 7 * 24 * 60 * 60;

export type DedupeKeys = {
  kind: "id" | "body";
  /** Insert all of them atomically (one multi-row INSERT, unique index); any conflict means duplicate. */
  keys: string[];
  /** After this the keys can be deleted. */
  expiresAt: Date;
};

export function dedupeKey({ strategyId, alert, now }: { strategyId: string; alert: ParsedAlert; now: Date }): DedupeKeys {
  if (alert.id !== null) {
    return { kind: "id", keys: [`id:${strategyId}:${alert.id}`], expiresAt: new Date(now.getTime() + ID_KEY_RETENTION_SECONDS * 1000) };
  }
  // The wire format says how it was sent, not what was sent.
  const { secret: _secret, format: _format, ...content } = alert;
  const digest = createHash("sha256").update(strategyId).update("\0").update(canonicalJson(content)).digest("hex");
  const bucket = Math.floor(now.getTime() / 1000 / DEDUPE_WINDOW_SECONDS);
  return {
    kind: "body",
    keys: [bucket, bucket + 1].map((b) => `body:${strategyId}:${b}:${digest}`),
    expiresAt: new Date((bucket + 2) * DEDUPE_WINDOW_SECONDS * 1000),
  };
}

const MAX_DEPTH = 16;

/** JSON with object keys sorted, so equal alerts give equal text. Dates become ISO strings as in JSON. */
export function canonicalJson(value: unknown, depth = 0): string {
  if (value instanceof Date) return JSON.stringify(Number.isNaN(value.getTime()) ? null : value.toISOString());
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  // The parser caps nesting well below this; the guard keeps a hand-built alert from overflowing the stack.
  if (depth >= MAX_DEPTH) return '"[deep]"';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, depth + 1)).join(",")}]`;
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item, depth + 1)}`).join(",")}}`;
}
