/**
 * The webhook delivery log's writes. An accepted alert's row is written by the signal's own
 * statement (store-signal.ts: one more CTE, no extra round trip); this file writes refusals and
 * duplicates, and prunes rows past WEBHOOK_LOG_RETENTION_DAYS.
 *
 * Bounded against floods: per strategy (or none: an unknown token) and source IP, the first
 * PER_SOURCE_MINUTE refusals of a minute are rows of their own, the rest of that minute one row
 * (bucket) whose count grows; refusals tied to no strategy are also capped at UNKNOWN_PER_MINUTE
 * rows a minute over all IPs, beyond which they share one bucket per minute. So an attacker
 * rotating tokens or addresses adds at most a few hundred rows a minute.
 */
import crypto from "node:crypto";
import { envVar } from "~/env";
import type { Db } from "~/server/db";
import { bodyForLog } from "~/server/signals/mask-body";

export const PER_SOURCE_MINUTE = 10;
export const UNKNOWN_PER_MINUTE = 200;
const PRUNE_EVERY_MS = 60_000;

export interface DeliveryEntry {
  strategyId: string | null;
  receivedAt: Date;
  answeredMs: number;
  status: number;
  reason: string | null;
  /** The reason's error-catalogue code (error-catalogue/webhook-errors.ts), when it has one. */
  reasonCode?: string | null;
  format: string | null;
  body: string;
  sourceIp: string | null;
  signalId?: string | null;
  test?: boolean;
}

export function newDeliveryId(): string {
  return `d${Date.now().toString(36)}${crypto.randomBytes(6).toString("hex")}`;
}

/** Milliseconds since `started` (performance.now()), whole. */
export function elapsedMs(started: number): number {
  return Math.max(0, Math.round(performance.now() - started));
}

/** A refused (or duplicate) delivery: its own row, or counted into its minute's bucket past the caps. */
export async function recordDelivery(db: Db, d: DeliveryEntry): Promise<void> {
  const minute = new Date(Math.floor(d.receivedAt.getTime() / 60_000) * 60_000);
  const stored = bodyForLog(d.body);
  const accepted = d.status < 300;
  const [c] = await db.$queryRaw<{ mine: number; unknown: number }[]>`
    SELECT count(*) FILTER (WHERE "strategyId" IS NOT DISTINCT FROM ${d.strategyId} AND "sourceIp" IS NOT DISTINCT FROM ${d.sourceIp})::int AS mine,
           count(*) FILTER (WHERE "strategyId" IS NULL)::int AS unknown
      FROM "WebhookDelivery" WHERE "receivedAt" >= ${minute} AND bucket IS NULL AND accepted = false`;
  const overSource = !accepted && (c?.mine ?? 0) >= PER_SOURCE_MINUTE;
  const overUnknown = !accepted && d.strategyId === null && (c?.unknown ?? 0) >= UNKNOWN_PER_MINUTE;
  const row = {
    strategyId: d.strategyId, signalId: d.signalId ?? null, receivedAt: d.receivedAt, answeredMs: d.answeredMs, status: d.status, accepted,
    reason: d.reason?.slice(0, 1000) ?? null, reasonCode: d.reasonCode ?? null, format: d.format, ...stored, sourceIp: d.sourceIp, test: d.test ?? false,
  };
  if (!overSource && !overUnknown) {
    await db.webhookDelivery.create({ data: { id: newDeliveryId(), ...row } });
  } else {
    const bucket = `${d.strategyId ?? "-"}|${overUnknown ? "*" : (d.sourceIp ?? "?")}|${minute.toISOString()}`;
    const reason = `${overUnknown ? "More refused calls to unknown webhook URLs this minute" : "More refused calls from this address this minute"}; the latest: ${row.reason ?? "-"}`.slice(0, 1000);
    await db.webhookDelivery.upsert({
      where: { bucket },
      create: { id: newDeliveryId(), ...row, reason, bucket, sourceIp: overUnknown ? null : d.sourceIp },
      update: { count: { increment: 1 }, reason, reasonCode: row.reasonCode, status: d.status },
    });
  }
  await pruneDeliveriesSometimes(db, d.receivedAt);
}

let lastPruneAt = 0;

/** pruneDeliveries at most once a minute per module copy (writes and admin reads call it). */
export async function pruneDeliveriesSometimes(db: Db, now: Date = new Date()): Promise<void> {
  if (now.getTime() - lastPruneAt < PRUNE_EVERY_MS) return;
  lastPruneAt = now.getTime();
  await pruneDeliveries(db, now);
}

/** Deletes deliveries older than WEBHOOK_LOG_RETENTION_DAYS; returns how many. */
export async function pruneDeliveries(db: Db, now: Date = new Date(), days: number = envVar("WEBHOOK_LOG_RETENTION_DAYS")): Promise<number> {
  const r = await db.webhookDelivery.deleteMany({ where: { receivedAt: { lt: new Date(now.getTime() - days * 86_400_000) } } });
  return r.count;
}
