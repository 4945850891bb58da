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
import { decStr } from "~/server/money/decimal";
import { add, cmp, divDp, mul, mulDiv, neg, sign, sub } from "~/server/money/exact";

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
/** x * part / whole, rounded (down) to the ledger's scale. */
const shareOf = (x: string, part: string, whole: string) => mulDiv(x, part, whole, LEDGER_SCALE);
/** A long's value as it is, a short's negated. */
const signed = (side: BookSide, x: string) => (side === "short" ? neg(x) : x);

export function feeInQuote(fill: Fill): string | null {
  if (fill.fee === null || sign(fill.fee) === 0) return "0";
  if (fill.feeCurrency === fill.quote) return decStr(fill.fee);
  if (fill.feeCurrency === fill.base) return mul(fill.fee, fill.price);
  return null;
}

export function applyFill(book: Book, fill: Fill): Applied {
  const amount = decStr(fill.amount);
  if (sign(amount) <= 0) return { book, effect: book.side === "flat" ? "open" : "add", closedAmount: "0", realized: "0", feeQuote: "0" };
  const feeQuote = feeInQuote(fill);
  const fillSide: BookSide = fill.side === "buy" ? "long" : "short";
  const baseFee = fill.fee !== null && fill.feeCurrency === fill.base ? fill.fee : "0";

  let b = { ...book };
  let closed = "0";
  let realized = "0";
  let opened = amount;
  let effect: FillEffect = b.side === "flat" ? "open" : "add";
  let closeFeeTaken = "0";

  if (b.side !== "flat" && b.side !== fillSide) {
    // Reduce: up to what is held; anything beyond opens the other side (one order crossing zero).
    const size = decStr(b.size);
    closed = cmp(amount, size) < 0 ? amount : size;
    opened = sub(amount, closed);
    const whole = closed === size;
    const costShare = whole ? b.entryValue : shareOf(b.entryValue, closed, size);
    const openFeeShare = whole ? b.openFees : shareOf(b.openFees, closed, size);
    const closeFee = feeQuote === null ? "0" : closed === amount ? feeQuote : shareOf(feeQuote, closed, amount);
    closeFeeTaken = closeFee;
    realized = sub(sub(signed(b.side, sub(mul(closed, fill.price), costShare)), openFeeShare), closeFee);
    const left = sub(size, closed);
    b = left === "0"
      ? { ...EMPTY_BOOK, realizedPnl: b.realizedPnl, feesPaid: b.feesPaid }
      : {
          ...b,
          size: left,
          grossSize: sub(b.grossSize, shareOf(b.grossSize, closed, size)),
          entryValue: sub(b.entryValue, costShare),
          openFees: sub(b.openFees, openFeeShare),
        };
    b.realizedPnl = add(b.realizedPnl, realized);
    effect = sign(opened) > 0 ? "flip" : left === "0" ? "close" : "reduce";
  }

  if (sign(opened) > 0) {
    // A base-asset fee on a buy leaves less held; a quote fee is a cost carried until the close.
    const held = fillSide === "long" ? sub(opened, opened === amount ? baseFee : shareOf(baseFee, opened, amount)) : opened;
    const openFee = fill.feeCurrency === fill.base || feeQuote === null ? "0" : sub(feeQuote, closeFeeTaken);
    b = {
      ...b,
      side: fillSide,
      size: add(b.size, held),
      grossSize: add(b.grossSize, opened),
      entryValue: add(b.entryValue, mul(opened, fill.price)),
      openFees: add(b.openFees, openFee),
    };
  }
  if (feeQuote !== null) b.feesPaid = add(b.feesPaid, feeQuote);
  return { book: b, effect, closedAmount: closed, realized, feeQuote };
}

/** Average fill price of what is held. */
export function averageEntry(book: Book): string | null {
  return sign(book.grossSize) > 0 ? divDp(book.entryValue, book.grossSize, LEDGER_SCALE) : null;
}

/** What closing everything at `mark` would realise, fees paid so far included (the close's own fee not). */
export function unrealizedPnl(book: Book, mark: string): string {
  if (book.side === "flat") return "0";
  return sub(signed(book.side, sub(mul(mark, book.size), book.entryValue)), book.openFees);
}

/**
 * The ledger follows the account when the account holds less (the user closed by hand): the
 * book shrinks to `held` as if that much had been closed at cost (no PnL is invented).
 */
export function shrinkTo(book: Book, held: string): Book {
  if (book.side === "flat" || cmp(held, book.size) >= 0) return book;
  if (sign(held) <= 0) return { ...EMPTY_BOOK, realizedPnl: book.realizedPnl, feesPaid: book.feesPaid };
  return {
    ...book,
    size: decStr(held),
    grossSize: shareOf(book.grossSize, held, book.size),
    entryValue: shareOf(book.entryValue, held, book.size),
    openFees: shareOf(book.openFees, held, book.size),
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
    book: { ...EMPTY_BOOK, realizedPnl: add(book.realizedPnl, realized), feesPaid: book.feesPaid },
    released: book.size,
    realized,
  };
}
