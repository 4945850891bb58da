// Linear (USDⓈ-M perpetual) margin and one-way positions: leverage per symbol,
// initial margin, unrealized PnL, and the wallet PnL and fees settle into.
import { type Fixed, ZERO, abs, div, mul } from "./fixed.ts";
import { type Market, marketKey } from "./markets.ts";
import { type Account, type Position, type SimState, priceOf } from "./state.ts";

export const DEFAULT_LEVERAGE = { binance: 20, bybit: 10 } as const;

export function leverageOf(account: Account, market: Market): number {
  return account.leverage.get(market.id) ?? DEFAULT_LEVERAGE[account.exchange];
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
  for (const [id, pos] of account.positions) {
    if (pos.qty === ZERO) continue;
    const market = state.markets.byKey.get(marketKey(account.exchange, "linear", id));
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

/** Applies a signed fill to the one-way position; returns the realized PnL. */
export function applyToPosition(account: Account, market: Market, signedQty: Fixed, price: Fixed): Fixed {
  const now = Date.now();
  let pos: Position | undefined = account.positions.get(market.id);
  if (pos === undefined) {
    pos = { qty: ZERO, entryPrice: ZERO, realizedPnl: ZERO, createdAt: now, updatedAt: now };
    account.positions.set(market.id, pos);
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
