/**
 * The protection watch: every open live position that has (or should have) protective orders is
 * synced with the exchange, a few at a time, then the watch queues itself again. It books stops and
 * take-profits that fired, puts back what a user cancelled by hand, and flags what stays unprotected.
 */
import type { SqlClient } from "~/server/db";
import { envVar } from "~/env";
import type { EngineDeps } from "~/server/engine/engine-deps";
import type { JobSpec } from "~/server/jobs/job-types";
import { logger } from "~/server/logger";
import { parseSymbol } from "~/server/positions/position-ledger";
import { syncProtection } from "~/server/positions/protection/sync-protection";

export const PROTECTION_WATCH_MS = envVar("PROTECTION_WATCH_MS");
/** After every tier's orders, before the drift check. */
export const PROTECT_PRIORITY = 5;
const CONCURRENCY = 4;

export const watchJob = (delayMs = PROTECTION_WATCH_MS): JobSpec => ({ task: "watch_protection", payload: {}, priority: PROTECT_PRIORITY, jobKey: "protect:watch", delayMs, maxAttempts: 3 });
export const protectJob = (positionId: string): JobSpec => ({ task: "protect_position", payload: { positionId }, priority: PROTECT_PRIORITY, jobKey: `protect:${positionId}`, maxAttempts: 5 });

/** The live linear positions to watch: open with protection settings, or with a plan or orders of their own. */
export async function positionsToWatch(deps: Pick<EngineDeps, "db">): Promise<string[]> {
  const rows = await deps.db.position.findMany({
    where: {
      paper: false,
      marketType: "LINEAR",
      OR: [
        { side: { not: "FLAT" }, subscription: { OR: [{ protection: { not: null as never } }, { strategy: { protection: { not: null as never } } }] } },
        { protectionPlan: { not: null as never } },
        { protectiveOrders: { some: { status: { in: ["PENDING", "OPEN"] } } } },
      ],
    },
    select: { id: true },
    take: 10_000,
  });
  return rows.map((r) => r.id);
}

export async function watchProtection(deps: EngineDeps): Promise<{ positions: number; unprotected: number; filled: number }> {
  const ids = await positionsToWatch(deps);
  const totals = { positions: ids.length, unprotected: 0, filled: 0 };
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        const r = await syncProtection(deps, id);
        if (r?.unprotected) totals.unprotected++;
        totals.filled += r?.filled ?? 0;
      } catch (err) {
        logger.warn({ err, positionId: id }, "protection watch: could not sync a position; the next round tries again");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, lane));
  if (totals.unprotected || totals.filled) logger.info(totals, "protection watch");
  return totals;
}

/**
 * The protect jobs for positions just booked (in the booking transaction): live linear positions with
 * protection settings, a plan, live protective orders, or an alert that carried stop-loss / take-profit prices.
 */
export async function protectJobsFor(
  tx: Pick<SqlClient, "$queryRawUnsafe">,
  fills: { executionId: string | null; subscriptionId: string; symbol: string; paper: boolean }[],
): Promise<JobSpec[]> {
  const live = fills.filter((f) => !f.paper && f.executionId !== null && parseSymbol(f.symbol).marketType === "LINEAR");
  if (live.length === 0) return [];
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    `SELECT DISTINCT p.id FROM "Position" p
       JOIN "Subscription" s ON s.id = p."subscriptionId" JOIN "Strategy" st ON st.id = s."strategyId"
      WHERE (p."subscriptionId", p.symbol) IN (SELECT * FROM json_to_recordset($1::json) AS x("subscriptionId" text, symbol text))
        AND p.paper = false
        AND (s.protection IS NOT NULL OR st.protection IS NOT NULL OR p."protectionPlan" IS NOT NULL
             OR EXISTS (SELECT 1 FROM "ProtectiveOrder" po WHERE po."positionId" = p.id AND po.status IN ('PENDING', 'OPEN'))
             OR EXISTS (SELECT 1 FROM "Execution" e JOIN "Signal" g ON g.id = e."signalId"
                         WHERE e.id = ANY($2::text[]) AND e."subscriptionId" = p."subscriptionId"
                           AND (g.alert->>'stopLoss' IS NOT NULL OR g.alert->>'takeProfit' IS NOT NULL
                                OR g.alert->>'stopLossPct' IS NOT NULL OR g.alert->>'takeProfitPct' IS NOT NULL
                                OR g.alert->>'trailingStopPct' IS NOT NULL)))
      ORDER BY p.id`,
    JSON.stringify(live.map((f) => ({ subscriptionId: f.subscriptionId, symbol: f.symbol }))),
    live.map((f) => f.executionId),
  );
  return rows.map((r) => protectJob(r.id));
}
