/**
 * The position book's arithmetic, exact (decimal strings in and out): what a fill does to what a
 * strategy holds on one account, and the PnL it realises. Pure; the ledger (position-ledger.ts)
 * stores the result.
 *
 * - size: what is held, net of fees paid in the base asset (a spot buy of 0.002 BTC whose 0.1 %
 *   fee was taken in BTC holds 0.001998);
 * - entryValue: what the current size cost, in quote (price x gross amount of the opening fills,
 *   scaled down proportionally on each reduce); grossSize: the gross amount behind it, so
 *   entryValue / grossSize is the average fill price;
 * - openFees: quote fees paid opening the current size (base fees are already in `size`);
 * - realized PnL of a reduce: side x (exit value - its share of entryValue) - its share of
 *   openFees - the reduce's own fee: every fee counts, once.
 */
import { dec, type Decimal } from "~/server/money/decimal";

export type BookSide = "long" | "short" | "flat";

export interface Book {
  side: BookSide;
  size: string;
  grossSize: string;
  entryValue: string;
  openFees: string;
  realizedPnl: string;
  /** Every fee paid, in quote (fees in a third asset such as BNB are not convertible here and are left out). */
  feesPaid: string;
}

export interface Fill {
  side: "buy" | "sell";
  /** Gross base amount filled. */
  amount: string;
  price: string;
  fee: string | null;
  feeCurrency: string | null;
  base: string;
  quote: string;
}

export type FillEffect = "open" | "add" | "reduce" | "close" | "flip";

export interface Applied {
  book: Book;
  effect: FillEffect;
  /** Base amount this fill took off the book (0 for opens). */
  closedAmount: string;
  realized: string;
  /** The fill's fee in quote; null when it was paid in another asset. */
  feeQuote: string | null;
}

export const EMPTY_BOOK: Book = { side: "flat", size: "0", grossSize: "0", entryValue: "0", openFees: "0", realizedPnl: "0", feesPaid: "0" };

/** The database's scale. Proportional shares (a third of a cost) are rounded to it, once each; the last close takes exactly what is left, so totals add up to the cent and beyond. */
export const LEDGER_SCALE = 18;
const s = (d: Decimal) => d.toFixed();
/** x * part / whole, rounded to the ledger's scale. */
const shareOf = (x: string | Decimal, part: Decimal, whole: Decimal) => dec(x).times(part).div(whole).toDecimalPlaces(LEDGER_SCALE);
const dir = (side: BookSide) => (side === "short" ? -1 : 1);

export function feeInQuote(fill: Fill): Decimal | null {
  if (fill.fee === null || dec(fill.fee).isZero()) return dec(0);
  if (fill.feeCurrency === fill.quote) return dec(fill.fee);
  if (fill.feeCurrency === fill.base) return dec(fill.fee).times(fill.price);
  return null;
}

