/**
 * Notifications about the engine's work, made off its hot path: the result writer queues one
 * notify_orders job per flushed batch (its executions' ids, nothing read), and the decision step one
 * notify_signal_rejected job per rejected signal. These jobs read what they need and notify every
 * owner in a fixed number of statements per page.
 */
import type { Db } from "~/server/db";
import { ES } from "~/server/engine/execution-state";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec } from "~/server/jobs/job-types";
import type { NotificationKind } from "~/server/notifications/events";
import { NOTIFY_PRIORITY, notifyMany, withNotifications, type NotifyInput } from "~/server/notifications/notify";

export interface NotifyDeps {
  db: Db;
  jobs: JobSink;
}

export const notifyOrdersJob = (executionIds: string[]): JobSpec => ({ task: "notify_orders", payload: { ids: executionIds }, priority: NOTIFY_PRIORITY, maxAttempts: 3 });
export const notifySignalRejectedJob = (signalId: string): JobSpec => ({
  task: "notify_signal_rejected",
  payload: { signalId },
  priority: NOTIFY_PRIORITY,
  jobKey: `notify-rejected:${signalId}`,
  maxAttempts: 3,
});

const KIND_OF: Partial<Record<string, NotificationKind>> = {
  [ES.FILLED]: "ORDER_FILLED",
  [ES.PARTIALLY_FILLED]: "ORDER_FILLED",
  [ES.REJECTED]: "ORDER_FAILED",
  [ES.FAILED]: "ORDER_FAILED",
  [ES.SKIPPED]: "ORDER_SKIPPED",
};

const EXCHANGE_NAMES: Record<string, string> = { BINANCE: "Binance", BYBIT: "Bybit" };

/** The bell line and the webhook fields of one answered order. */
export async function notifyOrders(deps: NotifyDeps, executionIds: string[]): Promise<number> {
  if (executionIds.length === 0) return 0;
  const rows = await deps.db.execution.findMany({
    where: { id: { in: executionIds } },
    select: {
      id: true, userId: true, status: true, paper: true, symbol: true, side: true, exchange: true, amount: true, filledAmount: true, averagePrice: true,
      errorKind: true, message: true, signalId: true,
      subscription: { select: { paused: true, strategy: { select: { name: true } }, user: { select: { tradingMode: true } } } },
    },
  });
  const inputs: NotifyInput[] = [];
  for (const e of rows) {
    const kind = KIND_OF[e.status];
    if (!kind) continue; // resting orders: told when they fill or fail
    // Skips the user chose (trading OFF, subscription paused) are no news to them.
    if (kind === "ORDER_SKIPPED" && (e.subscription.paused || e.subscription.user.tradingMode === "OFF")) continue;
    const where = `${e.paper ? "paper" : EXCHANGE_NAMES[e.exchange ?? ""] ?? "exchange"}`;
    const what = `${e.side.toUpperCase()} ${(e.filledAmount ?? e.amount)?.toFixed() ?? ""} ${e.symbol}`.replace(/\s+/g, " ");
    const strategy = e.subscription.strategy.name;
    const message =
      kind === "ORDER_FILLED"
        ? `${what} filled${e.averagePrice ? ` at ${e.averagePrice.toFixed()}` : ""} on ${where} (${strategy}).`
        : kind === "ORDER_FAILED"
          ? `${what} on ${where} failed (${strategy}): ${e.message ?? e.errorKind ?? "no reason given"}`
          : `${what} was skipped (${strategy}): ${e.message ?? "no reason given"}`;
    inputs.push({
      userId: e.userId,
      kind,
      message,
      details: {
        executionId: e.id, signalId: e.signalId, strategy, symbol: e.symbol, side: e.side, status: e.status, paper: e.paper, exchange: e.exchange,
        amount: e.amount?.toFixed() ?? null, filledAmount: e.filledAmount?.toFixed() ?? null, averagePrice: e.averagePrice?.toFixed() ?? null,
        errorKind: e.errorKind, reason: e.message,
      },
    });
  }
  await withNotifications(deps.db, deps.jobs, async (tx, after) => void after.push(...(await notifyMany(tx, deps.jobs, inputs)).after));
  return inputs.length;
}

const PAGE = 2_000;

/** A signal the decision step rejected (stale, symbol not allowed, price off the market): every active subscriber is told why. */
export async function notifySignalRejected(deps: NotifyDeps, signalId: string): Promise<number> {
  const signal = await deps.db.signal.findUnique({ where: { id: signalId }, select: { id: true, status: true, decision: true, strategyId: true, strategy: { select: { name: true } } } });
  if (!signal || signal.status !== "REJECTED") return 0;
  const reasons = ((signal.decision as { reasons?: { message?: string }[] } | null)?.reasons ?? []).map((r) => r.message).filter(Boolean);
  const why = reasons.length ? reasons.join(" ") : "it did not pass the strategy's rules.";
  let cursor: string | undefined;
  let told = 0;
  for (;;) {
    const subs = await deps.db.subscription.findMany({
      where: { strategyId: signal.strategyId, paused: false },
      select: { id: true, userId: true },
      orderBy: { id: "asc" },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (subs.length === 0) break;
    const inputs: NotifyInput[] = [...new Set(subs.map((s) => s.userId))].map((userId) => ({
      userId,
      kind: "SIGNAL_REJECTED",
      message: `An alert for ${signal.strategy.name} was rejected, no order was placed: ${why}`,
      details: { signalId: signal.id, strategy: signal.strategy.name, reason: why },
    }));
    await withNotifications(deps.db, deps.jobs, async (tx, after) => void after.push(...(await notifyMany(tx, deps.jobs, inputs)).after));
    told += inputs.length;
    cursor = subs.at(-1)!.id;
    if (subs.length < PAGE) break;
  }
  return told;
}
