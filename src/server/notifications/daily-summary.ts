/**
 * DAILY_SUMMARY: once a day (00:05 UTC), every user with a channel that chose the daily summary gets
 * yesterday's orders, fills and realized PnL (UTC day). Only those users: the bell would otherwise
 * fill with a line a day for everyone. One job for all of them, a page of users at a time, a fixed
 * number of statements per page; the job queues its own next run (a job key: one queued at a time).
 */
import type { Db } from "~/server/db";
import { ATTEMPTED, FAILED_ATTEMPT } from "~/server/engine/execution-state";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec } from "~/server/jobs/job-types";
import { NOTIFY_PRIORITY, notifyMany, withNotifications, type NotifyInput } from "~/server/notifications/notify";
import { Prisma } from "~/generated/prisma/client";

const DAY_MS = 86_400_000;
const RUN_AT_MINUTE_MS = 5 * 60_000;
const PAGE = 1_000;

/** The next run: 00:05 UTC after `now`. */
export function dailySummaryJob(now = new Date()): JobSpec {
  const next = Math.floor(now.getTime() / DAY_MS) * DAY_MS + RUN_AT_MINUTE_MS;
  const at = next > now.getTime() ? next : next + DAY_MS;
  return { task: "daily_summary", payload: {}, priority: NOTIFY_PRIORITY, jobKey: "notify:daily-summary", maxAttempts: 3, delayMs: at - now.getTime() };
}

export interface DaySummary {
  orders: number;
  failed: number;
  fills: number;
  realizedPnl: string;
}

export function summaryMessage(day: string, s: DaySummary): string {
  if (s.orders === 0 && s.fills === 0) return `${day} (UTC): no orders.`;
  const pnl = new Prisma.Decimal(s.realizedPnl);
  return `${day} (UTC): ${s.orders} order${s.orders === 1 ? "" : "s"} (${s.failed} failed), ${s.fills} fill${s.fills === 1 ? "" : "s"}, realized PnL ${pnl.gt(0) ? "+" : ""}${pnl.toFixed()} (quote currency, live and paper together).`;
}

/** Summarises the UTC day before `now` for every user who chose it; returns how many were told. */
export async function sendDailySummaries(deps: { db: Db; jobs: JobSink }, now = new Date()): Promise<number> {
  const end = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const start = new Date(end.getTime() - DAY_MS);
  const day = start.toISOString().slice(0, 10);
  let cursor: string | undefined;
  let told = 0;
  for (;;) {
    const users = await deps.db.user.findMany({
      where: { disabledAt: null, notificationChannels: { some: { enabled: true, events: { has: "DAILY_SUMMARY" } } } },
      select: { id: true },
      orderBy: { id: "asc" },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (users.length === 0) break;
    const ids = users.map((u) => u.id);
    const window = { gte: start, lt: end };
    const [orders, failed, fills] = await Promise.all([
      deps.db.execution.groupBy({ by: ["userId"], where: { userId: { in: ids }, completedAt: window, status: { in: [...ATTEMPTED] } }, _count: { _all: true } }),
      deps.db.execution.groupBy({ by: ["userId"], where: { userId: { in: ids }, completedAt: window, status: { in: [...FAILED_ATTEMPT] } }, _count: { _all: true } }),
      deps.db.fill.groupBy({ by: ["userId"], where: { userId: { in: ids }, createdAt: window }, _count: { _all: true }, _sum: { realizedPnl: true } }),
    ]);
    const ordersBy = new Map(orders.map((x) => [x.userId, x._count._all]));
    const failedBy = new Map(failed.map((x) => [x.userId, x._count._all]));
    const fillsBy = new Map(fills.map((x) => [x.userId, x]));
    const inputs: NotifyInput[] = ids.map((userId) => {
      const f = fillsBy.get(userId);
      const s: DaySummary = {
        orders: ordersBy.get(userId) ?? 0,
        failed: failedBy.get(userId) ?? 0,
        fills: f?._count._all ?? 0,
        realizedPnl: f?._sum.realizedPnl?.toFixed() ?? "0",
      };
      return { userId, kind: "DAILY_SUMMARY", message: summaryMessage(day, s), details: { day, orders: s.orders, failed: s.failed, fills: s.fills, realizedPnl: s.realizedPnl } };
    });
    await withNotifications(deps.db, deps.jobs, async (tx, after) => void after.push(...(await notifyMany(tx, deps.jobs, inputs)).after));
    told += inputs.length;
    cursor = ids.at(-1);
    if (users.length < PAGE) break;
  }
  return told;
}
