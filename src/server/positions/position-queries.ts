/**
 * What a user sees of their positions: the open ones with a mark price and unrealized PnL, the
 * trade history (one row per fill, keyset-paginated), and the dashboard summary. Read-only; the
 * figures come from the ledger (position-ledger.ts) and its arithmetic (ledger-math.ts), never
 * re-derived here. Amounts are exact decimal strings; sums are kept apart per quote currency, since
 * USDT and USDC (or BTC) do not add up.
 */
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/db";
import { IN_FLIGHT, type ExecutionStatus } from "~/server/engine/execution-state";
import { dec, decStr, parseDecimal, type Decimal } from "~/server/money/decimal";
import { averageEntry, unrealizedPnl, type Book } from "~/server/positions/ledger-math";
import { parseSymbol } from "~/server/positions/position-ledger";
import { protectionOf, type PositionProtection } from "~/server/positions/protection-queries";
import { helpLinkForKind, type HelpLink } from "~/server/error-catalogue/catalogue";
import { POSITION_ENTRIES } from "~/server/error-catalogue/position-errors";

export type ExchangeName = "BINANCE" | "BYBIT";
/** A public last price for a market: a decimal string, or null (or a throw) when it cannot be had. */
export type PriceFn = (exchange: ExchangeName, symbol: string) => Promise<string | null>;
/** Paper positions trade on no exchange: their mark is this exchange's public price. */
export const PAPER_PRICE_EXCHANGE: ExchangeName = "BINANCE";

/** An amount in one currency. Lists of these are sums kept apart per quote currency. */
export interface Amount {
  currency: string;
  amount: string;
}

const SIDE_TO_BOOK = { LONG: "long", SHORT: "short", FLAT: "flat" } as const;

function bookOf(p: { side: keyof typeof SIDE_TO_BOOK; size: Decimal; grossSize: Decimal; entryValue: Decimal; openFees: Decimal; realizedPnl: Decimal; feesPaid: Decimal }): Book {
  return {
    side: SIDE_TO_BOOK[p.side],
    size: decStr(p.size),
    grossSize: decStr(p.grossSize),
    entryValue: decStr(p.entryValue),
    openFees: decStr(p.openFees),
    realizedPnl: decStr(p.realizedPnl),
    feesPaid: decStr(p.feesPaid),
  };
}

/** Sums per currency, in first-seen order. */
function sumByCurrency(items: Amount[]): Amount[] {
  const out = new Map<string, Decimal>();
  for (const i of items) out.set(i.currency, (out.get(i.currency) ?? dec(0)).plus(i.amount));
  return [...out].map(([currency, amount]) => ({ currency, amount: decStr(amount) }));
}

/**
 * Each (exchange, symbol) priced once, concurrently. A failed or nonsensical answer is null
 * (unknown), never 0: a missing price must not read as "no gain, no loss".
 */
export async function fetchMarks(prices: PriceFn, markets: { exchange: ExchangeName; symbol: string }[]): Promise<Map<string, string | null>> {
  const marks = new Map<string, string | null>();
  const wanted = new Map(markets.map((m) => [`${m.exchange}|${m.symbol}`, m]));
  await Promise.all(
    [...wanted].map(async ([key, m]) => {
      const raw = await prices(m.exchange, m.symbol).catch(() => null);
      const price = raw === null ? null : parseDecimal(raw);
      marks.set(key, price !== null && dec(price).gt(0) ? price : null);
    }),
  );
  return marks;
}

export interface OpenPosition extends PositionProtection {
  id: string;
  strategyId: string;
  strategyName: string;
  symbol: string;
  quote: string;
  marketType: "SPOT" | "LINEAR";
  side: "LONG" | "SHORT";
  size: string;
  averageEntry: string | null;
  /** The exchange whose public price is the mark (BINANCE for paper positions without one). */
  markExchange: ExchangeName;
  mark: string | null;
  /** Closing everything at the mark, fees paid so far included; null when no price could be had. */
  unrealizedPnl: string | null;
  /** The ledger's realized PnL for this strategy's book in this symbol (every close so far, fees included). */
  realizedPnl: string;
  /** Every fee this book paid, in quote (fees in a third asset such as BNB are left out). */
  feesPaid: string;
  paper: boolean;
  exchange: ExchangeName | null;
  openedAt: Date | null;
  driftNote: string | null;
  driftAt: Date | null;
  /** An order for this position that the engine or the exchange has not finished with. */
  inFlight: { status: ExecutionStatus; intent: "OPEN" | "CLOSE" | null } | null;
  /** Changed in the last moments or a protective order still being placed: the page looks again soon. */
  settling: boolean;
  /** The troubleshooting entries of what the position's notes say (null: that note is not shown). */
  help: { unprotected: HelpLink | null; refused: HelpLink | null; leftOut: HelpLink | null; drift: HelpLink | null };
}

/** After a fill is booked, its protective orders follow within seconds (positions/protection/). */
const SETTLING_MS = 30_000;

