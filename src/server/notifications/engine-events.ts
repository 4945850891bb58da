/**
 * Notifications about the engine's work, made off its hot path: the result writer queues one
 * notify_orders job per flushed batch (its executions' ids, nothing read), and the decision step one
 * notify_signal_rejected job per rejected signal. These jobs read what they need and notify every
 * owner in a fixed number of statements per page.
 */
import type { Db } from "~/server/db";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec } from "~/server/jobs/job-types";
import { ADMIN_DEFAULT_EVENTS, DEFAULT_CHANNEL_EVENTS } from "~/server/notifications/events";
import { NOTIFY_PRIORITY, notifyMany, queueDeliveries, withNotifications, type NotifyInput } from "~/server/notifications/notify";

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

/**
 * The bell line (and webhook fields) of every answered order in the batch, built by PostgreSQL in one
 * INSERT ... SELECT: a 1,000-order fan-out's notifications cost the worker one statement, not a
 * thousand rows read into JavaScript and written back (that took ~0.75 ms of worker CPU per order,
 * as much as half of what sending the order costs). Resting orders are told when they fill or fail;
 * skips the user chose (trading OFF, subscription paused) are no news to them.
 * Amounts are written without trailing zeros (trim_scale), as Decimal's toFixed() shows them.
 * Only the rows a channel may want come back ($2: the kinds every user gets by default): most users
 * of a fan-out have no channel for order events, and their 1,000 rows were read into JavaScript to
 * look their channels up.
 */
const NOTIFY_ORDERS_SQL = `
WITH e AS (
  SELECT e.id, e."userId", e."signalId", e.status::text AS status, e.paper, e.symbol, e.side, e.exchange::text AS exchange,
         trim_scale(e.amount)::text AS amount, trim_scale(e."filledAmount")::text AS "filledAmount", trim_scale(e."averagePrice")::text AS "averagePrice",
         e."errorKind", e.message, st.name AS strategy,
         CASE e.status::text WHEN 'FILLED' THEN 'ORDER_FILLED' WHEN 'PARTIALLY_FILLED' THEN 'ORDER_FILLED'
                             WHEN 'REJECTED' THEN 'ORDER_FAILED' WHEN 'FAILED' THEN 'ORDER_FAILED' WHEN 'SKIPPED' THEN 'ORDER_SKIPPED' END AS kind,
         CASE WHEN e.paper THEN 'paper' WHEN e.exchange::text = 'BINANCE' THEN 'Binance' WHEN e.exchange::text = 'BYBIT' THEN 'Bybit' ELSE 'exchange' END AS "where",
         s.paused, u."tradingMode"::text AS "tradingMode"
  FROM "Execution" e
  JOIN "Subscription" s ON s.id = e."subscriptionId"
  JOIN "Strategy" st ON st.id = s."strategyId"
  JOIN "User" u ON u.id = e."userId"
  WHERE e.id = ANY($1::text[])
), m AS (
  SELECT e.*, concat_ws(' ', upper(e.side), coalesce(e."filledAmount", e.amount), e.symbol) AS what FROM e
  WHERE e.kind IS NOT NULL AND NOT (e.kind = 'ORDER_SKIPPED' AND (e.paused OR e."tradingMode" = 'OFF'))
)
, n AS (
INSERT INTO "Notification" (id, "userId", kind, message, details, "createdAt")
SELECT 'n' || replace(gen_random_uuid()::text, '-', ''), m."userId", m.kind,
       CASE m.kind
         WHEN 'ORDER_FILLED' THEN m.what || ' filled' || coalesce(' at ' || m."averagePrice", '') || ' on ' || m."where" || ' (' || m.strategy || ').'
         WHEN 'ORDER_FAILED' THEN m.what || ' on ' || m."where" || ' failed (' || m.strategy || '): ' || coalesce(m.message, m."errorKind", 'no reason given')
         ELSE m.what || ' was skipped (' || m.strategy || '): ' || coalesce(m.message, 'no reason given')
       END,
       jsonb_build_object('executionId', m.id, 'signalId', m."signalId", 'strategy', m.strategy, 'symbol', m.symbol, 'side', m.side, 'status', m.status,
         'paper', m.paper, 'exchange', m.exchange, 'amount', m.amount, 'filledAmount', m."filledAmount", 'averagePrice', m."averagePrice",
         'errorKind', m."errorKind", 'reason', m.message),
       now()
FROM m
RETURNING id, "userId", kind
)
SELECT count(*)::int AS told,
       coalesce(json_agg(json_build_object('id', n.id, 'userId', n."userId", 'kind', n.kind)) FILTER (
         WHERE n.kind = ANY($2::text[])
            OR EXISTS (SELECT 1 FROM "NotificationChannel" c WHERE c."userId" = n."userId" AND c.enabled AND n.kind = ANY(c.events))
       ), '[]'::json) AS wanted
FROM n`;

/** The bell line and the webhook fields of each answered order of a flushed batch; deliveries to the channels that want them. */
export async function notifyOrders(deps: NotifyDeps, executionIds: string[]): Promise<number> {
  if (executionIds.length === 0) return 0;
  return withNotifications(deps.db, deps.jobs, async (tx, after) => {
    const [r] = await tx.$queryRawUnsafe<{ told: number; wanted: { id: string; userId: string; kind: string }[] }[]>(NOTIFY_ORDERS_SQL, executionIds, [...DEFAULT_CHANNEL_EVENTS, ...ADMIN_DEFAULT_EVENTS]);
    after.push(...(await queueDeliveries(tx, deps.jobs, r?.wanted ?? [])).after);
    return r?.told ?? 0;
  });
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
