// Fixed-point decimals for the simulator: bigint holding value * 1e8.
// Exchanges quote balances to 8 decimals; bigint keeps balances exact over
// thousands of fills, where floats would drift and print 0.30000000000000004.

export type Fixed = bigint;

export const DECIMALS = 8;
export const SCALE = 100_000_000n;
export const ZERO = 0n;

const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/;
const ZEROS = "00000000";

/** Parses a plain non-negative decimal string; null when malformed or finer than 1e-8. */
export function parseFixed(text: string): Fixed | null {
  const match = DECIMAL_RE.exec(text);
  if (match === null) return null;
  const whole = match[1] as string;
  let frac = match[2] ?? "";
  if (frac.length > DECIMALS) {
    // "0.100000000" is still exact; only non-zero digits beyond 1e-8 are too precise
    if (!/^0+$/.test(frac.slice(DECIMALS))) return null;
    frac = frac.slice(0, DECIMALS);
  }
  return BigInt(whole) * SCALE + BigInt(frac + ZEROS.slice(frac.length));
}

/** Like parseFixed but throws: for trusted inputs (market tables, validated control bodies). */
export function fx(text: string): Fixed {
  const value = parseFixed(text);
  if (value === null) throw new Error(`not a decimal with at most 8 places: ${text}`);
  return value;
}

/** Number of decimals a step like 0.001 has (3), used to print values the way exchanges do. */
export function decimalsOf(step: Fixed): number {
  let dp = DECIMALS;
  let v = step;
  while (dp > 0 && v % 10n === 0n) {
    v /= 10n;
    dp--;
  }
  return dp;
}

/** Formats with exactly `dp` decimals (truncating), e.g. Binance's "0.00100000". */
export function formatFixed(value: Fixed, dp: number = DECIMALS): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / SCALE;
  let text = whole.toString();
  if (dp > 0) {
    const frac = (abs % SCALE).toString().padStart(DECIMALS, "0").slice(0, dp);
    text += "." + frac;
  }
  return negative && abs !== 0n ? "-" + text : text;
}

/** Formats without trailing zeros, e.g. Bybit's "0.001". */
export function formatTrim(value: Fixed): string {
  const text = formatFixed(value);
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (text.charCodeAt(end - 1) === 46 /* . */) end--;
  return text.slice(0, end);
}

export function mul(a: Fixed, b: Fixed): Fixed {
  return (a * b) / SCALE;
}

export function div(a: Fixed, b: Fixed): Fixed {
  return (a * SCALE) / b;
}

/** Rounds down to a multiple of step (quote-sized market buys buy whole steps only). */
export function floorTo(value: Fixed, step: Fixed): Fixed {
  return value - (value % step);
}

/** value * ppm / 1e6: fee rates are kept in parts per million (0.1% = 1000). */
export function ppm(value: Fixed, partsPerMillion: bigint): Fixed {
  return (value * partsPerMillion) / 1_000_000n;
}

export function abs(value: Fixed): Fixed {
  return value < 0n ? -value : value;
}

export function min(a: Fixed, b: Fixed): Fixed {
  return a < b ? a : b;
}
