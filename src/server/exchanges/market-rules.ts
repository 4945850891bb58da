/**
 * A market's order rules (amount step, minimum amount and value, price step, spot or linear) as
 * canonical decimal strings, derived from ccxt's market once per market object: the engine reads
 * them for every order, and a reload of the markets brings new objects, so nothing goes stale.
 */
import type { Market } from "ccxt";
import { decimal } from "~/server/exchanges/ccxt-values";
import { dec } from "~/server/money/decimal";

export interface MarketInfo {
  /** Decimal strings from the shared markets: the amount step, the minimum amount and value, the price step. */
  amountStep: string;
  minAmount: string | null;
  minNotional: string | null;
  priceStep: string | null;
  marketType: "spot" | "linear";
}

const rules = new WeakMap<object, Readonly<MarketInfo>>();

export function marketRules(m: NonNullable<Market>): Readonly<MarketInfo> {
  let info = rules.get(m);
  if (info) return info;
  // Binance and Bybit use ccxt's TICK_SIZE mode: precision.amount is the step itself (0.001), not a count of decimals.
  const amountStep = decimal(m.precision?.amount);
  info = Object.freeze({
    amountStep: amountStep !== undefined && dec(amountStep).gt(0) ? amountStep : "0.00000001",
    minAmount: decimal(m.limits?.amount?.min) ?? null,
    minNotional: decimal(m.limits?.cost?.min) ?? null,
    priceStep: decimal(m.precision?.price) ?? null,
    marketType: m.spot ? "spot" : "linear",
  } satisfies MarketInfo);
  rules.set(m, info);
  return info;
}
