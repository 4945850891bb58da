/**
 * The position ledger in the database: what each strategy holds on each subscriber's account (or
 * paper book), per symbol. Fills are booked inside the engine's result transaction (the result,
 * its fill, the position and the audit row commit together, exactly once per execution), so the
 * ledger always equals the sum of its fills and survives any crash.
 */
import type { Prisma } from "~/generated/prisma/client";
import type { SqlClient } from "~/server/db";
import { add, cmp, mulDiv, neg, sign, sub } from "~/server/money/exact";
import { applyFill, releaseDust, shrinkTo, type Book, type FillEffect } from "~/server/positions/ledger-math";
import type { Held } from "~/server/positions/position-rules";

const SIDE_TO_DB = { long: "LONG", short: "SHORT", flat: "FLAT" } as const;
const SIDE_FROM_DB = { LONG: "long", SHORT: "short", FLAT: "flat" } as const;
const EFFECT_TO_DB: Record<FillEffect, Prisma.FillCreateManyInput["effect"]> = { open: "OPEN", add: "ADD", reduce: "REDUCE", close: "CLOSE", flip: "FLIP" };

/** "BTC/USDT" -> spot BTC/USDT; "BTC/USDT:USDT" -> linear. */
export function parseSymbol(symbol: string): { base: string; quote: string; marketType: "SPOT" | "LINEAR" } {
  const [pair = "", settle] = symbol.split(":");
  const [base = "", quote = ""] = pair.split("/");
  return { base, quote, marketType: settle ? "LINEAR" : "SPOT" };
}

/** What each subscription holds in `symbol` (paper or live book), for the fan-out's rules. */
export async function heldBySubscription(db: SqlClient, subscriptionIds: string[], symbol: string): Promise<Map<string, { live: Held; paper: Held }>> {
  const out = new Map<string, { live: Held; paper: Held }>();
  if (subscriptionIds.length === 0) return out;
  const rows = await db.$queryRawUnsafe<{ subscriptionId: string; paper: boolean; side: keyof typeof SIDE_FROM_DB; size: unknown }[]>(
    `SELECT "subscriptionId", paper, side::text AS side, size::text AS size FROM "Position"
      WHERE "subscriptionId" = ANY($1::text[]) AND symbol = $2 AND side <> 'FLAT'`,
    subscriptionIds,
    symbol,
  );
  for (const r of rows) {
    const entry = out.get(r.subscriptionId) ?? { live: { side: "flat", size: "0" }, paper: { side: "flat", size: "0" } };
    entry[r.paper ? "paper" : "live"] = { side: SIDE_FROM_DB[r.side], size: String(r.size) };
    out.set(r.subscriptionId, entry);
  }
  return out;
}

/** One subscription's book in a symbol (null: never traded). */
export async function readPosition(db: SqlClient, subscriptionId: string, symbol: string, paper: boolean) {
  const [row] = await db.$queryRawUnsafe<PositionRow[]>(`SELECT ${POSITION_COLUMNS} FROM "Position" WHERE "subscriptionId" = $1 AND symbol = $2 AND paper = $3`, subscriptionId, symbol, paper);
  return row ? { id: row.id, book: toBook(row) } : null;
}

/** A fill to book: an answered execution with something filled. */
export interface FillToBook {
  /** The order that filled: the strategy's execution, or (protectiveOrderId) a stop-loss or take-profit. */
  executionId: string | null;
  protectiveOrderId?: string | null;
  subscriptionId: string;
  userId: string;
  strategyId: string;
  exchange: string | null;
  paper: boolean;
  symbol: string;
  side: "buy" | "sell";
  amount: string;
  price: string;
  fee: string | null;
  feeCurrency: string | null;
  /** The alert's price, for slippage. */
  refPrice: string | null;
  /** A close of the whole holding: what is left below this (the market's smallest order) is released as dust. */
  dustBelow: string | null;
}

const POSITION_COLUMNS = `id, "subscriptionId", symbol, paper, side::text AS side, size::text AS size, "grossSize"::text AS "grossSize",
  "entryValue"::text AS "entryValue", "openFees"::text AS "openFees", "realizedPnl"::text AS "realizedPnl", "feesPaid"::text AS "feesPaid"`;
