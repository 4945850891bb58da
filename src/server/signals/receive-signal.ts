/**
 * The webhook's work, kept to what must happen before TradingView gets its answer: find the
 * strategy, check source IP, state (archived, disabled) and rate, parse, store the signal
 * (deduplicated) with its delivery-log row and process_signal job in one statement
 * (store-signal.ts), and answer. A refusal is written to the delivery log (delivery-log.ts) before
 * the answer. No exchange call happens here.
 */
import crypto from "node:crypto";
import type { Db, SqlClient } from "~/server/db";
import { bodyTooLarge } from "~/server/http/body-limit";
import { processRegistry } from "~/server/process-registry";
import type { JobSink } from "~/server/jobs/job-sink";
import { logger } from "~/server/logger";
import { elapsedMs, recordDelivery } from "~/server/signals/delivery-log";
import { acceptAlert } from "~/server/signals/store-signal";
import { cachedWebhookStrategy, rememberWebhookStrategy } from "~/server/signals/webhook-cache";
import { parseWebhookPayload } from "~/server/signals/webhook-payload";
import { hashWebhookToken } from "~/server/strategies/webhook-token";
import { webhookRefusal } from "~/server/error-catalogue/webhook-errors";

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

const notFound: WebhookResult = webhookRefusal("NOT_FOUND");

/** What the delivery log records about a refusal (an accepted alert's row is written with the signal). */
type Handled = { result: WebhookResult; strategyId: string | null; format: string | null; logged?: boolean };

export async function receiveSignal(
  deps: { db: Db; sql: SqlClient; jobs: JobSink },
  input: { pathToken: string; contentType: string | null; body: string; ip: string | null; now?: Date },
): Promise<WebhookResult> {
  const started = performance.now();
  const now = input.now ?? new Date();
  const handled = await handle(deps, input, now, started);
  if (!handled.logged) {
    const r = handled.result;
    const reason = typeof r.body.error === "string" ? r.body.error : null;
    const reasonCode = typeof r.body.code === "string" ? r.body.code : null;
    // The log is for the admin: failing to write it never changes TradingView's answer.
    await recordDelivery(deps.db, { strategyId: handled.strategyId, receivedAt: now, answeredMs: elapsedMs(started), status: r.status, reason, reasonCode, format: handled.format, body: input.body, sourceIp: input.ip }).catch((err: unknown) =>
      logger.warn({ err }, "webhook delivery log write failed"),
    );
  }
  return handled.result;
}

async function handle(deps: { db: Db; sql: SqlClient; jobs: JobSink }, input: { pathToken: string; contentType: string | null; body: string; ip: string | null }, now: Date, started: number): Promise<Handled> {
  const refused = (result: WebhookResult, strategyId: string | null = null, format: string | null = null): Handled => ({ result, strategyId, format });
  const tooLarge = bodyTooLarge(Buffer.byteLength(input.body), "alert");
  if (tooLarge) return refused(webhookRefusal("TOO_LARGE", tooLarge));
  if (!/^[A-Za-z0-9_-]{8,128}$/.test(input.pathToken)) return refused(notFound);
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
    if (!byId || !secret || !safeEqual(hashWebhookToken(secret), byId.webhookTokenHash)) return refused(notFound);
    strategy = byId;
  }
  const format = parsed.ok ? parsed.alert.format : null;
  if (strategy.allowedIps.length && !(input.ip && strategy.allowedIps.includes(input.ip))) {
    return refused(webhookRefusal("IP_NOT_ALLOWED"), strategy.id, format);
  }
  if (strategy.archivedAt) return refused(webhookRefusal("ARCHIVED"), strategy.id, format);
  if (!strategy.enabled) return refused(webhookRefusal("DISABLED"), strategy.id, format);
  const retry = overRate(strategy.id, strategy.rateLimitPerMinute, now.getTime());
  if (retry !== null) {
    const limited = webhookRefusal("RATE_LIMITED", `Too many alerts for this strategy: at most ${strategy.rateLimitPerMinute} per minute.`);
    return refused({ ...limited, headers: { "retry-after": String(retry) } }, strategy.id, format);
  }
  if (!parsed.ok) {
    const key = parsed.status === 415 ? "UNSUPPORTED_TYPE" : parsed.placeholders ? "UNRENDERED_PLACEHOLDER" : "INVALID_ALERT";
    const answer = webhookRefusal(key, parsed.error.map((e) => `${e.field}: ${e.message}`).join(" "));
    return refused({ status: answer.status, body: { ...answer.body, fields: parsed.error } }, strategy.id);
  }
  const subscribers = fresh?.subscribers ?? (await deps.db.subscription.count({ where: { strategyId: strategy.id, paused: false } }));
  if (!fresh && strategy.webhookTokenHash === pathHash) rememberWebhookStrategy(pathHash, { at: now.getTime(), strategy, subscribers });
  const { signalId: _id, ...result } = await acceptAlert(deps, { strategy, alert: parsed.alert, body: input.body, ip: input.ip, now, started, subscribers });
  return { result, strategyId: strategy.id, format, logged: true };
}
