/**
 * What happened to signals: the admin's list of recent alerts with their fan-out progress, one
 * signal's executions, and a user's own executions. Read-only views for the routers.
 */
import type { Db } from "~/server/db";
import { PROGRESS_BUCKETS, type ExecutionStatus } from "~/server/engine/execution-state";
import { helpLinkForKind, withSignalHelp } from "~/server/error-catalogue/catalogue";

const RECENT = 50;

export type Progress = { [K in keyof typeof PROGRESS_BUCKETS]: number } & { total: number };

/** Counts per status folded into the progress buckets (execution-state.ts decides which status goes where). */
export function progressOf(counts: Partial<Record<string, number>> | undefined): Progress {
  const sum = (statuses: readonly ExecutionStatus[]) => statuses.reduce((n, s) => n + (counts?.[s] ?? 0), 0);
  const p = {
    queued: sum(PROGRESS_BUCKETS.queued),
    sent: sum(PROGRESS_BUCKETS.sent),
    filled: sum(PROGRESS_BUCKETS.filled),
    failed: sum(PROGRESS_BUCKETS.failed),
    skipped: sum(PROGRESS_BUCKETS.skipped),
  };
  return { ...p, total: p.queued + p.sent + p.filled + p.failed + p.skipped };
}

/** Execution counts per status for signals: the fan-out progress bar. */
async function countsBySignal(db: Db, signalIds: string[]) {
  const rows = await db.execution.groupBy({ by: ["signalId", "status"], where: { signalId: { in: signalIds } }, _count: { _all: true } });
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const m = out.get(r.signalId) ?? {};
    m[r.status] = r._count._all;
    out.set(r.signalId, m);
  }
  return out;
}

type SignalDecision = { approved?: boolean; reasons?: { code: string; message: string }[]; model?: { decision: string; reason: string; source: string } } | null;

/** The latest alerts, newest first, with the decision taken and the fan-out progress. */
export async function recentSignals(db: Db) {
  const rows = await db.signal.findMany({ orderBy: { receivedAt: "desc" }, take: RECENT, include: { strategy: { select: { name: true } } } });
  const counts = await countsBySignal(db, rows.map((r) => r.id));
  return rows.map((s) => {
    const d = (s.decision ?? null) as SignalDecision;
    return {
      id: s.id, strategyName: s.strategy.name, action: s.action, symbol: s.symbol, status: s.status, receivedAt: s.receivedAt, completedAt: s.completedAt,
      subscriberCount: s.subscriberCount, approved: d?.approved ?? null, reasons: (d?.reasons ?? []).map(withSignalHelp), model: d?.model ?? null, progress: progressOf(counts.get(s.id)),
    };
  });
}

const withSignal = { signal: { select: { receivedAt: true, strategy: { select: { name: true } } } } } as const;

type ExecRow = {
  id: string; signalId: string; tier: "PRO" | "FLEX" | "TRIAL"; exchange: "BINANCE" | "BYBIT" | null; symbol: string; side: string; status: ExecutionStatus; paper: boolean;
  amount: { toString(): string } | null; filledAmount: { toString(): string } | null; averagePrice: { toString(): string } | null;
  clientOrderId: string; exchangeOrderId: string | null; errorKind: string | null; message: string | null;
  queuedAt: Date; sentAt: Date | null; ackAt: Date | null; completedAt: Date | null;
  signal: { receivedAt: Date; strategy: { name: string } };
};

/** One execution as the tables show it: amounts as decimal strings, latency from the alert to the exchange's ack. */
function executionView(e: ExecRow, email?: string) {
  return {
    id: e.id, signalId: e.signalId, userEmail: email, strategyName: e.signal.strategy.name, tier: e.tier, exchange: e.exchange, symbol: e.symbol, side: e.side,
    status: e.status, paper: e.paper, amount: e.amount?.toString() ?? null, filledAmount: e.filledAmount?.toString() ?? null, averagePrice: e.averagePrice?.toString() ?? null,
    clientOrderId: e.clientOrderId, exchangeOrderId: e.exchangeOrderId, errorKind: e.errorKind, message: e.message, help: helpLinkForKind(e.errorKind),
    queuedAt: e.queuedAt, sentAt: e.sentAt, ackAt: e.ackAt, completedAt: e.completedAt,
    latencyMs: e.ackAt ? e.ackAt.getTime() - e.signal.receivedAt.getTime() : null,
  };
}

/** A user's latest executions, newest first. */
export async function userExecutions(db: Db, userId: string) {
  const rows = await db.execution.findMany({ where: { userId }, orderBy: { queuedAt: "desc" }, take: RECENT, include: withSignal });
  return rows.map((e) => executionView(e));
}

/** Every subscriber's execution of one signal, in send order, with the subscriber's email. */
export async function signalExecutions(db: Db, signalId: string) {
  const rows = await db.execution.findMany({ where: { signalId }, orderBy: [{ priority: "asc" }, { queuedAt: "asc" }], include: withSignal });
  const users = new Map((await db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.userId))] } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]));
  return rows.map((e) => executionView(e, users.get(e.userId)));
}

/**
 * Alerts of the user's strategies that the decision step rejected (stale, symbol not allowed, price
 * off the market...), since the user subscribed, newest first, with the reasons: no execution is
 * made for them, so without this a subscriber would never learn why nothing traded.
 */
export async function userRejectedSignals(db: Db, userId: string) {
  const subs = await db.subscription.findMany({ where: { userId }, select: { strategyId: true, createdAt: true } });
  if (subs.length === 0) return [];
  const rows = await db.signal.findMany({
    where: { status: "REJECTED", OR: subs.map((s) => ({ strategyId: s.strategyId, receivedAt: { gte: s.createdAt } })) },
    orderBy: { receivedAt: "desc" },
    take: RECENT,
    include: { strategy: { select: { name: true } } },
  });
  return rows.map((s) => ({
    id: s.id, strategyName: s.strategy.name, action: s.action, symbol: s.symbol, receivedAt: s.receivedAt, test: s.test,
    reasons: (((s.decision ?? null) as SignalDecision)?.reasons ?? []).map(withSignalHelp),
  }));
}
