/**
 * ccxt's values on KeyRelay's side: orders as OrderView, numbers ccxt parsed back as the exchange's
 * decimal text, and decimal strings turned into the numbers ccxt's createOrder takes (refused when a
 * float would change them).
 */
import type { Order as CcxtOrder } from "ccxt";
import type { OrderView } from "~/server/exchanges/exchange-adapter";
import { ExchangeError } from "~/server/exchanges/map-error";
import { decStr } from "~/server/money/decimal";

export function toView(o: CcxtOrder, symbol: string, clientOrderId: string | undefined): OrderView {
  const status = (o.status ?? "unknown") as OrderView["status"];
  const feeCost = decimal(o.fee?.cost);
  return {
    id: String(o.id),
    clientOrderId: o.clientOrderId ?? clientOrderId,
    symbol: o.symbol ?? symbol,
    status,
    amount: decimal(o.amount),
    filled: decimal(o.filled),
    average: decimal(o.average),
    fee: feeCost === undefined ? undefined : { cost: feeCost, currency: String(o.fee?.currency ?? "") },
  };
}

export function num(v: unknown): number | undefined {
  return v === undefined || v === null || Number.isNaN(Number(v)) ? undefined : Number(v);
}

/**
 * A number ccxt parsed from the exchange's own decimal text, back as that text: ccxt's parseNumber is
 * Number(text), and the shortest form of a float is the text it came from for any exchange value
 * (<= 15 significant digits). Undefined for missing and non-finite values.
 */
export function decimal(v: unknown): string | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? decStr(v) : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    try {
      return decStr(v);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function decimals(byCurrency: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [currency, value] of Object.entries((byCurrency ?? {}) as Record<string, unknown>)) {
    const d = decimal(value);
    if (d !== undefined) out[currency] = d;
  }
  return out;
}

/**
 * The number ccxt's createOrder takes for a decimal string. ccxt turns it back into text (numberToString,
 * amountToPrecision); that is the same decimal only when the float's shortest form is it, true of any
 * value of <= 15 significant digits. Anything else is refused: better no order than a different one.
 */
export function ccxtNumber(field: "amount" | "price", value: string): number {
  let canonical: string;
  try {
    canonical = decStr(value);
  } catch {
    throw new ExchangeError("INVALID_ORDER", `The order's ${field} "${value.slice(0, 40)}" is not a decimal number.`);
  }
  const n = Number(canonical);
  if (!(n > 0) || !Number.isFinite(n) || decStr(n) !== canonical) {
    throw new ExchangeError("INVALID_ORDER", `The order's ${field} ${canonical} cannot be sent exactly (it must be greater than 0 with at most 15 significant digits); it was not sent.`);
  }
  return n;
}
