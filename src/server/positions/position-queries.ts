/**
 * What a user sees of their positions: the open ones with a mark price and unrealized PnL, and the
 * dashboard summary (the trade history is trade-history.ts). Read-only; the
 * figures come from the ledger (position-ledger.ts) and its arithmetic (ledger-math.ts), never
 * re-derived here. Amounts are exact decimal strings; sums are kept apart per quote currency, since
 * USDT and USDC (or BTC) do not add up.
 */
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
    const guard = protection.get(r.id)!;
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
      settling: Date.now() - r.updatedAt.getTime() < SETTLING_MS || guard.protectiveOrders.some((o) => o.status === "PENDING"),
      ...guard,
      help: {
        unprotected: r.unprotectedAt ? helpLinkForKind(POSITION_ENTRIES.UNPROTECTED.code) : null,
        refused: guard.protectiveOrders.some((o) => o.status === "FAILED") ? helpLinkForKind(POSITION_ENTRIES.PROTECTION_REFUSED.code) : null,
        leftOut: guard.protectionNotes.length ? helpLinkForKind(POSITION_ENTRIES.LEFT_OUT.code) : null,
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
