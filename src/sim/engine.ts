// Order matching and wallet bookkeeping, the same for both exchanges; the
// dialects (binance-api.ts, bybit-api.ts) only translate requests, responses and
// EngineError kinds into each exchange's wire format and error codes.
// Conditional orders and price moves: triggers.ts.
import { EngineError, FEES, balance, checkClientId, checkFilters, checkFunds, reducibleQty, reduces } from "./engine-rules.ts";
import { type Fixed, ZERO, div, floorTo, mul, ppm } from "./fixed.ts";
import { addToMarginWallet, applyToPosition, positionQty } from "./margin.ts";
import { type Market, marketKey } from "./markets.ts";
import { type PlaceRequest, newOrder } from "./new-order.ts";
import { type Account, type ApiKey, type Order, type PositionSide, type SimState, type Trigger, priceOf } from "./state.ts";

/**
 * Places a plain order. `parent` marks the order a Binance algo order placed when it fired: it
 * shares the algo's client id, and the ledger shows it through its parent.
 */
export function placeOrder(state: SimState, account: Account, key: ApiKey, req: PlaceRequest, parent: Order | null = null): Order {
  const { market } = req;
  const refPrice = priceOf(state, market);
  const positionSide = req.positionSide ?? "BOTH";
  if (req.clientOrderId !== "" && parent === null) checkClientId(account.clientIds, account.exchange, req.clientOrderId);

  let qty = req.qty ?? ZERO;
  if (req.quoteQty !== null) {
    qty = floorTo(div(req.quoteQty, refPrice), market.stepSize);
    if (qty < market.minQty) throw new EngineError("qtyMin", "quote amount buys less than the minimum quantity");
    if (req.quoteQty < market.minNotional) throw new EngineError("notional", "notional below the minimum");
  }
  const isMarket = req.type === "market";
  const price = isMarket ? null : req.price;
  const isLinear = market.category === "linear";
  const reduce = reduces({ market, reduceOnly: req.reduceOnly, positionSide, side: req.side });

  let reduceCap = ZERO;
  if (reduce) {
    reduceCap = reducibleQty(account, market, positionSide, req.side);
    if (reduceCap === ZERO) throw new EngineError("reduceOnly", "reduce-only order would not reduce a position");
  }
  if (req.quoteQty === null) checkFilters(market, qty, price, refPrice, isMarket, reduce);
  // exchanges shrink an oversized reduce-only order to the position instead of rejecting it
  if (reduce && qty > reduceCap) qty = reduceCap;

  const crosses = isMarket || (req.side === "buy" ? (price as Fixed) >= refPrice : (price as Fixed) <= refPrice);
  const postOnlyTakes = !isMarket && crosses && req.timeInForce === "PostOnly";
  // Binance spot rejects LIMIT_MAKER outright; Binance futures (GTX) and Bybit accept, then expire it
  if (postOnlyTakes && account.exchange === "binance" && !isLinear) throw new EngineError("postOnly", "post-only order would take liquidity");

  // funds check at the price the order reserves (limit) or fills at (market)
  checkFunds(state, account, market, req.side, positionSide, qty, req.quoteQty, price ?? refPrice);

  const order = newOrder(state, account, { req: { ...req, positionSide }, apiKey: key.apiKey, qty, status: "open", trigger: null });
  if (parent === null) state.ledger.push(order);
  else {
    order.parent = parent;
    parent.child = order;
  }

  if (postOnlyTakes || (!crosses && (req.timeInForce === "IOC" || req.timeInForce === "FOK"))) {
    order.status = "expired";
  } else if (crosses) {
    fill(state, account, order, refPrice, false);
  } else {
    rest(state, account, order);
  }
  return order;
}

/** Runs an order that is already booked (a conditional that fired in place): margin check, then fill or rest. */
export function execute(state: SimState, account: Account, order: Order): void {
  const refPrice = priceOf(state, order.market);
  const isMarket = order.type === "market";
  const crosses = isMarket || (order.side === "buy" ? order.price >= refPrice : order.price <= refPrice);
  order.status = "open";
  if (!reduces(order)) {
    try {
      checkFunds(state, account, order.market, order.side, order.positionSide, order.qty, order.quoteQty, isMarket ? refPrice : order.price);
    } catch {
      order.status = "canceled";
      order.cancelType = "CancelByCannotAffordOrderCost";
      return;
    }
  }
  if (crosses) fill(state, account, order, refPrice, false);
  else rest(state, account, order);
}

export function rest(state: SimState, account: Account, order: Order): void {
  const { market } = order;
  if (market.category === "spot") reserve(account, order, order.price);
  account.openOrders.add(order);
  const key = marketKey(market.exchange, market.category, market.id);
  let set = state.book.get(key);
  if (set === undefined) {
    set = new Set();
    state.book.set(key, set);
  }
  set.add(order);
}

/** Spot: locks the quote a buy needs at `price`, or the base a sell sells. */
export function reserve(account: Account, order: Order, price: Fixed): void {
  if (order.market.category !== "spot") return;
  if (order.side === "buy") {
    order.reserved = mul(order.qty, price);
    const q = balance(account, order.market.quote);
    q.free -= order.reserved;
    q.locked += order.reserved;
  } else {
    order.reserved = order.qty;
    const b = balance(account, order.market.base);
    b.free -= order.qty;
    b.locked += order.qty;
  }
}

