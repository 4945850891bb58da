import { z } from "zod";

import { dec, DECIMAL_MAX_DIGITS, parseDecimal } from "~/server/money/decimal";
import { parseTicker, type Ticker } from "~/server/signals/ticker";

// The alert's fields after key aliases are resolved (webhook-payload.ts does that), as one zod schema.
// Every field is hand-checked so each message names the field as the sender spelled it and says what
// to send; zod's default messages never reach a TradingView user. Absent and blank optional values
// are null: TradingView leaves a blank where a placeholder has nothing to say. Quantities and prices
// stay decimal strings ("0.015", canonical), so what the alert says is what is traded and recorded.

export const ALERT_ACTIONS = ["buy", "sell", "exit", "cancel", "add", "breakeven"] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];
export type PositionSide = "long" | "short";
export const QUANTITY_TYPES = ["contracts", "base", "quote", "percent"] as const;
export type QuantityType = (typeof QUANTITY_TYPES)[number];

export const ID_MAX_CHARS = 64;
export const SECRET_MAX_CHARS = 256;
export const MAX_LAG_RANGE = { min: 1, max: 3600 } as const;
export const LEVERAGE_RANGE = { min: 1, max: 125 } as const;

// What each accepted word means. "close" is "exit": one action for "leave the position" spares the
// engine two code paths. close_long/exit_long say which side to leave, so a drifted account holding the
// other side is not flattened by mistake. 3Commas (enter_long...) and TradersPost (long/short/flat) words too.
const ACTION_WORDS: Record<string, { action: AlertAction; exitSide: PositionSide | null }> = {
  buy: { action: "buy", exitSide: null },
  long: { action: "buy", exitSide: null },
  enter_long: { action: "buy", exitSide: null },
  sell: { action: "sell", exitSide: null },
  short: { action: "sell", exitSide: null },
  enter_short: { action: "sell", exitSide: null },
  exit: { action: "exit", exitSide: null },
  close: { action: "exit", exitSide: null },
  flat: { action: "exit", exitSide: null },
  close_long: { action: "exit", exitSide: "long" },
  exit_long: { action: "exit", exitSide: "long" },
  close_short: { action: "exit", exitSide: "short" },
  exit_short: { action: "exit", exitSide: "short" },
  cancel: { action: "cancel", exitSide: null },
  // TradersPost's: add to the position held (nothing when flat); move the stop-loss to the entry.
  add: { action: "add", exitSide: null },
  breakeven: { action: "breakeven", exitSide: null },
  break_even: { action: "breakeven", exitSide: null },
};
const ACTION_LIST = "buy, sell, exit (or close), cancel, long, short, close_long, close_short, add or breakeven";

// Unambiguous on purpose (the "." separates the digit runs): "\d+\.?\d*" backtracks quadratically, 1.5 s on 60 KB of digits.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const NUMBER_MAX_CHARS = 40;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const CONTROL = /\p{Cc}/u;
// Unix time before 2001 or after 2286 is a wrong unit or a typo, not an alert time.
const MIN_UNIX_SECONDS = 1e9;
const MAX_UNIX_SECONDS = 1e10;

type Problem = { problem: string };
const isProblem = (value: unknown): value is Problem => typeof value === "object" && value !== null && "problem" in value;

/** A blank string means "not given": TradingView leaves blanks where a placeholder has no value. */
function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

function text(value: unknown): string | Problem {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return { problem: "must be text." };
}

/** The text of a JSON number or a numeric string, checked to be a plain decimal ("64250.5", "1.2E-5"); any sign. */
function numericText(value: unknown): string | Problem {
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : { problem: "is too large to be a real number." };
  if (typeof value !== "string") return { problem: "must be a number (or a numeric string)." };
  const s = value.trim();
  if (s.length > NUMBER_MAX_CHARS) return { problem: `must be a number, e.g. "0.01"; got ${s.length} characters.` };
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s) || /^\d+,\d+$/.test(s)) {
    return { problem: `is "${s}": use a dot for decimals and no thousands separators, e.g. "1234.5".` };
  }
  if (!DECIMAL.test(s)) return { problem: `must be a number, e.g. "0.01"; got "${s.slice(0, 30)}".` };
  return s;
}

/** A finite number, for counts and multipliers (leverage, seconds); never for money. */
function finiteNumber(value: unknown): number | Problem {
  const s = numericText(value);
  if (isProblem(s)) return s;
  const n = Number(s);
  return Number.isFinite(n) ? n : { problem: "is too large to be a real number." };
}

