import { Decimal } from "@prisma/client/runtime/client";

import { AppError } from "~/server/errors";

// Money is decimal from the alert to the database: quantities, prices, fees and notionals travel as
// canonical decimal strings ("0.015", never "1.5e-2" or 0.015) and are computed with Decimal.
//
// `Decimal` is Prisma's (decimal.js), re-exported so Prisma columns and these values are one type.
// Its default context rounds every result to 20 significant digits (0.12345678 x 64250.12345678 loses
// two), so dec() makes values of a clone that keeps 100: clones share decimal.js's prototype, so
// they are `instanceof Decimal` and Prisma writes them as it writes its own. Start arithmetic from
// dec(): + - x of money are then exact, and a division that does not terminate rounds down, so a
// size computed by division is never above the exact one.

export { Decimal };

const Exact = Decimal.clone({ precision: 100, rounding: Decimal.ROUND_DOWN });

// A plain decimal as people and exchanges write one: no hex, no "Infinity", no thousands separators.
// Unambiguous on purpose (the "." separates the digit runs), so it stays linear on 60 KB of digits.
const PLAIN_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** Longest text parseDecimal reads; a longer "number" is a mistake or an attack. */
export const DECIMAL_TEXT_MAX_CHARS = 64;
/** parseDecimal's range: at most this many digits before the point and this many after it. */
export const DECIMAL_MAX_DIGITS = 30;

/**
 * A Decimal for exact arithmetic. A number is read from its shortest string form (0.1 is exactly
 * 0.1, not 0.1000000000000000055...). Throws AppError BAD_INPUT for NaN, infinities and strings that
 * are not plain decimals.
 */
export function dec(x: string | number | Decimal): Decimal {
  if (typeof x === "number") {
    if (!Number.isFinite(x)) throw new AppError("BAD_INPUT", `Expected a finite number, got ${x}.`);
    return new Exact(String(x));
  }
  if (typeof x === "string") {
    const s = x.trim();
    if (!PLAIN_DECIMAL.test(s)) throw new AppError("BAD_INPUT", `Expected a decimal number, got "${s.slice(0, 40)}".`);
    return new Exact(s);
  }
  if (!x.isFinite()) throw new AppError("BAD_INPUT", `Expected a finite number, got ${x.toString()}.`);
  return new Exact(x);
}

/** Already canonical: no sign but "-", no exponent, no leading zeros, no trailing zeros after the point. */
const CANONICAL = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/** JavaScript's exponent form of a number: one digit before the point, no trailing zeros after it. */
const FLOAT_EXPONENT = /^(-?)([1-9])(?:\.(\d*[1-9]))?e([+-]\d+)$/;

/** `digits` (no leading or trailing zeros) with the point after the first `point` of them (point <= 0: before them). */
function plainFromExponent(sign: string, digits: string, point: number): string {
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The canonical plain decimal string: no exponent, no trailing zeros, no "-0" ("1.0E-2" -> "0.01"). */
export function decStr(x: string | number | Decimal): string {
  // Most values already are (exchange answers, database text, a float's shortest form): returned as they are.
  const s = typeof x === "string" ? x : typeof x === "number" && Number.isFinite(x) ? String(x) : null;
  if (s !== null && s !== "-0" && s.length <= 80 && CANONICAL.test(s)) return s;
  // A float's shortest form below 1e-6 or from 1e21 has an exponent (a fee of 0.0000004 BTC is "4e-7"): its digits, moved.
  if (typeof x === "number" && s !== null) {
    const m = FLOAT_EXPONENT.exec(s);
    if (m) return plainFromExponent(m[1]!, m[2]! + (m[3] ?? ""), Number(m[4]) + 1);
  }
  const d = dec(x);
  return d.isZero() ? "0" : d.toFixed();
}

/**
 * A decimal from text a person or an alert sent ("64250.5", " 1.2E-5", "+7"), as its canonical
 * string; any sign. A JSON number is read from its shortest form. Null for anything else: not a
 * plain decimal, longer than DECIMAL_TEXT_MAX_CHARS, or outside DECIMAL_MAX_DIGITS digits before
 * and after the point (which also keeps "1e-999999999" from becoming a billion-character string).
 */
export function parseDecimal(text: string | number): string | null {
  if (typeof text === "number" && !Number.isFinite(text)) return null;
  const s = String(text).trim();
  if (s.length > DECIMAL_TEXT_MAX_CHARS || !PLAIN_DECIMAL.test(s)) return null;
  const d = new Exact(s);
  if (d.isZero()) return "0";
  // d.e is the exponent of the first significant digit: 1234.5 has e = 3.
  if (d.e >= DECIMAL_MAX_DIGITS || d.decimalPlaces() > DECIMAL_MAX_DIGITS) return null;
  return d.toFixed();
}
