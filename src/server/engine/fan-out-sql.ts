/** The fan-out's statements: subscribers in keyset pages of one join, executions in one INSERT per page, recent orders for cooldowns. */
import type { SqlClient } from "~/server/db";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { COUNTS_FOR_COOLDOWN, type ExecutionStatus } from "~/server/engine/execution-state";

export type Tier = "PRO" | "FLEX" | "TRIAL";

export interface Subscriber {
  id: string;
  userId: string;
  paused: boolean;
  createdAt: Date;
  user: { id: string; tier: Tier; trialEndsAt: Date | null; tradingMode: "PERSONAL" | "PAPER" | "OFF"; disabledAt: Date | null };
  credential: { id: string; exchange: "BINANCE" | "BYBIT"; status: string } | null;
}

/** Where a page of subscriptions ends: the next page starts after it (tier, then age, then id). */
export type SubscriberCursor = { rank: number; createdAt: Date; id: string } | null;

const TIER_RANK_SQL = `(CASE u.tier WHEN 'PRO' THEN 0 WHEN 'FLEX' THEN 1 ELSE 2 END)`;

/**
 * One page of the strategy's subscriptions with the user and key fields the fan-out needs, in one
 * SQL join, in send order: PRO before FLEX before TRIAL, then by subscription age (a keyset page,
 * so a 10,000-subscriber fan-out holds one page in memory, not every row).
 */
export async function loadSubscriptionPage(db: SqlClient, strategyId: string, after: SubscriberCursor, limit: number): Promise<Subscriber[]> {
  const rows = await db.$queryRawUnsafe<
    {
      id: string;
      userId: string;
      paused: boolean;
      createdAt: Date | string;
      tier: Tier;
      trialEndsAt: Date | string | null;
      tradingMode: "PERSONAL" | "PAPER" | "OFF";
      disabledAt: Date | string | null;
      credId: string | null;
      credExchange: "BINANCE" | "BYBIT" | null;
      credStatus: string | null;
    }[]
  >(
    `SELECT s.id, s."userId", s.paused, s."createdAt",
            u.tier::text AS tier, u."trialEndsAt", u."tradingMode"::text AS "tradingMode", u."disabledAt",
            c.id AS "credId", c.exchange::text AS "credExchange", c.status::text AS "credStatus"
       FROM "Subscription" s
       JOIN "User" u ON u.id = s."userId"
       LEFT JOIN "ExchangeCredential" c ON c.id = s."credentialId"
      WHERE s."strategyId" = $1
        AND ($2::int IS NULL OR (${TIER_RANK_SQL}, s."createdAt", s.id) > ($2::int, $3::timestamp(3), $4::text))
      ORDER BY ${TIER_RANK_SQL}, s."createdAt", s.id
      LIMIT $5`,
    strategyId,
    after?.rank ?? null,
    after ? after.createdAt.toISOString() : null,
    after?.id ?? null,
    limit,
  );
  return rows.map((r) => ({
    id: r.id,
    userId: r.userId,
    paused: r.paused,
    createdAt: asDate(r.createdAt)!,
    user: { id: r.userId, tier: r.tier, trialEndsAt: asDate(r.trialEndsAt), tradingMode: r.tradingMode, disabledAt: asDate(r.disabledAt) },
    credential: r.credId ? { id: r.credId, exchange: r.credExchange!, status: r.credStatus! } : null,
  }));
}

/** The exchange most of the strategy's subscribers trade on (the decision step reads its market). */
export async function primaryExchange(db: Pick<SqlClient, "$queryRawUnsafe">, strategyId: string): Promise<"BINANCE" | "BYBIT"> {
  const rows = await db.$queryRawUnsafe<{ exchange: "BINANCE" | "BYBIT"; n: number }[]>(
    `SELECT c.exchange::text AS exchange, count(*)::int AS n FROM "Subscription" s JOIN "ExchangeCredential" c ON c.id = s."credentialId"
      WHERE s."strategyId" = $1 GROUP BY c.exchange`,
    strategyId,
  );
  const count = (e: string) => rows.find((r) => r.exchange === e)?.n ?? 0;
  return count("BYBIT") > count("BINANCE") ? "BYBIT" : "BINANCE";
}

function asDate(v: Date | string | null): Date | null {
  if (v === null) return null;
  return v instanceof Date ? v : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`); // TIMESTAMP(3) columns hold UTC
}

export interface ExecutionRow {
  id: string;
  signalId: string;
  subscriptionId: string;
  userId: string;
  credentialId: string | null;
  exchange: "BINANCE" | "BYBIT" | null;
  tier: Tier;
  priority: number;
  clientOrderId: string;
  status: ExecutionStatus;
  paper: boolean;
  symbol: string;
  side: string;
  orderType: "MARKET" | "LIMIT";
  price: string | null;
  /** A SKIPPED row's reason code (error-catalogue/skip-reasons.ts), else null. */
  errorKind: string | null;
  message: string | null;
  leg: number;
  intent: "OPEN" | "CLOSE" | null;
  positionSide: "LONG" | "SHORT" | null;
  closeFraction: string | null;
}

/**
 * All the signal's executions in one INSERT (duplicates skipped), the ORM's createMany without its per-value CPU.
 * Queued at `queuedAt`; a SKIPPED one is also completed then. (One time for all, a parameter: a Date in each
 * row would cost JSON.stringify its slow path, Date's toJSON, on every row.)
 */
export async function insertExecutions(tx: SqlClient, rows: ExecutionRow[], queuedAt: Date) {
  if (rows.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO "Execution" (id, "signalId", "subscriptionId", "userId", "credentialId", exchange, tier, priority, "clientOrderId",
                              status, paper, symbol, side, "orderType", price, "errorKind", message, "queuedAt", "completedAt", leg, intent, "positionSide", "closeFraction")
     SELECT id, "signalId", "subscriptionId", "userId", "credentialId", exchange, tier, priority, "clientOrderId",
            status, paper, symbol, side, "orderType", price, "errorKind", message, $2::timestamp(3), CASE WHEN status = 'SKIPPED' THEN $2::timestamp(3) END,
            leg, intent, "positionSide", "closeFraction"
       FROM json_to_recordset($1::json) AS x(id text, "signalId" text, "subscriptionId" text, "userId" text, "credentialId" text,
            exchange "Exchange", tier "Tier", priority int, "clientOrderId" text, status "ExecutionStatus", paper boolean, symbol text,
            side text, "orderType" "OrderType", price numeric, "errorKind" text, message text, leg int, intent "OrderIntent", "positionSide" "PositionSide", "closeFraction" numeric)
     ON CONFLICT DO NOTHING`,
    JSON.stringify(rows),
    queuedAt.toISOString(),
  );
}

/** Users with an order on `symbol` within the cooldown. */
export async function recentOrders(deps: EngineDeps, userIds: string[], symbol: string, now: Date, cooldownSeconds: number) {
  const rows = await deps.db.execution.findMany({
    where: { userId: { in: userIds }, symbol, status: { in: [...COUNTS_FOR_COOLDOWN] }, queuedAt: { gte: new Date(now.getTime() - cooldownSeconds * 1000) } },
    select: { userId: true },
  });
  return new Set(rows.map((r) => r.userId));
}
