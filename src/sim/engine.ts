// Order matching and wallet bookkeeping, the same for both exchanges; the
// dialects (binance-api.ts, bybit-api.ts) only translate requests, responses and
// EngineError kinds into each exchange's wire format and error codes.
import { randomUUID } from "node:crypto";
import { type Fixed, ZERO, abs, div, floorTo, mul, ppm } from "./fixed.ts";
import { addToMarginWallet, applyToPosition, leverageOf, marginFor, marginSummary } from "./margin.ts";
import { type Market, marketKey } from "./markets.ts";
import { type Account, type ApiKey, type Order, type SimState, type SpotBalance, priceOf } from "./state.ts";

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
  | "leverage";

export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Fee rates in parts per million: spot 0.1% both; linear taker/maker per exchange. */
const FEES = {
  binance: { spot: 1000n, linearTaker: 500n, linearMaker: 200n },
  bybit: { spot: 1000n, linearTaker: 550n, linearMaker: 200n },
} as const;

export interface PlaceRequest {
  market: Market;
  side: "buy" | "sell";
  type: "market" | "limit";
  /** base quantity (null for quote-sized market buys) */
  qty: Fixed | null;
  quoteQty: Fixed | null;
  price: Fixed | null;
  clientOrderId: string;
  reduceOnly: boolean;
  /** GTC, IOC, FOK or PostOnly */
  timeInForce: string;
}

function balance(account: Account, asset: string): SpotBalance {
  let b = account.spot.get(asset);
  if (b === undefined) {
    b = { free: ZERO, locked: ZERO };
    account.spot.set(asset, b);
  }
  return b;
}

function newOrderId(state: SimState, market: Market): string {
  if (market.exchange === "bybit") {
    // Bybit: spot ids are 19-digit numbers, linear ids are uuids
    return market.category === "spot" ? String(1_800_000_000_000_000_000n + BigInt(state.seq)) : randomUUID();
  }
  return String(30_000_000_000 + state.seq);
}

function checkFilters(market: Market, qty: Fixed, price: Fixed | null, refPrice: Fixed, isMarket: boolean, reduceOnly: boolean): void {
  if (qty <= ZERO || qty % market.stepSize !== ZERO) throw new EngineError("qtyStep", "quantity is not a multiple of the step size");
  if (qty < market.minQty) throw new EngineError("qtyMin", "quantity below the minimum");
  if (qty > (isMarket ? market.maxMarketQty : market.maxQty)) throw new EngineError("qtyMax", "quantity above the maximum");
  if (price !== null && (price <= ZERO || price % market.tickSize !== ZERO)) throw new EngineError("priceTick", "price is not a multiple of the tick size");
  if (!reduceOnly && mul(qty, price ?? refPrice) < market.minNotional) throw new EngineError("notional", "notional below the minimum");
}

function checkClientId(account: Account, clientOrderId: string): void {
  const previous = account.clientIds.get(clientOrderId);
  if (previous === undefined) return;
  // Binance (spot and futures): unique among OPEN orders only; Bybit: unique forever
  if (account.exchange === "bybit" || previous.status === "open") {
    throw new EngineError("duplicateClientId", "client order id already used");
  }
}

