import { dec, Decimal, decStr, floorToStep } from "~/server/money/decimal";

// How much to order for one subscription. Pure; the caller passes the price (the alert's or the last
// market price), the free quote balance and the market's limits from ccxt, all as decimal strings.
//
// FIXED_QUOTE and PERCENT_BALANCE size the margin, i.e. the user's own money the order uses; on a
// linear market the position is that times the leverage. FIXED_BASE and CONTRACTS_MULTIPLIER size the
// amount directly; leverage then only changes the margin the exchange holds. Spot has no leverage.
// Amounts are in ccxt's amount units (base currency on Binance/Bybit spot and linear USDT/USDC markets).
//
// All arithmetic is Decimal: the amount is rounded DOWN to the market's step exactly (0.3 at step 0.1
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

/** The value as a Decimal when it is a decimal greater than 0, else null ("NaN", "", "-1" and "0" included). */
function positive(x: string | null): Decimal | null {
  if (x === null) return null;
  try {
    const d = dec(x);
    return d.gt(0) ? d : null;
  } catch {
    return null;
  }
}

const shown = (d: Decimal) => decStr(d.toSignificantDigits(6, Decimal.ROUND_DOWN));

export function sizeOrder(input: SizingInput): SizingResult {
  const { mode, market } = input;
  const price = positive(input.price);
  if (price === null) return fail("NO_PRICE", "No usable price to size the order with; the alert had none and the market price is unknown.");
  const value = positive(input.value);
  if (value === null) return fail("INVALID_INPUT", `The subscription's size must be greater than 0; it is ${input.value}.`);
  const step = positive(market.amountStep);
  if (step === null) return fail("INVALID_INPUT", `The market's amount step must be greater than 0; it is ${market.amountStep}.`);

  const leverage = effectiveLeverage(input);
  let unrounded: Decimal;
  switch (mode) {
    case "FIXED_QUOTE":
      unrounded = value.times(leverage).div(price);
      break;
    case "PERCENT_BALANCE": {
      if (value.gt(100)) return fail("INVALID_INPUT", `A percentage of the balance must be at most 100; it is ${decStr(value)}.`);
      const available = positive(input.availableQuote);
      if (available === null) return fail("NO_BALANCE", "The account has no free balance in the quote currency to size the order from.");
      unrounded = available.times(value).div(100).times(leverage).div(price);
      break;
    }
    case "FIXED_BASE":
      unrounded = value;
      break;
    case "CONTRACTS_MULTIPLIER": {
      const contracts = positive(input.alertContracts);
      if (contracts === null) return fail("NO_CONTRACTS", 'The alert carried no quantity to multiply; send "quantity": "{{strategy.order.contracts}}".');
      unrounded = contracts.times(value);
      break;
    }
    default:
      return fail("INVALID_INPUT", `Unknown sizing mode ${String(mode satisfies never)}.`);
  }
  if (unrounded.gte(MAX_ORDER_AMOUNT)) {
    return fail("INVALID_INPUT", `The order size ${shown(unrounded)} is not a real order size (at most ${decStr(MAX_ORDER_AMOUNT)}); check the subscription's size.`);
  }
  unrounded = unrounded.toSignificantDigits(UNROUNDED_DIGITS, Decimal.ROUND_DOWN);

  const amount = dec(floorToStep(unrounded, step));
  if (amount.isZero()) {
    return fail("BELOW_MIN_AMOUNT", `The order size ${shown(unrounded)} rounds down to 0 at the market's step ${decStr(step)}; raise the subscription's size.`);
  }
  const minAmount = positive(market.minAmount);
  if (minAmount !== null && amount.lt(minAmount)) {
    return fail("BELOW_MIN_AMOUNT", `The order size ${decStr(amount)} is below the market's minimum ${decStr(minAmount)}; raise the subscription's size.`);
  }
  const notional = amount.times(price);
  const minNotional = positive(market.minNotional);
  if (minNotional !== null && notional.lt(minNotional)) {
    return fail("BELOW_MIN_NOTIONAL", `The order's value ${shown(notional)} is below the market's minimum ${decStr(minNotional)}; raise the subscription's size.`);
  }
  return { ok: true, amount: decStr(amount), unroundedAmount: decStr(unrounded), notional: decStr(notional), leverage };
}

/** min(alert leverage or 1, cap), at least 1; always 1 on spot. A null cap is no cap; a nonsense one (0, NaN) is 1, the safe side. */
function effectiveLeverage({ market, leverage, leverageCap }: SizingInput): number {
  if (market.marketType === "spot") return 1;
  const ok = (n: number | null): n is number => n !== null && Number.isFinite(n) && n > 0;
  const wanted = ok(leverage) ? leverage : 1;
  if (leverageCap === null) return Math.max(1, wanted);
  return ok(leverageCap) ? Math.max(1, Math.min(wanted, leverageCap)) : 1;
}
