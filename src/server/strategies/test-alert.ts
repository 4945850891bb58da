/**
 * "Send test alert": a buy of the strategy's first symbol through the same path as a webhook call
 * (the payload parser, the one-statement store with its delivery-log row, the decision and the
 * fan-out), marked as a test on the signal, so every subscriber's execution is PAPER whatever
 * their mode: nothing reaches an exchange account. The admin then reads the result per subscriber.
 */
import { withSignalHelp } from "~/server/error-catalogue/catalogue";
import crypto from "node:crypto";
import { writeAudit } from "~/server/audit/write-audit";
import type { Db, SqlClient } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import type { JobSink } from "~/server/jobs/job-sink";
import { acceptAlert } from "~/server/signals/store-signal";
import { parseWebhookPayload } from "~/server/signals/webhook-payload";
import { signalExecutions } from "~/server/strategies/signal-activity";

/** The test alert's body: what TradingView would send for a buy, with a fresh id (never deduplicated away). */
export function testAlertBody(strategy: { allowedSymbols: string[]; marketType: string }, now: Date): string {
  const symbol = (strategy.allowedSymbols[0] ?? "BTC/USDT").replace("/", "");
  return JSON.stringify({
    ticker: strategy.marketType === "LINEAR" ? `${symbol}.P` : symbol,
    action: "buy",
    timestamp: now.toISOString(),
    maxLagSeconds: 60,
    id: `test-${now.getTime().toString(36)}-${crypto.randomBytes(4).toString("hex")}`,
  });
}

export async function sendTestAlert(deps: { db: Db; sql: SqlClient; jobs: JobSink }, actor: { id: string; meta: RequestMeta | null }, strategyId: string) {
  const started = performance.now();
  const now = new Date();
  const strategy = await deps.db.strategy.findUnique({ where: { id: strategyId } });
  if (!strategy) throw new AppError("NOT_FOUND", "No such strategy: reload the Strategies page.", { field: "id" });
  if (strategy.archivedAt) throw new AppError("CONFLICT", "This strategy is archived: it takes no alerts, test ones included.", { field: "id" });
  const body = testAlertBody(strategy, now);
  const parsed = parseWebhookPayload({ contentType: "application/json", body });
  if (!parsed.ok) throw new AppError("BAD_INPUT", `The test alert could not be built: ${parsed.error.map((e) => e.message).join(" ")}`, { field: "id" });
  const subscribers = await deps.db.subscription.count({ where: { strategyId, paused: false } });
  const r = await acceptAlert(deps, { strategy, alert: parsed.alert, body, ip: actor.meta?.ip ?? null, now, started, subscribers, test: true });
  if (!r.signalId) throw new AppError("INTERNAL", "The test alert was not stored; try again.");
  await deps.db.$transaction((tx) =>
    writeAudit(tx, { action: "strategy.test_alert", outcome: "SUCCESS", actorId: actor.id, targetType: "strategy", targetId: strategyId, meta: actor.meta, details: { signalId: r.signalId, subscribers } }),
  );
  return { signalId: r.signalId, subscribers };
}

type Decision = { approved?: boolean; reasons?: { code: string; message: string }[] } | null;

/** How a test alert went: the decision, then every subscriber's execution (all paper). */
export async function testAlertResult(db: Db, signalId: string) {
  const signal = await db.signal.findFirst({ where: { id: signalId, test: true } });
  if (!signal) throw new AppError("NOT_FOUND", "No such test alert.", { field: "signalId" });
  const d = (signal.decision ?? null) as Decision;
  return { signalId, status: signal.status, reasons: (d?.reasons ?? []).map(withSignalHelp), executions: await signalExecutions(db, signalId) };
}