export function placeOrder(state: SimState, account: Account, key: ApiKey, req: PlaceRequest): Order {
  const { market } = req;
  const now = Date.now();
  const refPrice = priceOf(state, market);
  if (req.clientOrderId !== "") checkClientId(account, req.clientOrderId);

  let qty = req.qty ?? ZERO;
  if (req.quoteQty !== null) {
    qty = floorTo(div(req.quoteQty, refPrice), market.stepSize);
    if (qty < market.minQty) throw new EngineError("qtyMin", "quote amount buys less than the minimum quantity");
    if (req.quoteQty < market.minNotional) throw new EngineError("notional", "notional below the minimum");
  }
  const isMarket = req.type === "market";
  const price = isMarket ? null : req.price;
  const isLinear = market.category === "linear";

  let reduceCap = ZERO;
  if (isLinear && req.reduceOnly) {
    const pos = account.positions.get(market.id);
    const posQty = pos?.qty ?? ZERO;
    const reduces = (req.side === "buy" && posQty < ZERO) || (req.side === "sell" && posQty > ZERO);
    if (!reduces) throw new EngineError("reduceOnly", "reduce-only order would not reduce a position");
    reduceCap = abs(posQty);
  }
  if (req.quoteQty === null) checkFilters(market, qty, price, refPrice, isMarket, isLinear && req.reduceOnly);
  // exchanges shrink an oversized reduce-only order to the position instead of rejecting it
  if (isLinear && req.reduceOnly && qty > reduceCap) qty = reduceCap;

  const crosses = isMarket || (req.side === "buy" ? (price as Fixed) >= refPrice : (price as Fixed) <= refPrice);
  const postOnlyTakes = !isMarket && crosses && req.timeInForce === "PostOnly";
  // Binance spot rejects LIMIT_MAKER outright; Binance futures (GTX) and Bybit accept, then expire it
  if (postOnlyTakes && account.exchange === "binance" && !isLinear) throw new EngineError("postOnly", "post-only order would take liquidity");

  // funds check at the price the order reserves (limit) or fills at (market)
  const fundPrice = price ?? refPrice;
  if (isLinear) {
    const posQty = account.positions.get(market.id)?.qty ?? ZERO;
    const opposite = (req.side === "buy" && posQty < ZERO) || (req.side === "sell" && posQty > ZERO);
    const increase = opposite ? (qty > abs(posQty) ? qty - abs(posQty) : ZERO) : qty;
    const notional = mul(qty, fundPrice);
    const required = marginFor(mul(increase, fundPrice), leverageOf(account, market)) + ppm(notional, FEES[account.exchange].linearTaker);
    if (increase > ZERO && marginSummary(state, account).available < required) throw new EngineError("insufficient", "margin is insufficient");
  } else if (req.side === "buy") {
    const need = req.quoteQty ?? mul(qty, fundPrice);
    if (balance(account, market.quote).free < need) throw new EngineError("insufficient", "insufficient balance");
  } else if (balance(account, market.base).free < qty) {
    throw new EngineError("insufficient", "insufficient balance");
  }

  state.seq++;
  const order: Order = {
    id: newOrderId(state, market),
    seq: state.seq,
    exchange: account.exchange,
    accountId: account.id,
    apiKey: key.apiKey,
    market,
    side: req.side,
    type: req.type,
    qty,
    quoteQty: req.quoteQty,
    price: price ?? ZERO,
    reserved: ZERO,
    status: "open",
    filledQty: ZERO,
    cumQuote: ZERO,
    avgPrice: ZERO,
    fee: ZERO,
    feeAsset: "",
    maker: false,
    tradeId: 0,
    clientOrderId: req.clientOrderId,
    reduceOnly: isLinear && req.reduceOnly,
    timeInForce: req.timeInForce,
    createdAt: now,
    updatedAt: now,
  };
  account.orders.set(order.id, order);
  if (order.clientOrderId !== "") account.clientIds.set(order.clientOrderId, order);
  state.ledger.push(order);

  if (postOnlyTakes || (!crosses && (req.timeInForce === "IOC" || req.timeInForce === "FOK"))) {
    order.status = "expired";
  } else if (crosses) {
    fill(state, account, order, refPrice, false);
  } else {
    rest(state, account, order);
  }
  return order;
}

function rest(state: SimState, account: Account, order: Order): void {
  const { market } = order;
  if (market.category === "spot") {
    if (order.side === "buy") {
      order.reserved = mul(order.qty, order.price);
      const q = balance(account, market.quote);
      q.free -= order.reserved;
      q.locked += order.reserved;
    } else {
      order.reserved = order.qty;
      const b = balance(account, market.base);
      b.free -= order.qty;
      b.locked += order.qty;
    }
  }
  account.openOrders.add(order);
  const key = marketKey(market.exchange, market.category, market.id);
  let set = state.book.get(key);
  if (set === undefined) {
    set = new Set();
    state.book.set(key, set);
  }
  set.add(order);
}

