/**
 * An accepted alert stored in ONE statement (one round trip, atomic without a transaction): the
 * signal, its dedupe keys (a key already taken fails the whole statement), its delivery-log row
 * and, on PostgreSQL, its process_signal job. Used by the webhook and by "Send test alert".
 */
import crypto from "node:crypto";
import type { Strategy } from "~/generated/prisma/client";
import type { Db, SqlClient } from "~/server/db";
import { JOBS_FROM_JSON_SQL } from "~/server/jobs/graphile-sql";
import type { JobSink } from "~/server/jobs/job-sink";
import { dedupeKey } from "~/server/signals/dedupe";
import { elapsedMs, newDeliveryId, recordDelivery } from "~/server/signals/delivery-log";
import { bodyForLog } from "~/server/signals/mask-body";
import type { ParsedAlert } from "~/server/signals/webhook-payload";
import type { WebhookResult } from "~/server/signals/receive-signal";

/** A unique key already taken (the dedupe key: a re-delivered alert), however the driver reports it. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } }; message?: string };
  return e.code === "P2002" || e.code === "23505" || e.meta?.code === "23505" || e.meta?.driverAdapterError?.cause?.originalCode === "23505" || e.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation" || /\b23505\b|unique constraint/i.test(e.message ?? "");
}

export interface AcceptInput {
  strategy: Pick<Strategy, "id">;
  alert: ParsedAlert;
  /** The body as received, for the delivery log (masked and capped there). */
  body: string;
  ip: string | null;
  now: Date;
  /** performance.now() when the request arrived: the log's answer time. */
  started: number;
  subscribers: number;
  test?: boolean;
}

/** `sql`: the statement goes straight to the pg pool (Database.sql): Prisma's raw path costs ~3x its CPU. */
export async function acceptAlert(deps: { db: Db; sql: SqlClient; jobs: JobSink }, input: AcceptInput): Promise<WebhookResult & { signalId: string | null }> {
  const { strategy, now } = input;
  const { secret: _secret, ...alert } = input.alert;
  const keys = dedupeKey({ strategyId: strategy.id, alert: input.alert, now });
  const signalId = `s${now.getTime().toString(36)}${crypto.randomBytes(6).toString("hex")}`;
  const job = { task: "process_signal" as const, payload: { signalId }, jobKey: `signal:${signalId}`, priority: -1 };
  const stored = bodyForLog(input.body);
  const test = input.test ?? false;
  try {
    const jobsJson = deps.jobs.jobsJson?.([job]);
    // The delivery's answer time is taken as the statement is sent: the statement itself is the rest.
    await deps.sql.$queryRawUnsafe(
      `WITH sig AS (
         INSERT INTO "Signal" (id, "strategyId", "dedupeKey", action, symbol, alert, "subscriberCount", "receivedAt", "sourceIp", test)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::timestamp(3), $9, $12) RETURNING id
       ), ded AS (
         INSERT INTO "SignalDedupe" (key, "signalId", "expiresAt") SELECT k, $1, $10::timestamp(3) FROM unnest($11::text[]) AS k RETURNING 1
       ), dlv AS (
         INSERT INTO "WebhookDelivery" (id, "strategyId", "signalId", "receivedAt", "answeredMs", status, accepted, format, body, "bodyBytes", "bodyTruncated", "sourceIp", test)
         SELECT $13, $2, id, $8::timestamp(3), $14, 202, true, $15, $16, $17, $18, $9, $12 FROM sig RETURNING 1
       )${jobsJson ? `, job AS (SELECT ${JOBS_FROM_JSON_SQL("$19")} FROM sig)` : ""}
       SELECT (SELECT count(*) FROM sig)::int AS signals, (SELECT count(*) FROM ded)::int AS keys, (SELECT count(*) FROM dlv)::int AS deliveries${jobsJson ? ", (SELECT count(*) FROM job)::int AS jobs" : ""}`,
      signalId, strategy.id, keys.keys[0]!, alert.action, `${alert.ticker.base}/${alert.ticker.quote}`, JSON.stringify(alert), input.subscribers,
      now.toISOString(), input.ip, keys.expiresAt.toISOString(), keys.keys, test,
      newDeliveryId(), elapsedMs(input.started), input.alert.format, stored.body, stored.bodyBytes, stored.bodyTruncated,
      ...(jobsJson ? [jobsJson] : []),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const first = await deps.db.signalDedupe.findFirst({ where: { key: { in: keys.keys } }, select: { signalId: true } });
    const firstId = first?.signalId ?? null;
    await recordDelivery(deps.db, {
      strategyId: strategy.id, receivedAt: now, answeredMs: elapsedMs(input.started), status: 200, reason: `Duplicate of signal ${firstId ?? "?"}: nothing new was created.`,
      format: input.alert.format, body: input.body, sourceIp: input.ip, signalId: firstId, test,
    });
    return { status: 200, body: { signalId: firstId, duplicate: true, message: "This alert was already received; nothing new was created." }, signalId: firstId };
  }
  deps.jobs.afterCommit([job]);
  // The format it was read as ("tradingview-default", "traderspost"...), so a sender sees what KeyRelay understood.
  return { status: 202, body: { signalId, subscribers: input.subscribers, format: input.alert.format }, signalId };
}
