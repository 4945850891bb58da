/**
 * The webhook's work, kept to what must happen before TradingView gets its answer: find the
 * strategy, check source IP and rate, parse, store the signal (deduplicated) with its
 * process_signal job in one transaction, and answer. No exchange call happens here.
 */
import crypto from "node:crypto";
import type { Db } from "~/server/db";
import { bodyTooLarge } from "~/server/http/body-limit";
import { processRegistry } from "~/server/process-registry";
import { JOBS_FROM_JSON_SQL } from "~/server/jobs/graphile-sql";
import type { JobSink } from "~/server/jobs/job-sink";
import { dedupeKey } from "~/server/signals/dedupe";
import { cachedWebhookStrategy, rememberWebhookStrategy } from "~/server/signals/webhook-cache";
import { parseWebhookPayload } from "~/server/signals/webhook-payload";
import { hashWebhookToken } from "~/server/strategies/webhook-token";

export interface WebhookResult {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Per-strategy fixed-window counter in this process (the registry's: one per process, bounded). */
function overRate(strategyId: string, perMinute: number, now: number): number | null {
  const windows = processRegistry().webhookWindows;
  const w = windows.get(strategyId);
  if (!w || now - w.start >= 60_000) {
    if (!w && windows.size >= MAX_WINDOWS) {
      for (const [id, old] of windows) if (now - old.start >= 60_000) windows.delete(id);
      if (windows.size >= MAX_WINDOWS) windows.delete(windows.keys().next().value!);
    }
    windows.set(strategyId, { start: now, count: 1 });
    return null;
  }
  w.count++;
  return w.count > perMinute ? Math.ceil((w.start + 60_000 - now) / 1000) : null;
}

const MAX_WINDOWS = 10_000;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** A unique key already taken (the dedupe key: a re-delivered alert), however the driver reports it. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } }; message?: string };
  return e.code === "P2002" || e.meta?.code === "23505" || e.meta?.driverAdapterError?.cause?.originalCode === "23505" || e.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation" || /\b23505\b|unique constraint/i.test(e.message ?? "");
}

const notFound: WebhookResult = { status: 404, body: { error: "No strategy has this webhook URL. Copy the URL again from KeyRelay." } };

export async function receiveSignal(
  deps: { db: Db; jobs: JobSink },
  input: { pathToken: string; contentType: string | null; body: string; ip: string | null; now?: Date },
): Promise<WebhookResult> {
  const now = input.now ?? new Date();
  const tooLarge = bodyTooLarge(Buffer.byteLength(input.body), "alert");
  if (tooLarge) return { status: 413, body: { error: tooLarge } };
  if (!/^[A-Za-z0-9_-]{8,128}$/.test(input.pathToken)) return notFound;
  const parsed = parseWebhookPayload({ contentType: input.contentType, body: input.body });

  // The URL holds the strategy's secret token; or its id, with the token as "secret" in the body.
  // Only the token's hash is stored, so the look-up is by hash (a hash look-up leaks no timing
  // about the token itself).
  const pathHash = hashWebhookToken(input.pathToken);
  const fresh = cachedWebhookStrategy(pathHash, now.getTime());
  let strategy = fresh?.strategy ?? (await deps.db.strategy.findUnique({ where: { webhookTokenHash: pathHash } }));
  if (!strategy) {
    const byId = await deps.db.strategy.findUnique({ where: { id: input.pathToken } });
    const secret = parsed.ok ? parsed.alert.secret : null;
    if (!byId || !secret || !safeEqual(hashWebhookToken(secret), byId.webhookTokenHash)) return notFound;
    strategy = byId;
  }
  if (strategy.allowedIps.length && !(input.ip && strategy.allowedIps.includes(input.ip))) {
    return { status: 403, body: { error: "This source IP is not allowed for this strategy's webhook." } };
  }
  const retry = overRate(strategy.id, strategy.rateLimitPerMinute, now.getTime());
  if (retry !== null) {
    return { status: 429, body: { error: `Too many alerts for this strategy: at most ${strategy.rateLimitPerMinute} per minute.` }, headers: { "retry-after": String(retry) } };
  }
  if (!parsed.ok) {
    return { status: parsed.status, body: { error: parsed.error.map((e) => `${e.field}: ${e.message}`).join(" "), fields: parsed.error } };
  }
  const { secret: _secret, ...alert } = parsed.alert;
  const keys = dedupeKey({ strategyId: strategy.id, alert: parsed.alert, now });
  const signalId = `s${now.getTime().toString(36)}${crypto.randomBytes(6).toString("hex")}`;
  const subscribers = fresh?.subscribers ?? (await deps.db.subscription.count({ where: { strategyId: strategy.id, paused: false } }));
  if (!fresh && strategy.webhookTokenHash === pathHash) rememberWebhookStrategy(pathHash, { at: now.getTime(), strategy, subscribers });
  const job = { task: "process_signal" as const, payload: { signalId }, jobKey: `signal:${signalId}`, priority: -1 };
  try {
    // One statement, so one round trip and atomic without a transaction: the signal, its dedupe
    // keys (a key already taken fails the whole statement) and, on PostgreSQL, its job.
    const jobsJson = deps.jobs.jobsJson?.([job]);
    await deps.db.$queryRawUnsafe(
      `WITH sig AS (
         INSERT INTO "Signal" (id, "strategyId", "dedupeKey", action, symbol, alert, "subscriberCount", "receivedAt", "sourceIp")
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::timestamp(3), $9) RETURNING id
       ), ded AS (
         INSERT INTO "SignalDedupe" (key, "signalId", "expiresAt") SELECT k, $1, $10::timestamp(3) FROM unnest($11::text[]) AS k RETURNING 1
       )${jobsJson ? `, job AS (SELECT ${JOBS_FROM_JSON_SQL("$12")} FROM sig)` : ""}
       SELECT (SELECT count(*) FROM sig)::int AS signals, (SELECT count(*) FROM ded)::int AS keys${jobsJson ? ", (SELECT count(*) FROM job)::int AS jobs" : ""}`,
      signalId, strategy.id, keys.keys[0]!, alert.action, `${alert.ticker.base}/${alert.ticker.quote}`, JSON.stringify(alert), subscribers,
      now.toISOString(), input.ip, keys.expiresAt.toISOString(), keys.keys, ...(jobsJson ? [jobsJson] : []),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const first = await deps.db.signalDedupe.findFirst({ where: { key: { in: keys.keys } }, select: { signalId: true } });
    return { status: 200, body: { signalId: first?.signalId ?? null, duplicate: true, message: "This alert was already received; nothing new was created." } };
  }
  deps.jobs.afterCommit([job]);
  // The format it was read as ("tradingview-default", "traderspost"...), so a sender sees what KeyRelay understood.
  return { status: 202, body: { signalId, subscribers, format: parsed.alert.format } };
}