type PositionRow = { id: string; subscriptionId: string; symbol: string; paper: boolean; side: keyof typeof SIDE_FROM_DB } & Omit<Book, "side">;

function toBook(r: PositionRow): Book {
  return { side: SIDE_FROM_DB[r.side], size: r.size, grossSize: r.grossSize, entryValue: r.entryValue, openFees: r.openFees, realizedPnl: r.realizedPnl, feesPaid: r.feesPaid };
}

const key = (f: { subscriptionId: string; symbol: string; paper: boolean }) => `${f.subscriptionId}|${f.symbol}|${f.paper}`;

/**
 * Books fills into their positions, in the caller's transaction: positions are created if new and
 * locked, each fill applied in order, fills inserted (one per execution, unique) and positions
 * written back, in four statements however many fills there are.
 */
export async function bookFills(tx: SqlClient, fills: FillToBook[]): Promise<void> {
  if (fills.length === 0) return;
  const firsts = new Map(fills.map((f) => [key(f), f]));
  await tx.$executeRawUnsafe(
    `INSERT INTO "Position" (id, "subscriptionId", "userId", "strategyId", paper, exchange, symbol, "marketType", "updatedAt")
     SELECT 'p' || md5(x."subscriptionId" || '|' || x.symbol || '|' || x.paper::text), x."subscriptionId", x."userId", x."strategyId", x.paper,
            x.exchange::"Exchange", x.symbol, x."marketType"::"MarketType", now()
       FROM json_to_recordset($1::json) AS x("subscriptionId" text, "userId" text, "strategyId" text, paper boolean, exchange text, symbol text, "marketType" text)
     ON CONFLICT ("subscriptionId", symbol, paper) DO NOTHING`,
    JSON.stringify([...firsts.values()].map((f) => ({
      subscriptionId: f.subscriptionId, userId: f.userId, strategyId: f.strategyId, paper: f.paper, exchange: f.exchange ?? undefined, symbol: f.symbol, marketType: parseSymbol(f.symbol).marketType,
    }))),
  );
  const rows = await tx.$queryRawUnsafe<PositionRow[]>(
    `SELECT ${POSITION_COLUMNS} FROM "Position" p
      WHERE ("subscriptionId", symbol, paper) IN (SELECT * FROM json_to_recordset($1::json) AS x("subscriptionId" text, symbol text, paper boolean))
      ORDER BY id FOR UPDATE`,
    JSON.stringify([...firsts.values()].map((f) => ({ subscriptionId: f.subscriptionId, symbol: f.symbol, paper: f.paper }))),
  );
  const books = new Map(rows.map((r) => [key(r), { id: r.id, book: toBook(r), before: r.side, opened: false, closed: false }]));
  // Per fill what only it knows (absent keys are NULL): who and what it belongs to is its position's.
  const fillRows: FillRow[] = [];
  for (const f of fills) {
    const pos = books.get(key(f));
    if (!pos) throw new Error(`position for ${key(f)} vanished inside its transaction`);
    const { base, quote } = parseSymbol(f.symbol);
    const applied = applyFill(pos.book, { side: f.side, amount: f.amount, price: f.price, fee: f.fee, feeCurrency: f.feeCurrency, base, quote });
    let book = applied.book;
    let realized = applied.realized;
    if (f.dustBelow !== null && book.side !== "flat" && cmp(book.size, f.dustBelow) < 0) {
      const dust = releaseDust(book, f.price);
      book = dust.book;
      realized = add(realized, dust.realized);
    }
    if (pos.book.side === "flat" && book.side !== "flat") pos.opened = true;
    if (book.side === "flat" && pos.book.side !== "flat") pos.closed = true;
    pos.book = book;
    fillRows.push({
      executionId: f.executionId ?? undefined,
      protectiveOrderId: f.protectiveOrderId ?? undefined,
      positionId: pos.id,
      side: f.side,
      effect: EFFECT_TO_DB[applied.effect],
      amount: f.amount,
      price: f.price,
      fee: f.fee ?? undefined,
      feeCurrency: f.feeCurrency ?? undefined,
      feeQuote: applied.feeQuote ?? undefined,
      realizedPnl: realized,
      slippagePct: slippagePct(f) ?? undefined,
    });
  }
  await tx.$executeRawUnsafe(
    `INSERT INTO "Fill" (id, "executionId", "protectiveOrderId", "positionId", "userId", "strategyId", paper, symbol, side, effect, amount, price, fee, "feeCurrency", "feeQuote", "realizedPnl", "slippagePct")
     SELECT 'f' || COALESCE(x."executionId", x."protectiveOrderId"), x."executionId", x."protectiveOrderId", x."positionId", p."userId", p."strategyId", p.paper, p.symbol, x.side, x.effect::"FillEffect",
            x.amount, x.price, x.fee, x."feeCurrency", x."feeQuote", x."realizedPnl", round(x."slippagePct", 8)
       FROM json_to_recordset($1::json) AS x("executionId" text, "protectiveOrderId" text, "positionId" text, side text,
            effect text, amount numeric, price numeric, fee numeric, "feeCurrency" text, "feeQuote" numeric, "realizedPnl" numeric, "slippagePct" numeric)
       JOIN "Position" p ON p.id = x."positionId"`,
    JSON.stringify(fillRows),
  );
  await tx.$executeRawUnsafe(
    `UPDATE "Position" p SET side = x.side::"PositionSide", size = x.size, "grossSize" = x."grossSize", "entryValue" = x."entryValue",
            "openFees" = x."openFees", "realizedPnl" = x."realizedPnl", "feesPaid" = x."feesPaid", "updatedAt" = now(),
            "openedAt" = CASE WHEN x.opened THEN now() ELSE p."openedAt" END,
            "closedAt" = CASE WHEN x.closed THEN now() WHEN x.opened THEN NULL ELSE p."closedAt" END
       FROM json_to_recordset($1::json) AS x(id text, side text, size numeric, "grossSize" numeric, "entryValue" numeric, "openFees" numeric,
            "realizedPnl" numeric, "feesPaid" numeric, opened boolean, closed boolean)
      WHERE p.id = x.id`,
    JSON.stringify([...books.values()].map(({ id, book, opened, closed }) => ({ id, ...book, side: SIDE_TO_DB[book.side], opened, closed }))),
  );
}

