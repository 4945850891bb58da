/**
 * A user's trade history: one row per fill, newest first, filtered by strategy, symbol, mode and
 * time, keyset-paginated; and the choices the filter offers. Read-only; amounts are exact decimal
 * strings from the ledger (position-ledger.ts).
 */
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/db";
import { decStr } from "~/server/money/decimal";
import { parseSymbol } from "~/server/positions/position-ledger";
import type { ExchangeName } from "~/server/positions/position-queries";

export const historyFilterSchema = z.object({
  strategyId: z.string().trim().max(64).optional(),
  // Empty means any symbol (a cleared form field).
  symbol: z.string().trim().toUpperCase().max(40, "symbol is at most 40 characters, e.g. BTC/USDT").optional(),
  mode: z.enum(["LIVE", "PAPER"], { error: "mode must be LIVE or PAPER" }).optional(),
  from: z.coerce.date({ error: "from must be a date" }).optional(),
  to: z.coerce.date({ error: "to must be a date" }).optional(),
});
export type HistoryFilter = z.infer<typeof historyFilterSchema>;

/** A page position: the last row's time (ms) and id. Fills are ordered by (createdAt, id) descending. */
export const historyCursorSchema = z.string().regex(/^\d{1,15}_[A-Za-z0-9_-]{1,80}$/, "cursor is not one this server gave out");
const cursorOf = (f: { createdAt: Date; id: string }) => `${f.createdAt.getTime()}_${f.id}`;
function parseCursor(c: string): { at: Date; id: string } {
  const i = c.indexOf("_");
  return { at: new Date(Number(c.slice(0, i))), id: c.slice(i + 1) };
}

function historyWhere(userId: string, f: HistoryFilter, cursor: string | null | undefined): Prisma.FillWhereInput {
  const and: Prisma.FillWhereInput[] = [{ userId }];
  if (f.strategyId) and.push({ strategyId: f.strategyId });
  if (f.symbol) and.push({ symbol: f.symbol });
  if (f.mode) and.push({ paper: f.mode === "PAPER" });
  if (f.from) and.push({ createdAt: { gte: f.from } });
  if (f.to) and.push({ createdAt: { lte: f.to } });
  if (cursor) {
    const c = parseCursor(cursor);
    and.push({ OR: [{ createdAt: { lt: c.at } }, { createdAt: c.at, id: { lt: c.id } }] });
  }
  return { AND: and };
}

export interface HistoryRow {
  id: string;
  /** The strategy's order that filled, or null for a protective order's fill (see source). */
  executionId: string | null;
  /** What filled: the strategy's own order, or a protective order KeyRelay placed. */
  source: "STRATEGY" | "STOP_LOSS" | "TAKE_PROFIT" | "TRAILING_STOP";
  at: Date;
  strategyId: string;
  strategyName: string;
  symbol: string;
  quote: string;
  side: "buy" | "sell";
  effect: "OPEN" | "ADD" | "REDUCE" | "CLOSE" | "FLIP";
  amount: string;
  price: string;
  fee: string | null;
  feeCurrency: string | null;
  /** The fee in quote; null when it was paid in a third asset (BNB). */
  feeQuote: string | null;
  realizedPnl: string;
  /** Against the alert's price, in percent; positive is worse for the user. */
  slippagePct: string | null;
  paper: boolean;
  exchange: ExchangeName | null;
}

export const HISTORY_PAGE_MAX = 200;

/** The user's fills, newest first, filtered, one keyset page (never OFFSET: page N costs what page 1 costs). */
export async function tradeHistory(
  db: Db,
  userId: string,
  filter: HistoryFilter,
  page: { cursor?: string | null; limit?: number } = {},
): Promise<{ items: HistoryRow[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(page.limit ?? 50, 1), HISTORY_PAGE_MAX);
  const rows = await db.fill.findMany({
    where: historyWhere(userId, filter, page.cursor),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    include: { position: { select: { exchange: true } }, protectiveOrder: { select: { kind: true } } },
  });
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  const names = new Map(
    (await db.strategy.findMany({ where: { id: { in: [...new Set(shown.map((r) => r.strategyId))] } }, select: { id: true, name: true } })).map((s) => [s.id, s.name]),
  );
  const items = shown.map(
    (r): HistoryRow => ({
      id: r.id,
      executionId: r.executionId,
      source: r.protectiveOrder?.kind ?? "STRATEGY",
      at: r.createdAt,
      strategyId: r.strategyId,
      strategyName: names.get(r.strategyId) ?? "(deleted strategy)",
      symbol: r.symbol,
      quote: parseSymbol(r.symbol).quote,
      side: r.side === "sell" ? "sell" : "buy",
      effect: r.effect,
      amount: decStr(r.amount),
      price: decStr(r.price),
      fee: r.fee === null ? null : decStr(r.fee),
      feeCurrency: r.feeCurrency,
      feeQuote: r.feeQuote === null ? null : decStr(r.feeQuote),
      realizedPnl: decStr(r.realizedPnl),
      slippagePct: r.slippagePct === null ? null : decStr(r.slippagePct),
      paper: r.paper,
      exchange: r.position.exchange,
    }),
  );
  return { items, nextCursor: more && shown.length > 0 ? cursorOf(shown.at(-1)!) : null };
}

/** What the history can be filtered by: the strategies and symbols this user's ledger has books for. */
export async function historyOptions(db: Db, userId: string): Promise<{ strategies: { id: string; name: string }[]; symbols: string[] }> {
  const rows = await db.position.findMany({ where: { userId }, select: { strategyId: true, symbol: true, subscription: { select: { strategy: { select: { name: true } } } } } });
  const strategies = new Map(rows.map((r) => [r.strategyId, r.subscription.strategy.name]));
  return {
    strategies: [...strategies].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
    symbols: [...new Set(rows.map((r) => r.symbol))].sort(),
  };
}
