// The engine's rules, shared by plain and conditional orders: errors, fees,
// filters, client-id uniqueness, margin / balance checks, and what "reduces a
// position" means in one-way and hedge mode.
import { type Fixed, ZERO, abs, mul, ppm } from "./fixed.ts";
import { leverageOf, marginFor, marginSummary, positionQty } from "./margin.ts";
import type { Market } from "./markets.ts";
import type { Account, Order, PositionSide, SimState, SpotBalance } from "./state.ts";

export type EngineErrorKind =
  | "qtyStep"
  | "qtyMin"
  | "qtyMax"
  | "priceTick"
  | "notional"
  | "insufficient"
  | "duplicateClientId"
  | "reduceOnly"
  | "postOnly"
  | "unknownOrder"
  | "leverage"
  | "immediateTrigger"
  | "noPosition"
  | "tpslPrice"
  | "tpslSize";

export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Fee rates in parts per million: spot 0.1% both; linear taker/maker per exchange. */
export const FEES = {
  binance: { spot: 1000n, linearTaker: 500n, linearMaker: 200n },
  bybit: { spot: 1000n, linearTaker: 550n, linearMaker: 200n },
} as const;

export function balance(account: Account, asset: string): SpotBalance {
  let b = account.spot.get(asset);
  if (b === undefined) {
    b = { free: ZERO, locked: ZERO };
    account.spot.set(asset, b);
  }
  return b;
}

/** A hedge-mode order on the opposite side of its position (SELL LONG, BUY SHORT) closes it. */
export function closes(positionSide: PositionSide, side: "buy" | "sell"): boolean {
  return (positionSide === "LONG" && side === "sell") || (positionSide === "SHORT" && side === "buy");
}

/** Can only shrink a position: sent reduce-only, or a hedge-mode closing order. */
export function reduces(o: Pick<Order, "market" | "reduceOnly" | "positionSide" | "side">): boolean {
  return o.market.category === "linear" && (o.reduceOnly || closes(o.positionSide, o.side));
}

/** How much of the position an order on this side can close (0: none, wrong direction). */
export function reducibleQty(account: Account, market: Market, positionSide: PositionSide, side: "buy" | "sell"): Fixed {
  const posQty = positionQty(account, market, positionSide);
  return (side === "buy" && posQty < ZERO) || (side === "sell" && posQty > ZERO) ? abs(posQty) : ZERO;
}

export function checkFilters(market: Market, qty: Fixed, price: Fixed | null, refPrice: Fixed, isMarket: boolean, reduceOnly: boolean): void {
  if (qty <= ZERO || qty % market.stepSize !== ZERO) throw new EngineError("qtyStep", "quantity is not a multiple of the step size");
  if (qty < market.minQty) throw new EngineError("qtyMin", "quantity below the minimum");
  if (qty > (isMarket ? market.maxMarketQty : market.maxQty)) throw new EngineError("qtyMax", "quantity above the maximum");
  if (price !== null && (price <= ZERO || price % market.tickSize !== ZERO)) throw new EngineError("priceTick", "price is not a multiple of the tick size");
  if (!reduceOnly && mul(qty, price ?? refPrice) < market.minNotional) throw new EngineError("notional", "notional below the minimum");
}

/** Binance (spot and futures): unique among OPEN orders only; Bybit: unique forever. */
export function checkClientId(ids: Map<string, Order>, exchange: Account["exchange"], clientOrderId: string): void {
  const previous = ids.get(clientOrderId);
  if (previous === undefined) return;
  if (exchange === "bybit" || previous.status === "open" || previous.status === "untriggered") {
    throw new EngineError("duplicateClientId", "client order id already used");
  }
}

/** Margin (linear) or balance (spot) check for an order about to rest or fill at `fundPrice`. */
export function checkFunds(state: SimState, account: Account, market: Market, side: "buy" | "sell", positionSide: PositionSide, qty: Fixed, quoteQty: Fixed | null, fundPrice: Fixed): void {
  if (market.category === "linear") {
    const posQty = positionQty(account, market, positionSide);
    const opposite = (side === "buy" && posQty < ZERO) || (side === "sell" && posQty > ZERO);
    const increase = opposite ? (qty > abs(posQty) ? qty - abs(posQty) : ZERO) : qty;
    const notional = mul(qty, fundPrice);
    const required = marginFor(mul(increase, fundPrice), leverageOf(account, market)) + ppm(notional, FEES[account.exchange].linearTaker);
    if (increase > ZERO && marginSummary(state, account).available < required) throw new EngineError("insufficient", "margin is insufficient");
  } else if (side === "buy") {
    const need = quoteQty ?? mul(qty, fundPrice);
    if (balance(account, market.quote).free < need) throw new EngineError("insufficient", "insufficient balance");
  } else if (balance(account, market.base).free < qty) {
    throw new EngineError("insufficient", "insufficient balance");
  }
}

