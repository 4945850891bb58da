import { AppError } from "~/server/errors";

// How much to order for one subscription. Pure; the caller passes the price (the alert's or the last
// market price), the free quote balance and the market's limits from ccxt.
//
// FIXED_QUOTE and PERCENT_BALANCE size the margin, i.e. the user's own money the order uses; on a
// linear market the position is that times the leverage. FIXED_BASE and CONTRACTS_MULTIPLIER size the
// amount directly; leverage then only changes the margin the exchange holds. Spot has no leverage.
// Amounts are in ccxt's amount units (base currency on Binance/Bybit spot and linear USDT/USDC markets).
//
// Rounding is DOWN to the market's step in decimal arithmetic (BigInt on the shortest decimal form of
// each number), so 0.3 at step 0.1 is 0.3, not 0.2 from 0.3/0.1 = 2.9999999999999996, and the result is
// never more than asked for.

export type SizingMode = "FIXED_QUOTE" | "PERCENT_BALANCE" | "FIXED_BASE" | "CONTRACTS_MULTIPLIER";
export type SizingCode = "BELOW_MIN_NOTIONAL" | "BELOW_MIN_AMOUNT" | "NO_BALANCE" | "NO_CONTRACTS" | "NO_PRICE" | "INVALID_INPUT";

export type SizingInput = {
  mode: SizingMode;
  /** Quote for FIXED_QUOTE, percent (0-100] for PERCENT_BALANCE, base for FIXED_BASE, a factor for CONTRACTS_MULTIPLIER. */
  value: number;
  alertContracts: number | null;
  price: number;
  availableQuote: number | null;
  market: { amountStep: number; minAmount: number | null; minNotional: number | null; marketType: "spot" | "linear" };
  leverage: number | null;
  leverageCap: number | null;
};

export type SizingResult =
  | { ok: true; amount: number; amountText: string; unroundedAmount: number; notional: number; leverage: number }
  | { ok: false; reason: { code: SizingCode; message: string } };

const fail = (code: SizingCode, message: string): SizingResult => ({ ok: false, reason: { code, message } });
const positive = (n: number | null): n is number => n !== null && Number.isFinite(n) && n > 0;

export function sizeOrder(input: SizingInput): SizingResult {
  const { mode, value, price, market } = input;
  if (!positive(price)) return fail("NO_PRICE", "No usable price to size the order with; the alert had none and the market price is unknown.");
  if (!positive(value)) return fail("INVALID_INPUT", `The subscription's size must be greater than 0; it is ${value}.`);
  if (!positive(market.amountStep)) return fail("INVALID_INPUT", `The market's amount step must be greater than 0; it is ${market.amountStep}.`);

  const leverage = effectiveLeverage(input);
  let unrounded: number;
  switch (mode) {
    case "FIXED_QUOTE":
      unrounded = (value * leverage) / price;
      break;
    case "PERCENT_BALANCE":
      if (value > 100) return fail("INVALID_INPUT", `A percentage of the balance must be at most 100; it is ${value}.`);
      if (!positive(input.availableQuote)) return fail("NO_BALANCE", "The account has no free balance in the quote currency to size the order from.");
      unrounded = (((input.availableQuote * value) / 100) * leverage) / price;
      break;
    case "FIXED_BASE":
      unrounded = value;
      break;
    case "CONTRACTS_MULTIPLIER":
      if (!positive(input.alertContracts)) return fail("NO_CONTRACTS", 'The alert carried no quantity to multiply; send "quantity": "{{strategy.order.contracts}}".');
      unrounded = input.alertContracts * value;
      break;
    default:
      return fail("INVALID_INPUT", `Unknown sizing mode ${String(mode satisfies never)}.`);
  }
  if (!Number.isFinite(unrounded)) return fail("INVALID_INPUT", "The order size is not a finite number; check the subscription's size.");

  const amountText = floorToStep(unrounded, market.amountStep);
  const amount = Number(amountText);
  if (amount === 0) {
    return fail("BELOW_MIN_AMOUNT", `The order size ${unrounded.toPrecision(6)} rounds down to 0 at the market's step ${market.amountStep}; raise the subscription's size.`);
  }
  if (market.minAmount !== null && amount < market.minAmount) {
    return fail("BELOW_MIN_AMOUNT", `The order size ${amountText} is below the market's minimum ${market.minAmount}; raise the subscription's size.`);
  }
  const notional = amount * price;
  if (market.minNotional !== null && notional < market.minNotional) {
    return fail("BELOW_MIN_NOTIONAL", `The order's value ${notional.toPrecision(6)} is below the market's minimum ${market.minNotional}; raise the subscription's size.`);
  }
  return { ok: true, amount, amountText, unroundedAmount: unrounded, notional, leverage };
}

/** min(alert leverage or 1, cap), at least 1; always 1 on spot. A null cap is no cap; a nonsense one (0, NaN) is 1, the safe side. */
function effectiveLeverage({ market, leverage, leverageCap }: SizingInput): number {
  if (market.marketType === "spot") return 1;
  const wanted = positive(leverage) ? leverage : 1;
  if (leverageCap === null) return Math.max(1, wanted);
  return positive(leverageCap) ? Math.max(1, Math.min(wanted, leverageCap)) : 1;
}

// --- decimal arithmetic ---------------------------------------------------------------------------

type Decimal = { digits: bigint; scale: number }; // digits / 10^scale

/** The shortest decimal form of a finite non-negative number, exactly ("1e-7" -> 1 / 10^7). */
function toDecimal(n: number): Decimal {
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n));
  if (!match) throw new AppError("BAD_INPUT", `Expected a finite number >= 0, got ${n}.`);
  const [, int = "", frac = "", exp = "0"] = match;
  const scale = frac.length - Number(exp);
  const digits = BigInt(int + frac);
  return scale >= 0 ? { digits, scale } : { digits: digits * 10n ** BigInt(-scale), scale: 0 };
}

/** The largest multiple of `step` that is <= `amount`, as a plain decimal string ("0.012"). Throws AppError BAD_INPUT for a negative or non-finite amount or a step <= 0. */
export function floorToStep(amount: number, step: number): string {
  const a = toDecimal(amount);
  const s = toDecimal(step);
  const scale = Math.max(a.scale, s.scale);
  const units = a.digits * 10n ** BigInt(scale - a.scale);
  const stepUnits = s.digits * 10n ** BigInt(scale - s.scale);
  if (stepUnits === 0n) throw new AppError("BAD_INPUT", "The step must be greater than 0.");
  return formatDecimal((units / stepUnits) * stepUnits, scale);
}

function formatDecimal(digits: bigint, scale: number): string {
  if (scale === 0) return digits.toString();
  const padded = digits.toString().padStart(scale + 1, "0");
  const whole = padded.slice(0, -scale);
  const fraction = padded.slice(-scale).replace(/0+$/, "");
  return fraction === "" ? whole : `${whole}.${fraction}`;
}
