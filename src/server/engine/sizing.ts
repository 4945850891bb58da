import { decStr } from "~/server/money/decimal";
import { cmp, divSig, floorToStep, mul, sign } from "~/server/money/exact";

// How much to order for one subscription. Pure; the caller passes the price (the alert's or the last
// market price), the free quote balance and the market's limits from ccxt, all as decimal strings.
//
// FIXED_QUOTE and PERCENT_BALANCE size the margin, i.e. the user's own money the order uses; on a
// linear market the position is that times the leverage. FIXED_BASE and CONTRACTS_MULTIPLIER size the
// amount directly; leverage then only changes the margin the exchange holds. Spot has no leverage.
// Amounts are in ccxt's amount units (base currency on Binance/Bybit spot and linear USDT/USDC markets).
//
// All arithmetic is exact (money/exact.ts): the amount is rounded DOWN to the market's step exactly (0.3 at step 0.1
// is 0.3, not the 0.2 floats give), and a size from a division is never above the exact one.

export type SizingMode = "FIXED_QUOTE" | "PERCENT_BALANCE" | "FIXED_BASE" | "CONTRACTS_MULTIPLIER";
export type SizingCode = "BELOW_MIN_NOTIONAL" | "BELOW_MIN_AMOUNT" | "NO_BALANCE" | "NO_CONTRACTS" | "NO_PRICE" | "INVALID_INPUT";

export type SizingInput = {
  mode: SizingMode;
  /** Quote for FIXED_QUOTE, percent (0-100] for PERCENT_BALANCE, base for FIXED_BASE, a factor for CONTRACTS_MULTIPLIER. */
  value: string;
  alertContracts: string | null;
  /** The alert's price or the market's; null when neither is known (refused with NO_PRICE). */
  price: string | null;
  availableQuote: string | null;
  market: { amountStep: string; minAmount: string | null; minNotional: string | null; marketType: "spot" | "linear" };
  leverage: number | null;
  leverageCap: number | null;
};

export type SizingResult =
  | { ok: true; amount: string; unroundedAmount: string; notional: string; leverage: number }
  | { ok: false; reason: { code: SizingCode; message: string } };

/** No market trades more in one order: a bigger size is a typo in the subscription (and beyond exact floats at the ccxt call). */
export const MAX_ORDER_AMOUNT = "1e15";
/** Significant digits kept of an amount that comes from a division (100 / 3 is not a finite decimal). */
const UNROUNDED_DIGITS = 30;

const fail = (code: SizingCode, message: string): SizingResult => ({ ok: false, reason: { code, message } });

/** The value as canonical text when it is a decimal greater than 0, else null ("NaN", "", "-1" and "0" included). */
function positive(x: string | null): string | null {
  if (x === null) return null;
  try {
    const d = decStr(x);
    return sign(d) > 0 ? d : null;
  } catch {
    return null;
  }
}

/** Cut (down) to `digits` significant digits. */
const sig = (x: string, digits: number) => divSig(x, "1", digits);
const shown = (x: string) => sig(x, 6);

export function sizeOrder(input: SizingInput): SizingResult {
  const { mode, market } = input;
  const price = positive(input.price);
  if (price === null) return fail("NO_PRICE", "No usable price to size the order with; the alert had none and the market price is unknown.");
  const value = positive(input.value);
  if (value === null) return fail("INVALID_INPUT", `The subscription's size must be greater than 0; it is ${input.value}.`);
  const step = positive(market.amountStep);
  if (step === null) return fail("INVALID_INPUT", `The market's amount step must be greater than 0; it is ${market.amountStep}.`);

  const leverage = effectiveLeverage(input);
  // Cut to UNROUNDED_DIGITS significant digits (a size is never above the exact one): at or above
  // MAX_ORDER_AMOUNT exactly when the exact size is, since that bound has fewer digits.
  let unrounded: string;
  switch (mode) {
    case "FIXED_QUOTE":
      unrounded = divSig(mul(value, String(leverage)), price, UNROUNDED_DIGITS);
      break;
    case "PERCENT_BALANCE": {
      if (cmp(value, "100") > 0) return fail("INVALID_INPUT", `A percentage of the balance must be at most 100; it is ${value}.`);
      const available = positive(input.availableQuote);
      if (available === null) return fail("NO_BALANCE", "The account has no free balance in the quote currency to size the order from.");
      unrounded = divSig(mul(mul(available, value), String(leverage)), mul("100", price), UNROUNDED_DIGITS);
      break;
    }
    case "FIXED_BASE":
      unrounded = sig(value, UNROUNDED_DIGITS);
      break;
    case "CONTRACTS_MULTIPLIER": {
      const contracts = positive(input.alertContracts);
      if (contracts === null) return fail("NO_CONTRACTS", 'The alert carried no quantity to multiply; send "quantity": "{{strategy.order.contracts}}".');
      unrounded = sig(mul(contracts, value), UNROUNDED_DIGITS);
      break;
    }
    default:
      return fail("INVALID_INPUT", `Unknown sizing mode ${String(mode satisfies never)}.`);
  }
  if (cmp(unrounded, MAX_ORDER_AMOUNT) >= 0) {
    return fail("INVALID_INPUT", `The order size ${shown(unrounded)} is not a real order size (at most ${decStr(MAX_ORDER_AMOUNT)}); check the subscription's size.`);
  }

  const amount = floorToStep(unrounded, step);
  if (amount === "0") {
    return fail("BELOW_MIN_AMOUNT", `The order size ${shown(unrounded)} rounds down to 0 at the market's step ${step}; raise the subscription's size.`);
  }
  const minAmount = positive(market.minAmount);
  if (minAmount !== null && cmp(amount, minAmount) < 0) {
    return fail("BELOW_MIN_AMOUNT", `The order size ${amount} is below the market's minimum ${minAmount}; raise the subscription's size.`);
  }
  const notional = mul(amount, price);
  const minNotional = positive(market.minNotional);
  if (minNotional !== null && cmp(notional, minNotional) < 0) {
    return fail("BELOW_MIN_NOTIONAL", `The order's value ${shown(notional)} is below the market's minimum ${minNotional}; raise the subscription's size.`);
  }
  return { ok: true, amount, unroundedAmount: unrounded, notional, leverage };
}

/** min(alert leverage or 1, cap), at least 1; always 1 on spot. A null cap is no cap; a nonsense one (0, NaN) is 1, the safe side. */
function effectiveLeverage({ market, leverage, leverageCap }: SizingInput): number {
  if (market.marketType === "spot") return 1;
  const ok = (n: number | null): n is number => n !== null && Number.isFinite(n) && n > 0;
  const wanted = ok(leverage) ? leverage : 1;
  if (leverageCap === null) return Math.max(1, wanted);
  return ok(leverageCap) ? Math.max(1, Math.min(wanted, leverageCap)) : 1;
}
