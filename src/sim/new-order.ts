// What an order request is, and how an order is built and registered with its account (not yet
// placed: engine.ts matches and books it; triggers.ts arms conditionals).
import { randomUUID } from "node:crypto";
import { type Fixed, ZERO } from "./fixed.ts";
import type { Market } from "./markets.ts";
import type { Account, Order, PositionSide, SimState, Trigger } from "./state.ts";

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
  /** default BOTH (one-way mode); the dialects check it against the account's mode */
  positionSide?: PositionSide;
}

/** Order ids: Binance decimal numbers (algo orders their own range, below 2^53), Bybit spot 19 digits, linear uuids. */
export function newOrderId(state: SimState, market: Market, algo = false): string {
  if (market.exchange === "bybit") {
    return market.category === "spot" ? String(1_800_000_000_000_000_000n + BigInt(state.seq)) : randomUUID();
  }
  return String((algo ? 1_000_000_000_000_000 : 30_000_000_000) + state.seq);
}

export interface NewOrderFields {
  req: PlaceRequest;
  apiKey: string;
  qty: Fixed;
  status: Order["status"];
  trigger: Trigger | null;
  algo?: boolean;
}

/** Builds an order and registers it with the account (not the ledger). */
export function newOrder(state: SimState, account: Account, f: NewOrderFields): Order {
  const now = Date.now();
  state.seq++;
  const { req } = f;
  const order: Order = {
    id: newOrderId(state, req.market, f.algo === true),
    seq: state.seq,
    exchange: account.exchange,
    accountId: account.id,
    apiKey: f.apiKey,
    market: req.market,
    side: req.side,
    type: req.type,
    qty: f.qty,
    quoteQty: req.quoteQty,
    price: req.type === "market" ? ZERO : (req.price ?? ZERO),
    reserved: ZERO,
    status: f.status,
    filledQty: ZERO,
    cumQuote: ZERO,
    avgPrice: ZERO,
    fee: ZERO,
    feeAsset: "",
    realizedPnl: ZERO,
    maker: false,
    tradeId: 0,
    clientOrderId: req.clientOrderId,
    reduceOnly: req.market.category === "linear" && req.reduceOnly,
    timeInForce: req.timeInForce,
    positionSide: req.positionSide ?? "BOTH",
    trigger: f.trigger,
    triggeredAt: 0,
    child: null,
    parent: null,
    cancelType: "",
    attachedTpsl: null,
    createdAt: now,
    updatedAt: now,
  };
  if (f.algo === true) {
    account.algoOrders.set(order.id, order);
    if (order.clientOrderId !== "") account.algoClientIds.set(order.clientOrderId, order);
  } else {
    account.orders.set(order.id, order);
    if (order.clientOrderId !== "") account.clientIds.set(order.clientOrderId, order);
  }
  return order;
}