/** The user's open positions, newest first, each with its mark price (fetched once per exchange and symbol). */
export async function openPositions(db: Db, userId: string, prices: PriceFn): Promise<OpenPosition[]> {
  const rows = await db.position.findMany({
    where: { userId, side: { not: "FLAT" } },
    include: { subscription: { select: { strategy: { select: { name: true } } } } },
    orderBy: [{ openedAt: "desc" }, { id: "asc" }],
  });
  if (rows.length === 0) return [];
  const markExchange = (r: (typeof rows)[number]): ExchangeName => r.exchange ?? PAPER_PRICE_EXCHANGE;
  const [marks, busy, protection] = await Promise.all([
    fetchMarks(prices, rows.map((r) => ({ exchange: markExchange(r), symbol: r.symbol }))),
    db.execution.findMany({
      where: { userId, status: { in: [...IN_FLIGHT] } },
      select: { subscriptionId: true, symbol: true, paper: true, status: true, intent: true },
    }),
    protectionOf(db, rows),
  ]);
  return rows.map((r) => {
    const book = bookOf(r);
    const mark = marks.get(`${markExchange(r)}|${r.symbol}`) ?? null;
    const mine = busy.filter((e) => e.subscriptionId === r.subscriptionId && e.symbol === r.symbol && e.paper === r.paper);
    const flight = mine.find((e) => e.intent === "CLOSE") ?? mine[0];
    return {
      id: r.id,
      strategyId: r.strategyId,
      strategyName: r.subscription.strategy.name,
      symbol: r.symbol,
      quote: parseSymbol(r.symbol).quote,
      marketType: r.marketType,
      side: r.side === "SHORT" ? "SHORT" : "LONG",
      size: book.size,
      averageEntry: averageEntry(book),
      markExchange: markExchange(r),
      mark,
      unrealizedPnl: mark === null ? null : decStr(unrealizedPnl(book, mark)),
      realizedPnl: book.realizedPnl,
      feesPaid: book.feesPaid,
      paper: r.paper,
      exchange: r.exchange,
      openedAt: r.openedAt,
      driftNote: r.driftNote,
      driftAt: r.driftAt,
      inFlight: flight ? { status: flight.status, intent: flight.intent } : null,
      settling: Date.now() - r.updatedAt.getTime() < SETTLING_MS || protection.get(r.id)!.protectiveOrders.some((o) => o.status === "PENDING"),
      ...protection.get(r.id)!,
      help: {
        unprotected: r.unprotectedAt ? helpLinkForKind(POSITION_ENTRIES.UNPROTECTED.code) : null,
        refused: protection.get(r.id)!.protectiveOrders.some((o) => o.status === "FAILED") ? helpLinkForKind(POSITION_ENTRIES.PROTECTION_REFUSED.code) : null,
        leftOut: protection.get(r.id)!.protectionNotes.length ? helpLinkForKind(POSITION_ENTRIES.LEFT_OUT.code) : null,
        drift: r.driftNote ? helpLinkForKind(POSITION_ENTRIES.DRIFT.code) : null,
      },
    };
  });
}

export interface ModeSummary {
  openPositions: number;
  /** Sum over the open positions that have a mark price. */
  unrealizedPnl: Amount[];
  /** Open positions left out of unrealizedPnl because no price could be had. */
  unpriced: number;
  realizedToday: Amount[];
  realizedTotal: Amount[];
}

/** The dashboard's figures, LIVE and PAPER apart. "Today" starts at `todayFrom` (the caller's midnight). */
export async function positionsSummary(db: Db, userId: string, prices: PriceFn, todayFrom: Date): Promise<{ live: ModeSummary; paper: ModeSummary; todayFrom: Date }> {
  const [open, realized] = await Promise.all([
    openPositions(db, userId, prices),
    db.$queryRaw<{ paper: boolean; quote: string; today: string; total: string }[]>`
      SELECT paper, split_part(split_part(symbol, ':', 1), '/', 2) AS quote,
             coalesce(sum("realizedPnl") FILTER (WHERE "createdAt" >= (${todayFrom.toISOString()}::timestamptz AT TIME ZONE 'UTC')), 0)::text AS today,
             sum("realizedPnl")::text AS total
        FROM "Fill" WHERE "userId" = ${userId}
       GROUP BY 1, 2 ORDER BY 2`,
  ]);
  const mode = (paper: boolean): ModeSummary => {
    const mine = open.filter((p) => p.paper === paper);
    const priced = mine.filter((p) => p.unrealizedPnl !== null);
    const rows = realized.filter((r) => r.paper === paper);
    return {
      openPositions: mine.length,
      unrealizedPnl: sumByCurrency(priced.map((p) => ({ currency: p.quote, amount: p.unrealizedPnl! }))),
      unpriced: mine.length - priced.length,
      realizedToday: rows.map((r) => ({ currency: r.quote, amount: decStr(r.today) })),
      realizedTotal: rows.map((r) => ({ currency: r.quote, amount: decStr(r.total) })),
    };
  };
  return { live: mode(false), paper: mode(true), todayFrom };
}

// ---- Trade history ----

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