type FillRow = {
  executionId?: string; protectiveOrderId?: string; positionId: string; side: "buy" | "sell"; effect: Prisma.FillCreateManyInput["effect"];
  amount: string; price: string; fee?: string; feeCurrency?: string; feeQuote?: string; realizedPnl: string; slippagePct?: string;
};

/** Positive = worse for the user: a buy above the alert's price, a sell below it. */
function slippagePct(f: FillToBook): string | null {
  if (f.refPrice === null || sign(f.refPrice) === 0) return null;
  const diff = mulDiv(sub(f.price, f.refPrice), "100", f.refPrice, 8);
  return f.side === "buy" ? diff : neg(diff);
}

/**
 * The account holds less than the ledger (the user closed by hand): the ledger follows the
 * account, at cost, and says so on the position. Never the other way: KeyRelay never sells what
 * the user does not hold.
 */
export async function followAccount(db: SqlClient, positionId: string, book: Book, held: string, note: string): Promise<Book> {
  const next = shrinkTo(book, held);
  await db.$executeRawUnsafe(
    `UPDATE "Position" SET side = $2::"PositionSide", size = $3::numeric, "grossSize" = $4::numeric, "entryValue" = $5::numeric, "openFees" = $6::numeric,
            "driftNote" = $7, "driftAt" = now(), "updatedAt" = now(), "closedAt" = CASE WHEN $2 = 'FLAT' THEN now() ELSE "closedAt" END
      WHERE id = $1`,
    positionId,
    SIDE_TO_DB[next.side],
    next.size,
    next.grossSize,
    next.entryValue,
    next.openFees,
    note,
  );
  return next;
}
