// Linear (USDⓈ-M perpetual) margin and positions: leverage per symbol, position
// mode (one-way or hedge), margin mode, initial margin, unrealized PnL, and the
// wallet PnL and fees settle into.
import { type Fixed, ZERO, abs, div, mul } from "./fixed.ts";
import { type Market, marketKey } from "./markets.ts";
import { type Account, type Position, type PositionSide, type SimState, positionKey, priceOf } from "./state.ts";

export const DEFAULT_LEVERAGE = { binance: 20, bybit: 10 } as const;

export function leverageOf(account: Account, market: Market): number {
  return account.leverage.get(market.id) ?? DEFAULT_LEVERAGE[account.exchange];
}

/** Hedge mode: Binance account-wide (dualSidePosition); Bybit per symbol with an account default. */
export function isHedged(account: Account, market: Market): boolean {
  return account.exchange === "bybit" ? (account.hedgeSymbols.get(market.id) ?? account.hedgeMode) : account.hedgeMode;
}

/** Isolated margin: Binance per symbol (marginType); Bybit UTA account-wide (set-margin-mode). */
export function isIsolated(account: Account, market: Market): boolean {
  return account.exchange === "bybit" ? account.unifiedMarginMode === "ISOLATED_MARGIN" : account.isolated.has(market.id);
}

export function positionOf(account: Account, market: Market, side: PositionSide): Position | undefined {
  return account.positions.get(positionKey(market.id, side));
}

export function positionQty(account: Account, market: Market, side: PositionSide): Fixed {
  return positionOf(account, market, side)?.qty ?? ZERO;
}

/** Any open position on the symbol, either side. */
export function hasPosition(account: Account, market: Market): boolean {
  for (const side of ["BOTH", "LONG", "SHORT"] as const) if (positionQty(account, market, side) !== ZERO) return true;
  return false;
}

export function marginFor(notional: Fixed, leverage: number): Fixed {
  return (notional * 100n) / BigInt(Math.round(leverage * 100));
}

/** USDT the linear side can use: Binance futures wallet, Bybit's unified wallet (free part). */
export function marginWallet(account: Account): Fixed {
  return account.exchange === "binance"
    ? (account.futures.get("USDT") ?? ZERO)
    : (account.spot.get("USDT")?.free ?? ZERO);
}

export function addToMarginWallet(account: Account, delta: Fixed): void {
  if (account.exchange === "binance") account.futures.set("USDT", (account.futures.get("USDT") ?? ZERO) + delta);
  else {
    const usdt = account.spot.get("USDT");
    if (usdt === undefined) account.spot.set("USDT", { free: delta, locked: ZERO });
    else usdt.free += delta;
  }
}

export interface MarginSummary {
  wallet: Fixed;
  positionIM: Fixed;
  orderIM: Fixed;
  unrealized: Fixed;
  available: Fixed;
}

export function marginSummary(state: SimState, account: Account): MarginSummary {
  let positionIM = ZERO;
  let unrealized = ZERO;
  for (const pos of account.positions.values()) {
    if (pos.qty === ZERO) continue;
    const market = state.markets.byKey.get(marketKey(account.exchange, "linear", pos.symbol));
    if (market === undefined) continue;
    const mark = priceOf(state, market);
    positionIM += marginFor(mul(abs(pos.qty), mark), leverageOf(account, market));
    unrealized += mul(pos.qty, mark - pos.entryPrice);
  }
  let orderIM = ZERO;
  for (const o of account.openOrders) {
    if (o.market.category === "linear" && !o.reduceOnly) orderIM += marginFor(mul(o.qty, o.price), leverageOf(account, o.market));
  }
  const wallet = marginWallet(account);
  return { wallet, positionIM, orderIM, unrealized, available: wallet + unrealized - positionIM - orderIM };
}

/** Applies a signed fill to the position of one side; returns the realized PnL. */
export function applyToPosition(account: Account, market: Market, side: PositionSide, signedQty: Fixed, price: Fixed): Fixed {
  const now = Date.now();
  const key = positionKey(market.id, side);
  let pos: Position | undefined = account.positions.get(key);
  if (pos === undefined) {
    pos = { symbol: market.id, side, qty: ZERO, entryPrice: ZERO, realizedPnl: ZERO, createdAt: now, updatedAt: now };
    account.positions.set(key, pos);
  }
  let pnl = ZERO;
  const next = pos.qty + signedQty;
  if (pos.qty === ZERO || pos.qty > ZERO === signedQty > ZERO) {
    pos.entryPrice = div(mul(abs(pos.qty), pos.entryPrice) + mul(abs(signedQty), price), abs(next));
    if (pos.qty === ZERO) pos.createdAt = now;
  } else {
    const closed = abs(signedQty) < abs(pos.qty) ? abs(signedQty) : abs(pos.qty);
    pnl = mul(closed, pos.qty > ZERO ? price - pos.entryPrice : pos.entryPrice - price);
    if (next === ZERO) pos.entryPrice = ZERO;
    else if (next > ZERO !== pos.qty > ZERO) pos.entryPrice = price;
  }
  pos.qty = next;
  pos.realizedPnl += pnl;
  pos.updatedAt = now;
  return pnl;
}
