// Bybit position take-profit / stop-loss / trailing stop (POST
// /v5/position/trading-stop, or attached to an entry order): reduce-only
// conditional orders tied to the position, dropped with it.
import { unarm } from "./engine.ts";
import { type PlaceRequest, newOrder } from "./new-order.ts";
import { EngineError } from "./engine-rules.ts";
import { type Fixed, ZERO, formatTrim } from "./fixed.ts";
import { positionQty } from "./margin.ts";
import type { Market } from "./markets.ts";
import { type Account, type ApiKey, type Order, type PositionSide, type SimState, type Trigger, priceOf } from "./state.ts";
import { type TriggerSpec, arm, trail } from "./trigger-rules.ts";

export interface TradingStopRequest {
  market: Market;
  positionSide: PositionSide;
  mode: "Full" | "Partial";
  /** undefined: leave as is; 0: cancel */
  takeProfit?: Fixed | undefined;
  stopLoss?: Fixed | undefined;
  trailingStop?: Fixed | undefined;
  activePrice?: Fixed | undefined;
  tpSize?: Fixed | undefined;
  slSize?: Fixed | undefined;
  tpLimitPrice?: Fixed | undefined;
  slLimitPrice?: Fixed | undefined;
}

/** The position's Full-mode TP/SL/trailing orders (what /v5/position/list reports) and its partial ones. */
export function positionStops(account: Account, market: Market, positionSide: PositionSide): Order[] {
  return [...account.conditionals].filter((o) => o.market === market && o.positionSide === positionSide && o.trigger?.tpsl != null);
}

/**
 * Bybit POST /v5/position/trading-stop: take-profit, stop-loss and trailing stop on a position,
 * kept as reduce-only conditional orders that close the position (Full) or their size (Partial).
 * Full levels replace the previous one; Partial ones add up; 0 cancels.
 */
export function setTradingStop(state: SimState, account: Account, apiKey: string, req: TradingStopRequest): void {
  const { market, positionSide, mode } = req;
  const posQty = positionQty(account, market, positionSide);
  if (posQty === ZERO) throw new EngineError("noPosition", "can not set tp/sl/ts for zero position");
  const long = posQty > ZERO;
  const last = priceOf(state, market);
  const size = long ? posQty : -posQty;
  const key = state.keys.get(apiKey) as ApiKey;
  const existing = positionStops(account, market, positionSide);
  const full = (type: string): Order | undefined => existing.find((o) => o.trigger?.tpsl === "Full" && o.trigger.type === type);
  const dropAll = (types: string[]): void => {
    for (const o of existing) if (types.includes((o.trigger as Trigger).type)) cancelStop(state, account, o);
  };

  const levels: [string, Fixed | undefined, Fixed | undefined, Fixed | undefined][] = [
    ["TakeProfit", req.takeProfit, req.tpSize, req.tpLimitPrice],
    ["StopLoss", req.stopLoss, req.slSize, req.slLimitPrice],
  ];
  for (const [kind, level, partSize, limitPrice] of levels) {
    if (level === undefined) continue;
    if (level === ZERO) {
      dropAll(mode === "Full" ? [kind] : [kind, "Partial" + kind]);
      continue;
    }
    const takeProfit = kind === "TakeProfit";
    // a TP above the price for a long, a SL below it (the reverse for a short)
    const ok = takeProfit === long ? level > last : level < last;
    if (!ok) {
      const side = long ? "Buy" : "Sell";
      const rel = takeProfit === long ? "higher" : "lower";
      throw new EngineError("tpslPrice", `${kind}:${formatTrim(level)} set for ${side} position should be ${rel} than base_price:${formatTrim(last)}??LastPrice`);
    }
    if (level % market.tickSize !== ZERO) throw new EngineError("priceTick", `${kind} price is not a multiple of the tick size`);
    let qty = ZERO;
    if (mode === "Partial") {
      if (partSize === undefined || partSize <= ZERO || partSize % market.stepSize !== ZERO) throw new EngineError("tpslSize", "tpSize/slSize is required in Partial mode and must be a multiple of qtyStep");
      if (partSize > size) throw new EngineError("tpslSize", "Insufficient number of remaining position size to set take profit and stop loss");
      qty = partSize;
    }
    const spec: TriggerSpec = {
      type: mode === "Full" ? kind : "Partial" + kind,
      direction: takeProfit === long ? "rise" : "fall",
      price: level,
      callbackPpm: null,
      distance: null,
      activation: null,
      closePosition: mode === "Full",
      tpsl: mode,
      workingType: "LastPrice",
    };
    const current = mode === "Full" ? full(kind) : undefined;
    if (current !== undefined) {
      (current.trigger as Trigger).price = level;
      current.updatedAt = Date.now();
      continue;
    }
    addStop(state, account, key, market, positionSide, long, qty, limitPrice, spec);
  }

  if (req.trailingStop !== undefined) {
    dropAll(["TrailingStop"]);
    if (req.trailingStop > ZERO) {
      const spec: TriggerSpec = {
        type: "TrailingStop",
        direction: long ? "fall" : "rise",
        price: ZERO,
        callbackPpm: null,
        distance: req.trailingStop,
        activation: req.activePrice !== undefined && req.activePrice > ZERO ? req.activePrice : null,
        closePosition: true,
        tpsl: "Full",
        workingType: "LastPrice",
      };
      addStop(state, account, key, market, positionSide, long, ZERO, undefined, spec);
    }
  }
}

function addStop(state: SimState, account: Account, key: ApiKey, market: Market, positionSide: PositionSide, long: boolean, qty: Fixed, limitPrice: Fixed | undefined, spec: TriggerSpec): void {
  const req: PlaceRequest = {
    market,
    side: long ? "sell" : "buy",
    type: limitPrice === undefined ? "market" : "limit",
    qty,
    quoteQty: null,
    price: limitPrice ?? null,
    clientOrderId: "",
    reduceOnly: true,
    timeInForce: limitPrice === undefined ? "IOC" : "GTC",
    positionSide,
  };
  const trigger: Trigger = { ...spec, active: false, extreme: ZERO };
  if (spec.distance !== null) trail(trigger, req.side, priceOf(state, market), market.tickSize);
  const order = newOrder(state, account, { req, apiKey: key.apiKey, qty, status: "untriggered", trigger });
  state.ledger.push(order);
  arm(state, account, order);
}

function cancelStop(state: SimState, account: Account, order: Order): void {
  unarm(state, account, order);
  order.status = "canceled";
  order.cancelType = "CancelByUser";
  order.updatedAt = Date.now();
}

/** After an order filled: Bybit TP/SL attached to an entry become the position's. */
export function settle(state: SimState, account: Account, order: Order): void {
  const attached = order.attachedTpsl;
  if (attached === null || order.status !== "filled") return;
  order.attachedTpsl = null;
  try {
    setTradingStop(state, account, order.apiKey, {
      market: order.market,
      positionSide: order.positionSide,
      mode: attached.mode,
      takeProfit: attached.takeProfit === ZERO ? undefined : attached.takeProfit,
      stopLoss: attached.stopLoss === ZERO ? undefined : attached.stopLoss,
      tpSize: attached.mode === "Partial" ? order.filledQty : undefined,
      slSize: attached.mode === "Partial" ? order.filledQty : undefined,
    });
  } catch (e) {
    // a level the fill price already passed is dropped, as Bybit does
    if (!(e instanceof EngineError)) throw e;
  }
}