function positiveNumber(value: unknown): number | Problem {
  const n = finiteNumber(value);
  if (isProblem(n) || n > 0) return n;
  return { problem: `must be greater than 0; got ${n}.` };
}

/** A quantity or price: its canonical decimal string, greater than 0 ("1.50" -> "1.5", "1e-7" -> "0.0000001"). */
function positiveDecimal(value: unknown): string | Problem {
  const s = numericText(value);
  if (isProblem(s)) return s;
  const d = parseDecimal(s);
  if (d === null) return { problem: `is too large or has too many decimals to be a real number (at most ${DECIMAL_MAX_DIGITS} digits each side of the dot).` };
  return dec(d).gt(0) ? d : { problem: `must be greater than 0; got ${d}.` };
}

/** A size that may be 0 (a flat position): canonical decimal string >= 0. */
function nonNegativeDecimal(value: unknown): string | Problem {
  const d = anyDecimal(value);
  if (isProblem(d)) return d;
  return dec(d).gte(0) ? d : { problem: `must be 0 or more (a size, not a signed position); got ${d}. For a signed size use positionSize.` };
}

/** Any sign: TradingView's {{strategy.position_size}} is negative for a short. */
function anyDecimal(value: unknown): string | Problem {
  const s = numericText(value);
  if (isProblem(s)) return s;
  const d = parseDecimal(s);
  return d === null ? { problem: `is too large or has too many decimals to be a real number (at most ${DECIMAL_MAX_DIGITS} digits each side of the dot).` } : d;
}

function inRange(value: unknown, range: { min: number; max: number }, integer: boolean): number | Problem {
  const n = finiteNumber(value);
  if (isProblem(n)) return n;
  if (integer && !Number.isInteger(n)) return { problem: `must be a whole number from ${range.min} to ${range.max}; got ${n}.` };
  if (n < range.min || n > range.max) return { problem: `must be from ${range.min} to ${range.max}; got ${n}.` };
  return n;
}