function unrest(state: SimState, account: Account, order: Order): void {
  account.openOrders.delete(order);
  state.book.get(marketKey(order.market.exchange, order.market.category, order.market.id))?.delete(order);
  if (order.reserved === ZERO) return;
  const asset = order.side === "buy" ? order.market.quote : order.market.base;
  const b = balance(account, asset);
  b.locked -= order.reserved;
  b.free += order.reserved;
  order.reserved = ZERO;
}

function fill(state: SimState, account: Account, order: Order, price: Fixed, maker: boolean): void {
  if (order.reserved !== ZERO || account.openOrders.has(order)) unrest(state, account, order);
  const { market } = order;
  let qty = order.qty;
  if (order.reduceOnly) {
    const posQty = account.positions.get(market.id)?.qty ?? ZERO;
    const room = (order.side === "buy" && posQty < ZERO) || (order.side === "sell" && posQty > ZERO) ? abs(posQty) : ZERO;
    if (qty > room) qty = room;
    if (qty === ZERO) {
      // the position closed while this reduce-only order rested: exchanges expire it
      order.status = "expired";
      order.updatedAt = Date.now();
      return;
    }
  }
  const cost = mul(qty, price);
  const fees = FEES[account.exchange];
  if (market.category === "spot") {
    const quote = balance(account, market.quote);
    const base = balance(account, market.base);
    if (order.side === "buy") {
      quote.free -= cost;
      order.fee = ppm(qty, fees.spot);
      order.feeAsset = market.base;
      base.free += qty - order.fee;
    } else {
      base.free -= qty;
      order.fee = ppm(cost, fees.spot);
      order.feeAsset = market.quote;
      quote.free += cost - order.fee;
    }
  } else {
    order.fee = ppm(cost, maker ? fees.linearMaker : fees.linearTaker);
    order.feeAsset = market.quote;
    addToMarginWallet(account, applyToPosition(account, market, order.side === "buy" ? qty : -qty, price) - order.fee);
  }
  order.qty = qty;
  order.filledQty = qty;
  order.cumQuote = cost;
  order.avgPrice = price;
  order.maker = maker;
  order.tradeId = ++state.tradeSeq;
  order.status = "filled";
  order.updatedAt = Date.now();
}

export interface OrderRef {
  orderId?: string | undefined;
  clientOrderId?: string | undefined;
}

export function findOrder(account: Account, market: Market, ref: OrderRef): Order | undefined {
  const order = ref.orderId !== undefined ? account.orders.get(ref.orderId) : ref.clientOrderId !== undefined ? account.clientIds.get(ref.clientOrderId) : undefined;
  return order !== undefined && order.market === market ? order : undefined;
}

export function cancelOrder(state: SimState, account: Account, market: Market, ref: OrderRef): Order {
  const order = findOrder(account, market, ref);
  if (order === undefined || order.status !== "open") throw new EngineError("unknownOrder", "order does not exist or is not open");
  unrest(state, account, order);
  order.status = "canceled";
  order.updatedAt = Date.now();
  return order;
}

export function setLeverage(account: Account, market: Market, leverage: number): void {
  if (!(leverage >= 1 && leverage <= market.maxLeverage)) throw new EngineError("leverage", `leverage must be 1..${market.maxLeverage}`);
  account.leverage.set(market.id, leverage);
}

/** Sets the last price of a pair on one exchange and fills resting orders it crosses. */
export function setPrice(state: SimState, exchange: "binance" | "bybit", pairId: string, price: Fixed): number {
  state.prices.set(exchange + ":" + pairId, price);
  let filled = 0;
  for (const category of ["spot", "linear"] as const) {
    const set = state.book.get(marketKey(exchange, category, pairId));
    if (set === undefined || set.size === 0) continue;
    const crossed = [...set].filter((o) => (o.side === "buy" ? price <= o.price : price >= o.price));
    for (const order of crossed) {
      const account = state.accounts.get(order.accountId);
      if (account === undefined) continue;
      fill(state, account, order, order.price, true);
      filled++;
    }
  }
  return filled;
}
