/**
 * What one execution ended as: its result status and what the exchange (or the paper book)
 * said about the order. Amounts are exact decimal strings.
 */
import { ES, type ResultStatus } from "~/server/engine/execution-state";
import type { OrderView } from "~/server/exchanges/exchange-adapter";
import { dec, decStr } from "~/server/money/decimal";
import { cmp, sign } from "~/server/money/exact";

export interface Outcome {
  status: ResultStatus;
  order?: OrderView;
  /** The amount asked for (null: leave the row's as it is). */
  amount?: string | null;
  price?: string | null;
  errorKind?: string;
  message?: string;
  ackAt?: Date;
  sentAt?: Date;
  /** A close of the whole holding: a remainder below this is released as dust. */
  dustBelow?: string | null;
}

/** The result status an order view means, against the amount that was asked for. */
export function fromOrder(o: OrderView, amount: string | null): Outcome {
  const filled = o.filled ?? "0";
  const target = decStr(amount ?? o.amount ?? filled);
  const some = sign(filled) > 0;
  let status: ResultStatus;
  if (o.status === "closed") status = some && cmp(filled, target) < 0 ? ES.PARTIALLY_FILLED : ES.FILLED;
  else if (o.status === "open") status = some ? ES.PARTIALLY_FILLED : ES.SUBMITTED;
  else if (o.status === "canceled" || o.status === "expired" || o.status === "rejected") status = some ? ES.PARTIALLY_FILLED : ES.REJECTED;
  else status = ES.SUBMITTED;
  return { status, order: o, amount: target };
}

/** Paper: filled at once at the signal / market price, with the configured fee in quote; nothing is sent anywhere. */
export function paperOrder(e: { id: string; clientOrderId: string; symbol: string }, amount: string, price: string | null, feePct: string): OrderView {
  const quote = e.symbol.split("/")[1]?.split(":")[0] ?? "";
  const fee = price === null ? undefined : { cost: dec(amount).times(price).times(feePct).div(100).toDecimalPlaces(18).toFixed(), currency: quote };
  return { id: `paper-${e.id}`, clientOrderId: e.clientOrderId, symbol: e.symbol, status: "closed", amount, filled: amount, average: price ?? undefined, fee };
}