function timestamp(value: unknown): Date | Problem {
  if (typeof value === "string" && (value.length > 100 || !DECIMAL.test(value.trim()))) {
    const s = value.trim();
    if (!ISO_WITH_ZONE.test(s)) {
      return { problem: `must be ISO 8601 with a time zone (TradingView's {{timenow}}, e.g. "2026-11-24T23:00:00Z") or unix seconds; got "${s.slice(0, 40)}".` };
    }
    const ms = Date.parse(s.replace(" ", "T"));
    return Number.isFinite(ms) ? new Date(ms) : { problem: `is not a real date: "${s.slice(0, 40)}".` };
  }
  const n = positiveNumber(value);
  if (isProblem(n)) return { problem: "must be ISO 8601 (TradingView's {{timenow}}) or unix seconds or milliseconds." };
  // Seconds and milliseconds do not overlap in any plausible range, so the magnitude tells the unit.
  const seconds = n >= MIN_UNIX_SECONDS * 1000 ? n / 1000 : n;
  if (seconds < MIN_UNIX_SECONDS || seconds > MAX_UNIX_SECONDS) {
    return { problem: `is ${n}, which is not a unix time in seconds or milliseconds; send TradingView's {{timenow}}.` };
  }
  return new Date(Math.round(seconds * 1000));
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | Problem {
  const s = text(value);
  if (isProblem(s)) return { problem: `must be one of ${allowed.join(", ")}.` };
  const word = s.toLowerCase();
  return (allowed as readonly string[]).includes(word) ? (word as T) : { problem: `must be one of ${allowed.join(", ")}; got "${s.slice(0, 30)}".` };
}

function action(value: unknown): { action: AlertAction; exitSide: PositionSide | null; rawAction: string } | Problem {
  const s = text(value);
  if (isProblem(s)) return { problem: `must be one of ${ACTION_LIST}.` };
  const word = s.toLowerCase().replace(/[\s-]+/g, "_");
  const meaning = Object.hasOwn(ACTION_WORDS, word) ? ACTION_WORDS[word] : undefined;
  if (meaning === undefined) return { problem: `must be one of ${ACTION_LIST}; got "${s.slice(0, 30)}".` };
  return { ...meaning, rawAction: word };
}

function boundedText(max: number, tooLongHint = "") {
  return (value: unknown): string | Problem => {
    const s = text(value);
    if (isProblem(s)) return s;
    if (s.length > max) return { problem: `is longer than ${max} characters${tooLongHint}.` };
    if (CONTROL.test(s)) return { problem: "cannot contain line breaks or control characters." };
    return s;
  };
}

/** A zod field running `check`; blank values become null (or "is required" when required). */
function field<T>(check: (value: unknown) => T | Problem, required?: string) {
  return z.unknown().transform((value, ctx): T | null => {
    if (isBlank(value)) {
      if (required === undefined) return null;
      ctx.addIssue({ code: "custom", message: `is required; ${required}` });
      return z.NEVER;
    }
    const result = check(value);
    if (!isProblem(result)) return result;
    ctx.addIssue({ code: "custom", message: result.problem });
    return z.NEVER;
  });
}

export const alertFieldsSchema = z.object({
  ticker: field<Ticker>((v) => {
    const s = text(v);
    return isProblem(s) ? { problem: 'must be text, e.g. "BTCUSDT".' } : parseTicker(s);
  }, 'send the market, e.g. "ticker": "{{ticker}}".'),
  action: field(action, 'send "action": "{{strategy.order.action}}" (or buy, sell, exit, cancel).'),
  orderType: field((v) => oneOf(v, ["market", "limit"] as const)),
  quantity: field(positiveDecimal),
  quantityType: field((v) => oneOf(v, QUANTITY_TYPES)),
  price: field(positiveDecimal),
  leverage: field((v) => inRange(v, LEVERAGE_RANGE, false)),
  takeProfit: field(positiveDecimal),
  stopLoss: field(positiveDecimal),
  /** Distances from the entry in percent (TradersPost's takeProfit/stopLoss {"percent": 2}); a price, when sent, wins. */
  takeProfitPct: field(positiveDecimal),
  stopLossPct: field((v) => {
    const d = positiveDecimal(v);
    return isProblem(d) || dec(d).lt(100) ? d : { problem: `must be below 100 (a stop ${d} % away is no stop); got ${d}.` };
  }),
  /** A trailing stop's callback in percent (TradersPost's stopLoss {"type": "trailing_stop", "trailPercent": 1}); it wins over the strategy's. */
  trailingStopPct: field((v) => {
    const d = positiveDecimal(v);
    return isProblem(d) || dec(d).lte(10) ? d : { problem: `must be at most 10 (the exchanges' largest callback); got ${d}.` };
  }),
  id: field(boundedText(ID_MAX_CHARS, "; KeyRelay's template builds it from {{ticker}}, the strategy's order id and {{timenow}}, so use shorter order ids")),
  timestamp: field(timestamp),
  maxLagSeconds: field((v) => inRange(v, MAX_LAG_RANGE, true)),
  secret: field(boundedText(SECRET_MAX_CHARS)),
  marketPosition: field((v) => oneOf(v, ["long", "short", "flat"] as const)),
  /** {{strategy.prev_market_position}}. */
  prevMarketPosition: field((v) => oneOf(v, ["long", "short", "flat"] as const)),
  /** {{strategy.market_position_size}}: the position after the order, >= 0. */
  marketPositionSize: field(nonNegativeDecimal),
  /** {{strategy.prev_market_position_size}}: the position before it, >= 0. */
  prevMarketPositionSize: field(nonNegativeDecimal),
  /** {{strategy.position_size}}: signed (negative = short), as TradingView's default message carries it. */
  positionSize: field(anyDecimal),
});

export type AlertFields = z.output<typeof alertFieldsSchema>;
export type CanonicalField = keyof AlertFields;
export const CANONICAL_FIELDS = Object.keys(alertFieldsSchema.shape) as CanonicalField[];

/** Problems that need two fields; each is reported on the field to change. */
export function crossFieldProblems(fields: AlertFields): { field: CanonicalField; message: string }[] {
  const problems: { field: CanonicalField; message: string }[] = [];
  if (fields.orderType === "limit" && fields.price === null) {
    problems.push({ field: "price", message: 'is required for a limit order; send "price": "{{close}}" or use a market order.' });
  }
  if (fields.quantityType === "percent" && fields.quantity !== null && dec(fields.quantity).gt(100)) {
    problems.push({ field: "quantity", message: `is a percentage here and must be at most 100; got ${fields.quantity}.` });
  }
  if (fields.positionSize !== null && fields.marketPosition !== null) {
    const signed = dec(fields.positionSize);
    const side = signed.isZero() ? "flat" : signed.isNegative() ? "short" : "long";
    if (side !== fields.marketPosition) {
      problems.push({ field: "marketPosition", message: `is "${fields.marketPosition}" but positionSize ${fields.positionSize} means ${side}; send one of them, or both from the same alert.` });
    }
  }
  if (fields.maxLagSeconds !== null && fields.timestamp === null) {
    problems.push({ field: "timestamp", message: 'is required with maxLagSeconds, or staleness cannot be checked; send "timestamp": "{{timenow}}".' });
  }
  return problems;
}
