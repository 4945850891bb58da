/**
 * Admins' per-strategy totals across subscribers, LIVE and PAPER apart, in SQL aggregates: orders
 * placed, fills, traded volume and realized PnL (per quote currency), average slippage, open
 * positions. Every strategy appears, with zeros when nothing was traded.
 */
import type { Db } from "~/server/db";
import { ATTEMPTED, sqlList } from "~/server/engine/execution-state";
import { decStr } from "~/server/money/decimal";
import type { Amount } from "~/server/positions/position-queries";

export interface ModeTotals {
  /** Orders sent to an exchange (or filled on the paper book), whatever their outcome; skips are not orders. */
  ordersPlaced: number;
  fills: number;
  /** Sum of amount x price of the fills, per quote currency. */
  volume: Amount[];
  realizedPnl: Amount[];
  /** Mean slippage against the alerts' prices, in percent (positive is worse for users); null without a reference price. */
  avgSlippagePct: string | null;
  openPositions: number;
}

export interface StrategyTotals {
  strategyId: string;
  name: string;
  enabled: boolean;
  live: ModeTotals;
  paper: ModeTotals;
}

const QUOTE = `split_part(split_part(symbol, ':', 1), '/', 2)`;

export async function strategyTotals(db: Db): Promise<StrategyTotals[]> {
  const [strategies, orders, fills, money, open] = await Promise.all([
    db.strategy.findMany({ orderBy: { createdAt: "asc" }, select: { id: true, name: true, enabled: true } }),
    db.$queryRawUnsafe<{ strategyId: string; paper: boolean; n: number }[]>(
      `SELECT s."strategyId", e.paper, count(*)::int AS n
         FROM "Execution" e JOIN "Signal" s ON s.id = e."signalId"
        WHERE e.status IN ${sqlList(ATTEMPTED)}
        GROUP BY 1, 2`,
    ),
    db.$queryRawUnsafe<{ strategyId: string; paper: boolean; n: number; slippage: string | null }[]>(
      `SELECT "strategyId", paper, count(*)::int AS n, round(avg("slippagePct"), 8)::text AS slippage FROM "Fill" GROUP BY 1, 2`,
    ),
    db.$queryRawUnsafe<{ strategyId: string; paper: boolean; quote: string; volume: string; realized: string }[]>(
      `SELECT "strategyId", paper, ${QUOTE} AS quote, sum(amount * price)::text AS volume, sum("realizedPnl")::text AS realized
         FROM "Fill" GROUP BY 1, 2, 3 ORDER BY 3`,
    ),
    db.$queryRawUnsafe<{ strategyId: string; paper: boolean; n: number }[]>(
      `SELECT "strategyId", paper, count(*)::int AS n FROM "Position" WHERE side <> 'FLAT' GROUP BY 1, 2`,
    ),
  ]);
  const of = <T extends { strategyId: string; paper: boolean }>(rows: T[], id: string, paper: boolean) => rows.filter((r) => r.strategyId === id && r.paper === paper);
  const mode = (id: string, paper: boolean): ModeTotals => {
    const f = of(fills, id, paper)[0];
    const m = of(money, id, paper);
    return {
      ordersPlaced: of(orders, id, paper)[0]?.n ?? 0,
      fills: f?.n ?? 0,
      volume: m.map((r) => ({ currency: r.quote, amount: decStr(r.volume) })),
      realizedPnl: m.map((r) => ({ currency: r.quote, amount: decStr(r.realized) })),
      avgSlippagePct: f?.slippage == null ? null : decStr(f.slippage),
      openPositions: of(open, id, paper)[0]?.n ?? 0,
    };
  };
  return strategies.map((s) => ({ strategyId: s.id, name: s.name, enabled: s.enabled, live: mode(s.id, false), paper: mode(s.id, true) }));
}
