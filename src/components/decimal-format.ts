/**
 * Display of exact decimal strings (prices, sizes, PnL) without turning them into floats: rounding
 * and digit grouping are done on the digits. Pure; safe in client components.
 */

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** `s` rounded half away from zero to `dp` places ("1.005", 2 -> "1.01"); the input unchanged when it is not a plain decimal. */
export function roundDecimal(s: string, dp: number): string {
  const m = DECIMAL.exec(s.trim());
  if (!m || (m[2] === "" && !m[3])) return s;
  const neg = m[1] === "-";
  const int = m[2] || "0";
  const frac = m[3] ?? "";
  let digits = int + frac.padEnd(dp, "0").slice(0, dp);
  if ((frac[dp] ?? "0") >= "5") {
    // Add one unit in the last place, carrying.
    const arr = digits.split("");
    let i = arr.length - 1;
    for (; i >= 0; i--) {
      if (arr[i] === "9") arr[i] = "0";
      else {
        arr[i] = String(Number(arr[i]) + 1);
        break;
      }
    }
    digits = (i < 0 ? "1" : "") + arr.join("");
  }
  const intPart = digits.slice(0, digits.length - dp).replace(/^0+(?=\d)/, "") || "0";
  const fracPart = dp > 0 ? digits.slice(digits.length - dp) : "";
  const zero = /^0*$/.test(intPart + fracPart);
  return `${neg && !zero ? "-" : ""}${intPart}${fracPart ? `.${fracPart}` : ""}`;
}

const group = (int: string) => int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Grouped thousands, trailing zeros beyond `minDp` dropped: "12345.5000" -> "12,345.50" with minDp 2. */
function pretty(s: string, minDp: number): string {
  const m = DECIMAL.exec(s);
  if (!m) return s;
  let frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length < minDp) frac = frac.padEnd(minDp, "0");
  return `${m[1]}${group(m[2] || "0")}${frac ? `.${frac}` : ""}`;
}

const isZero = (s: string) => /^[+-]?0*(\.0*)?$/.test(s);
const absBelowOne = (s: string) => /^[+-]?0*(\.\d*)?$/.test(s);

/**
 * A money amount in quote: 2 decimals, or up to 4 when below 1 so small PnL is not shown as 0.00.
 * `sign` adds "+" to positive amounts (PnL).
 */
export function fmtMoney(s: string, opts: { sign?: boolean } = {}): string {
  const r = roundDecimal(s, absBelowOne(s) && !isZero(roundDecimal(s, 4)) ? 4 : 2);
  const out = pretty(r, 2);
  return opts.sign && !r.startsWith("-") && !isZero(r) ? `+${out}` : out;
}

/** A price or size: up to `maxDp` decimals (8), trailing zeros dropped, thousands grouped. */
export function fmtAmount(s: string, maxDp = 8): string {
  return pretty(roundDecimal(s, maxDp), 0);
}

/** -1, 0 or 1 from a decimal string, for colouring PnL. */
export function signOf(s: string): -1 | 0 | 1 {
  if (isZero(s)) return 0;
  return s.trim().startsWith("-") ? -1 : 1;
}
