// Conditional orders and price moves: stop / take-profit / trailing orders wait
// in state.triggers until POST /__sim/prices moves the pair's price across their
// trigger, then execute as market (or limit) orders at that price. Binance
// USDⓈ-M algo orders fire by placing a separate order (their `child`); Bybit
// conditionals and Binance spot stops execute as themselves.
import { execute, fill, placeOrder, rebook, reserve, unarm } from "./engine.ts";
import { type PlaceRequest, newOrder } from "./new-order.ts";
import { EngineError, checkClientId, checkFilters, reducibleQty, reduces } from "./engine-rules.ts";
import { type Fixed, ZERO, mul } from "./fixed.ts";
import { marketKey } from "./markets.ts";
import { type Account, type ApiKey, type Order, type SimState, type Trigger, priceOf } from "./state.ts";
import { settle } from "./trading-stop.ts";
import { type TriggerSpec, arm, fires, isTrailing, trail } from "./trigger-rules.ts";

export interface ConditionalRequest extends PlaceRequest {
  trigger: TriggerSpec;
  /** Binance USDⓈ-M algo order: its own id space, fires by placing a child order */
  algo: boolean;
}

/**
 * Books a conditional order. Checks what the exchange checks on placement: ticks, lot filters
 * (no minimum notional for reduce-only), the client id, a trigger already met (immediateTrigger);
 * spot stops lock their funds like resting orders. Reduce-only is checked when it fires.
 */
export function placeConditional(state: SimState, account: Account, key: ApiKey, req: ConditionalRequest): Order {
  const { market } = req;
  const refPrice = priceOf(state, market);
  const positionSide = req.positionSide ?? "BOTH";
  if (req.clientOrderId !== "") checkClientId(req.algo ? account.algoClientIds : account.clientIds, account.exchange, req.clientOrderId);
  const spec = req.trigger;
  if ((spec.price !== ZERO && spec.price % market.tickSize !== ZERO) || (spec.activation !== null && spec.activation % market.tickSize !== ZERO)) {
    throw new EngineError("priceTick", "trigger price is not a multiple of the tick size");
  }
  const limit = req.type === "limit" ? req.price : null;
  const reduce = spec.closePosition || reduces({ market, reduceOnly: req.reduceOnly, positionSide, side: req.side });
  const qty = req.qty ?? ZERO;
  if (!spec.closePosition) checkFilters(market, qty, limit, spec.price === ZERO ? refPrice : spec.price, req.type === "market", reduce);
  else if (limit !== null && limit % market.tickSize !== ZERO) throw new EngineError("priceTick", "price is not a multiple of the tick size");

  const trigger: Trigger = { ...spec, active: false, extreme: ZERO };
  if (isTrailing(trigger)) trail(trigger, req.side, refPrice, market.tickSize);
  else if (fires(trigger, refPrice)) throw new EngineError("immediateTrigger", "order would immediately trigger");
  if (market.category === "spot") {
    const need = req.side === "buy" ? mul(qty, limit ?? spec.price) : qty;
    const have = account.spot.get(req.side === "buy" ? market.quote : market.base)?.free ?? ZERO;
    if (have < need) throw new EngineError("insufficient", "insufficient balance");
  }

  const order = newOrder(state, account, { req: { ...req, positionSide }, apiKey: key.apiKey, qty, status: "untriggered", trigger, algo: req.algo });
  state.ledger.push(order);
  if (market.category === "spot") reserve(account, order, limit ?? spec.price);
  arm(state, account, order);
  return order;
}