export function applyFill(book: Book, fill: Fill): Applied {
  const amount = dec(fill.amount);
  if (amount.lte(0)) return { book, effect: book.side === "flat" ? "open" : "add", closedAmount: "0", realized: "0", feeQuote: "0" };
  const feeQuote = feeInQuote(fill);
  const fillSide: BookSide = fill.side === "buy" ? "long" : "short";
  const baseFee = fill.fee !== null && fill.feeCurrency === fill.base ? dec(fill.fee) : dec(0);

  let b = { ...book };
  let closed = dec(0);
  let realized = dec(0);
  let opened = amount;
  let effect: FillEffect = b.side === "flat" ? "open" : "add";
  let closeFeeTaken = dec(0);

  if (b.side !== "flat" && b.side !== fillSide) {
    // Reduce: up to what is held; anything beyond opens the other side (one order crossing zero).
    const size = dec(b.size);
    closed = amount.lt(size) ? amount : size;
    opened = amount.minus(closed);
    const whole = closed.eq(size);
    const costShare = whole ? dec(b.entryValue) : shareOf(b.entryValue, closed, size);
    const openFeeShare = whole ? dec(b.openFees) : shareOf(b.openFees, closed, size);
    const closeFee = feeQuote === null ? dec(0) : closed.eq(amount) ? feeQuote : shareOf(feeQuote, closed, amount);
    closeFeeTaken = closeFee;
    realized = dec(closed).times(fill.price).minus(costShare).times(dir(b.side)).minus(openFeeShare).minus(closeFee);
    const left = size.minus(closed);
    b = left.isZero()
      ? { ...EMPTY_BOOK, realizedPnl: b.realizedPnl, feesPaid: b.feesPaid }
      : {
          ...b,
          size: s(left),
          grossSize: s(dec(b.grossSize).minus(shareOf(b.grossSize, closed, size))),
          entryValue: s(dec(b.entryValue).minus(costShare)),
          openFees: s(dec(b.openFees).minus(openFeeShare)),
        };
    b.realizedPnl = s(dec(b.realizedPnl).plus(realized));
    effect = opened.gt(0) ? "flip" : left.isZero() ? "close" : "reduce";
  }

  if (opened.gt(0)) {
    // A base-asset fee on a buy leaves less held; a quote fee is a cost carried until the close.
    const held = fillSide === "long" ? opened.minus(opened.eq(amount) ? baseFee : shareOf(baseFee, opened, amount)) : opened;
    const openFee = fill.feeCurrency === fill.base || feeQuote === null ? dec(0) : feeQuote.minus(closeFeeTaken);
    b = {
      ...b,
      side: fillSide,
      size: s(dec(b.size).plus(held)),
      grossSize: s(dec(b.grossSize).plus(opened)),
      entryValue: s(dec(b.entryValue).plus(opened.times(fill.price))),
      openFees: s(dec(b.openFees).plus(openFee)),
    };
  }
  if (feeQuote !== null) b.feesPaid = s(dec(b.feesPaid).plus(feeQuote));
  return { book: b, effect, closedAmount: s(closed), realized: s(realized), feeQuote: feeQuote === null ? null : s(feeQuote) };
}

/** Average fill price of what is held. */
export function averageEntry(book: Book): string | null {
  return dec(book.grossSize).gt(0) ? s(dec(book.entryValue).div(book.grossSize).toDecimalPlaces(LEDGER_SCALE)) : null;
}

/** What closing everything at `mark` would realise, fees paid so far included (the close's own fee not). */
export function unrealizedPnl(book: Book, mark: string): string {
  if (book.side === "flat") return "0";
  return s(dec(mark).times(book.size).minus(book.entryValue).times(dir(book.side)).minus(book.openFees));
}

/**
 * The ledger follows the account when the account holds less (the user closed by hand): the
 * book shrinks to `held` as if that much had been closed at cost (no PnL is invented).
 */
export function shrinkTo(book: Book, held: string): Book {
  const size = dec(book.size);
  const h = dec(held);
  if (book.side === "flat" || h.gte(size)) return book;
  if (h.lte(0)) return { ...EMPTY_BOOK, realizedPnl: book.realizedPnl, feesPaid: book.feesPaid };
  return {
    ...book,
    size: s(h),
    grossSize: s(shareOf(book.grossSize, h, size)),
    entryValue: s(shareOf(book.entryValue, h, size)),
    openFees: s(shareOf(book.openFees, h, size)),
  };
}

/**
 * A close that left less than the market's smallest order (a spot fee in the base asset, a step):
 * the remainder cannot be sold, so it leaves the strategy's book, valued at `price` (the close's
 * fill price), and stays on the account as the user's own dust.
 */
export function releaseDust(book: Book, price: string): { book: Book; released: string; realized: string } {
  if (book.side === "flat") return { book, released: "0", realized: "0" };
  const realized = unrealizedPnl(book, price);
  return {
    book: { ...EMPTY_BOOK, realizedPnl: s(dec(book.realizedPnl).plus(realized)), feesPaid: book.feesPaid },
    released: book.size,
    realized,
  };
}