export function unreserve(account: Account, order: Order): void {
  if (order.reserved === ZERO) return;
  const asset = order.side === "buy" ? order.market.quote : order.market.base;
  const b = balance(account, asset);
  b.locked -= order.reserved;
  b.free += order.reserved;
  order.reserved = ZERO;
}

/** An open order whose price or size changed: out of the book, then fill (taker) if it now crosses, else back in. */
export function rebook(state: SimState, account: Account, order: Order): void {
  unrest(state, account, order);
  const refPrice = priceOf(state, order.market);
  const crosses = order.side === "buy" ? order.price >= refPrice : order.price <= refPrice;
  if (crosses) fill(state, account, order, refPrice, false);
  else rest(state, account, order);
}

function unrest(state: SimState, account: Account, order: Order): void {
  account.openOrders.delete(order);
  state.book.get(marketKey(order.market.exchange, order.market.category, order.market.id))?.delete(order);
  unreserve(account, order);
}

/** Takes an untriggered conditional order out of the trigger set (cancel, fire, expiry). */
export function unarm(state: SimState, account: Account, order: Order): void {
  account.conditionals.delete(order);
  state.triggers.get(order.exchange + ":" + order.market.id)?.delete(order);
  unreserve(account, order);
}

export function fill(state: SimState, account: Account, order: Order, price: Fixed, maker: boolean): void {
  if (order.reserved !== ZERO || account.openOrders.has(order)) unrest(state, account, order);
  const { market } = order;
  let qty = order.qty;
  if (reduces(order)) {
    const room = reducibleQty(account, market, order.positionSide, order.side);
    if (qty > room) qty = room;
    if (qty === ZERO) {
      // the position closed while this reduce-only order waited: exchanges expire it
      order.status = "expired";
      order.cancelType = "CancelByReduceOnly";
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
    order.realizedPnl = applyToPosition(account, market, order.positionSide, order.side === "buy" ? qty : -qty, price);
    addToMarginWallet(account, order.realizedPnl - order.fee);
  }
  order.qty = qty;
  order.filledQty = qty;
  order.cumQuote = cost;
  order.avgPrice = price;
  order.maker = maker;
  order.tradeId = ++state.tradeSeq;
  order.status = "filled";
  order.updatedAt = Date.now();
  if (market.category === "linear" && positionQty(account, market, order.positionSide) === ZERO) dropOnFlat(state, account, market, order.positionSide);
}

/**
 * What the exchanges do with orders tied to a position that just went flat. Binance expires
 * closePosition conditionals (GTE_GTC) only; reduce-only ones stay and expire if they fire with
 * nothing to close. Bybit cancels the position's TP/SL/trailing stop (CancelByTpSlTsClear) and
 * every reduce-only order on that side (CancelByReduceOnly).
 */
function dropOnFlat(state: SimState, account: Account, market: Market, side: PositionSide): void {
  const now = Date.now();
  for (const o of [...account.conditionals]) {
    if (o.market !== market || o.positionSide !== side || o.status !== "untriggered") continue;
    const t = o.trigger as Trigger;
    if (account.exchange === "binance" ? !t.closePosition : !(t.tpsl !== null || reduces(o))) continue;
    unarm(state, account, o);
    o.status = account.exchange === "binance" ? "expired" : "canceled";
    o.cancelType = t.tpsl !== null ? "CancelByTpSlTsClear" : "CancelByReduceOnly";
    o.updatedAt = now;
  }
  if (account.exchange !== "bybit") return;
  for (const o of [...account.openOrders]) {
    if (o.market !== market || o.positionSide !== side || !reduces(o)) continue;
    unrest(state, account, o);
    o.status = "canceled";
    o.cancelType = "CancelByReduceOnly";
    o.updatedAt = now;
  }
}

export interface OrderRef {
  orderId?: string | undefined;
  clientOrderId?: string | undefined;
}

export function findOrder(account: Account, market: Market, ref: OrderRef, algo = false): Order | undefined {
  const byId = algo ? account.algoOrders : account.orders;
  const byClientId = algo ? account.algoClientIds : account.clientIds;
  const order = ref.orderId !== undefined ? byId.get(ref.orderId) : ref.clientOrderId !== undefined ? byClientId.get(ref.clientOrderId) : undefined;
  return order !== undefined && order.market === market ? order : undefined;
}

/** Cancels an open or untriggered order (untriggered conditionals: Bybit shows them Deactivated). */
export function cancelOrder(state: SimState, account: Account, market: Market, ref: OrderRef, algo = false): Order {
  const order = findOrder(account, market, ref, algo);
  if (order === undefined || (order.status !== "open" && order.status !== "untriggered")) throw new EngineError("unknownOrder", "order does not exist or is not open");
  cancel(state, account, order);
  return order;
}

export function cancel(state: SimState, account: Account, order: Order, cancelType = "CancelByUser"): void {
  if (order.status === "untriggered") unarm(state, account, order);
  else unrest(state, account, order);
  order.status = "canceled";
  order.cancelType = cancelType;
  order.updatedAt = Date.now();
}

export function setLeverage(account: Account, market: Market, leverage: number): void {
  if (!(leverage >= 1 && leverage <= market.maxLeverage)) throw new EngineError("leverage", `leverage must be 1..${market.maxLeverage}`);
  account.leverage.set(market.id, leverage);
}