/** A conditional order fires at `price`: Binance algo orders place their child, others execute in place. */
function fire(state: SimState, account: Account, order: Order): void {
  unarm(state, account, order);
  const now = Date.now();
  order.triggeredAt = now;
  order.updatedAt = now;
  const t = order.trigger as Trigger;
  const { market } = order;
  if (t.closePosition) {
    const qty = reducibleQty(account, market, order.positionSide, order.side);
    if (qty === ZERO) {
      order.status = "expired";
      order.cancelType = "CancelByReduceOnly";
      return;
    }
    order.qty = qty;
  }
  if (order.exchange === "binance" && market.category === "linear") {
    order.status = "triggered";
    const key = state.keys.get(order.apiKey);
    const req: PlaceRequest = {
      market,
      side: order.side,
      type: order.type,
      qty: order.qty,
      quoteQty: null,
      price: order.type === "limit" ? order.price : null,
      clientOrderId: order.clientOrderId,
      reduceOnly: order.reduceOnly || t.closePosition,
      timeInForce: order.timeInForce,
      positionSide: order.positionSide,
    };
    try {
      if (key === undefined) throw new EngineError("unknownOrder", "the key that placed it is gone");
      placeOrder(state, account, key, req, order);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      // reduce-only with nothing to reduce: expired; margin check failed: rejected (Binance algo statuses)
      order.status = "expired";
      order.cancelType = e.kind === "insufficient" ? "REJECTED" : "CancelByReduceOnly";
    }
    return;
  }
  execute(state, account, order);
  settle(state, account, order);
}

/** Sets a pair's last price on one exchange; fills the resting orders it crosses, then fires the conditionals it reaches. */
export function setPrice(state: SimState, exchange: "binance" | "bybit", pairId: string, price: Fixed): { filled: number; triggered: number } {
  state.prices.set(exchange + ":" + pairId, price);
  let filled = 0;
  for (const category of ["spot", "linear"] as const) {
    const set = state.book.get(marketKey(exchange, category, pairId));
    if (set === undefined || set.size === 0) continue;
    const crossed = [...set].filter((o) => (o.side === "buy" ? price <= o.price : price >= o.price));
    for (const order of crossed) {
      const account = state.accounts.get(order.accountId);
      if (account === undefined || order.status !== "open") continue;
      fill(state, account, order, order.price, true);
      settle(state, account, order);
      filled++;
    }
  }
  let triggered = 0;
  const armed = state.triggers.get(exchange + ":" + pairId);
  if (armed !== undefined && armed.size > 0) {
    for (const order of [...armed].sort((a, b) => a.seq - b.seq)) {
      // an earlier one in this pass may have closed the position and dropped it
      if (order.status !== "untriggered") continue;
      const t = order.trigger as Trigger;
      if (isTrailing(t)) trail(t, order.side, price, order.market.tickSize);
      const account = state.accounts.get(order.accountId);
      if (account === undefined || !fires(t, price)) continue;
      fire(state, account, order);
      triggered++;
    }
  }
  return { filled, triggered };
}

export type AmendResult = "ok" | "unchanged";

/** Bybit POST /v5/order/amend on an open limit order or an untriggered conditional. */
export function amendOrder(state: SimState, account: Account, order: Order, change: { qty?: Fixed | undefined; price?: Fixed | undefined; triggerPrice?: Fixed | undefined }): AmendResult {
  const { market } = order;
  const t = order.trigger;
  let changed = false;
  if (change.qty !== undefined && change.qty !== order.qty) {
    if (t?.closePosition === true) throw new EngineError("tpslSize", "cannot amend the quantity of a Full TP/SL");
    checkFilters(market, change.qty, null, priceOf(state, market), order.type === "market", reduces(order));
    order.qty = change.qty;
    changed = true;
  }
  if (change.price !== undefined && order.type === "limit" && change.price !== order.price) {
    if (change.price % market.tickSize !== ZERO) throw new EngineError("priceTick", "price is not a multiple of the tick size");
    order.price = change.price;
    changed = true;
  }
  if (change.triggerPrice !== undefined && t !== null && order.status === "untriggered" && change.triggerPrice !== t.price) {
    if (change.triggerPrice % market.tickSize !== ZERO) throw new EngineError("priceTick", "trigger price is not a multiple of the tick size");
    const moved: Trigger = { ...t, price: change.triggerPrice };
    if (!isTrailing(moved) && fires(moved, priceOf(state, market))) throw new EngineError("immediateTrigger", "order would immediately trigger");
    t.price = change.triggerPrice;
    changed = true;
  }
  if (!changed) return "unchanged";
  order.updatedAt = Date.now();
  // a resting order re-enters the book at its new price (and fills if that crosses)
  if (order.status === "open") {
    rebook(state, account, order);
    settle(state, account, order);
  }
  return "ok";
}
