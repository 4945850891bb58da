// Binance USDⓈ-M beyond plain orders: conditional orders through the Algo
// Service (/fapi/v1/algoOrder, mandatory since 2025-12-09: STOP_MARKET,
// TAKE_PROFIT_MARKET, STOP, TAKE_PROFIT, TRAILING_STOP_MARKET), order edits,
// leverage, margin type, position mode and the position views.
import * as fmt from "./binance-futures-format.ts";
import { type Ctx, FUTURES_CLIENT_ID, type Route, decimalParam, engineError, err, invalid, isResponse, market, missing, notRequired, positionSideParam } from "./binance-params.ts";
import { cancel, findOrder, setLeverage } from "./engine.ts";
import { ZERO } from "./fixed.ts";
import { changeMarginType, changePositionMode } from "./settings.ts";
import { type Order, randomAlnum } from "./state.ts";
import type { TriggerSpec } from "./trigger-rules.ts";
import { amendOrder, placeConditional } from "./triggers.ts";
import { type SimResponse, json } from "./wire.ts";

/** [fires on a rise for a BUY, market execution] per algo order type */
const ALGO_TYPES: Record<string, [boolean, boolean]> = {
  STOP_MARKET: [true, true],
  STOP: [true, false],
  TAKE_PROFIT_MARKET: [false, true],
  TAKE_PROFIT: [false, false],
  TRAILING_STOP_MARKET: [true, true],
};
const OK = { code: 200, msg: "success" };
const CANCEL_ALL_DONE = { code: 200, msg: "The operation of cancel all open order is done." };

function createAlgo(ctx: Ctx): SimResponse {
  const p = ctx.params;
  const algoType = p.get("algoType");
  if (algoType === null) return missing("algoType");
  if (algoType !== "CONDITIONAL") return invalid("algoType");
  const m = market(ctx, true);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const side = p.get("side");
  if (side === null) return missing("side");
  if (side !== "BUY" && side !== "SELL") return err(400, -1117, "Invalid side.");
  const type = p.get("type") ?? "";
  const kind = ALGO_TYPES[type];
  if (kind === undefined) return err(400, -1116, "Invalid orderType.");
  const positionSide = positionSideParam(ctx, m);
  if (isResponse(positionSide)) return positionSide;
  const closePosition = p.get("closePosition") === "true";
  const trailing = type === "TRAILING_STOP_MARKET";
  if (closePosition && (trailing || !kind[1])) return err(400, -4136, `Target strategy invalid for orderType ${type},closePosition true`);
  if (closePosition && p.has("reduceOnly")) return notRequired("reduceOnly");
  const qty = decimalParam(ctx, "quantity");
  if (isResponse(qty)) return qty;
  if (closePosition && qty !== null && qty !== ZERO) return err(400, -4137, "Quantity must be zero with closePosition equals true");
  if (!closePosition && qty === null) return missing("quantity");
  const price = kind[1] ? null : decimalParam(ctx, "price");
  if (isResponse(price)) return price;
  if (!kind[1] && price === null) return missing("price");
  const triggerPrice = trailing ? null : decimalParam(ctx, "triggerPrice");
  if (isResponse(triggerPrice)) return triggerPrice;
  if (!trailing && triggerPrice === null) return missing("triggerPrice");
  // the documented parameter is activatePrice; ccxt 4.5.84 sends activationPrice, which Binance does not read
  const activation = trailing ? decimalParam(ctx, "activatePrice") : null;
  if (isResponse(activation)) return activation;
  let callbackPpm: bigint | null = null;
  if (trailing) {
    const rate = decimalParam(ctx, "callbackRate");
    if (isResponse(rate)) return rate;
    if (rate === null) return missing("callbackRate");
    // 0.1% .. 10% in steps of 0.1
    if (rate < 10_000_000n || rate > 1_000_000_000n || rate % 10_000_000n !== ZERO) return invalid("callbackRate");
    callbackPpm = rate / 10_000n; // 1 (1%, 1e8 as a Fixed) -> 10_000 ppm
  }
  const workingType = p.get("workingType") ?? "CONTRACT_PRICE";
  if (workingType !== "CONTRACT_PRICE" && workingType !== "MARK_PRICE") return invalid("workingType");
  let tif = p.get("timeInForce") ?? "GTC";
  if (tif === "GTX") tif = "PostOnly";
  else if (tif !== "GTC" && tif !== "IOC" && tif !== "FOK") return err(400, -1115, "Invalid timeInForce.");
  const clientOrderId = p.get("clientAlgoId") ?? randomAlnum(22);
  if (!FUTURES_CLIENT_ID.test(clientOrderId)) {
    return err(400, -1100, `Illegal characters found in parameter 'clientAlgoId'; legal range is '${FUTURES_CLIENT_ID.source}'.`);
  }
  const buy = side === "BUY";
  if (closePosition) {
    // one Close-All stop and one take-profit per direction
    for (const o of ctx.account.conditionals) {
      if (o.market === m && o.trigger?.closePosition === true && o.trigger.type === type && o.side === (buy ? "buy" : "sell") && o.positionSide === positionSide) {
        return err(400, -4130, "An open stop or take profit order with GTE and closePosition in the direction is existing.");
      }
    }
  }
  const trigger: TriggerSpec = {
    type,
    direction: kind[0] === buy ? "rise" : "fall",
    price: triggerPrice ?? ZERO,
    callbackPpm,
    distance: null,
    activation,
    closePosition,
    tpsl: null,
    workingType,
  };
  try {
    const order = placeConditional(ctx.state, ctx.account, ctx.key, {
      market: m,
      side: buy ? "buy" : "sell",
      type: kind[1] ? "market" : "limit",
      qty: closePosition ? ZERO : qty,
      quoteQty: null,
      price,
      clientOrderId,
      reduceOnly: p.get("reduceOnly") === "true",
      timeInForce: closePosition ? "GTE_GTC" : tif,
      positionSide,
      trigger,
      algo: true,
    });
    return json(200, fmt.algoOrder(order));
  } catch (e) {
    return engineError(e, true, m);
  }
}

/** GET / DELETE /fapi/v1/algoOrder by algoId or clientAlgoId (symbol optional). */
function algoLookup(ctx: Ctx, cancelIt: boolean): SimResponse {
  const m = market(ctx, true, false);
  if (isResponse(m)) return m;
  const orderId = ctx.params.get("algoId") ?? undefined;
  const clientOrderId = ctx.params.get("clientAlgoId") ?? undefined;
  if (orderId === undefined && clientOrderId === undefined) return err(400, -1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!");
  const a = ctx.account;
  const order = orderId !== undefined ? a.algoOrders.get(orderId) : a.algoClientIds.get(clientOrderId as string);
  const found = order !== undefined && (m === undefined || order.market === m) ? order : undefined;
  if (!cancelIt) return found === undefined ? err(400, -2013, "Order does not exist.") : json(200, fmt.algoOrder(found));
  if (found === undefined || found.status !== "untriggered") return err(400, -2011, "Unknown order sent.");
  cancel(ctx.state, a, found);
  return json(200, { algoId: Number(found.id), clientAlgoId: found.clientOrderId, code: "200", msg: "success" });
}

function algoList(ctx: Ctx, openOnly: boolean): SimResponse {
  const m = market(ctx, true, !openOnly);
  if (isResponse(m)) return m;
  const fromId = Number(ctx.params.get("algoId") ?? 0);
  let rows: Order[] = [];
  for (const o of ctx.account.algoOrders.values()) {
    if ((m === undefined || o.market === m) && (!openOnly || o.status === "untriggered") && Number(o.id) >= fromId) rows.push(o);
  }
  rows.sort((a, b) => a.seq - b.seq);
  const limit = Math.min(Number(ctx.params.get("limit") ?? 500) || 500, 1000);
  if (!openOnly && rows.length > limit) rows = rows.slice(rows.length - limit);
  return json(200, rows.map(fmt.algoOrder));
}

function cancelAll(ctx: Ctx, algo: boolean): SimResponse {
  const m = market(ctx, true);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const source = algo ? [...ctx.account.conditionals].filter((o) => ctx.account.algoOrders.get(o.id) === o) : [...ctx.account.openOrders];
  for (const o of source) if (o.market === m) cancel(ctx.state, ctx.account, o);
  return json(200, CANCEL_ALL_DONE);
}

/** PUT /fapi/v1/order (ccxt editOrder): price and quantity of an open LIMIT order. */
function modify(ctx: Ctx): SimResponse {
  const m = market(ctx, true);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const orderId = ctx.params.get("orderId") ?? undefined;
  const clientOrderId = ctx.params.get("origClientOrderId") ?? undefined;
  if (orderId === undefined && clientOrderId === undefined) return err(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
  const order = findOrder(ctx.account, m, { orderId, clientOrderId });
  if (order === undefined || order.status !== "open") return err(400, -2013, "Order does not exist.");
  if (order.type !== "limit") return err(400, -5025, "Only limit order is supported.");
  const qty = decimalParam(ctx, "quantity");
  if (isResponse(qty)) return qty;
  const price = decimalParam(ctx, "price");
  if (isResponse(price)) return price;
  if (qty === null) return missing("quantity");
  if (price === null) return missing("price");
  try {
    if (amendOrder(ctx.state, ctx.account, order, { qty, price }) === "unchanged") return err(400, -5027, "No need to modify the order.");
  } catch (e) {
    return engineError(e, true, m);
  }
  return json(200, fmt.futuresOrder(order, false));
}

function leverage(ctx: Ctx): SimResponse {
  const m = market(ctx, true);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const raw = ctx.params.get("leverage") ?? "";
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  try {
    setLeverage(ctx.account, m, value);
  } catch {
    return err(400, -4028, `Leverage ${raw} is not valid`);
  }
  return json(200, { leverage: value, maxNotionalValue: value > 50 ? "50000" : "1000000", symbol: m.id });
}

function marginType(ctx: Ctx): SimResponse {
  const m = market(ctx, true);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const raw = ctx.params.get("marginType");
  if (raw === null) return missing("marginType");
  if (raw !== "ISOLATED" && raw !== "CROSSED") return invalid("marginType");
  switch (changeMarginType(ctx.account, m, raw === "ISOLATED")) {
    case "unchanged":
      return err(400, -4046, "No need to change margin type.");
    case "hasPosition":
      return err(400, -4048, "Margin type cannot be changed if there exists position.");
    case "hasOrders":
      return err(400, -4047, "Margin type cannot be changed if there exists open orders.");
    default:
      return json(200, OK);
  }
}

function dualSide(ctx: Ctx): SimResponse {
  const raw = ctx.params.get("dualSidePosition");
  if (raw === null) return missing("dualSidePosition");
  if (raw !== "true" && raw !== "false") return invalid("dualSidePosition");
  switch (changePositionMode(ctx.state, ctx.account, raw === "true", null)) {
    case "unchanged":
      return err(400, -4059, "No need to change position side.");
    case "hasPosition":
      return err(400, -4068, "Position side cannot be changed if there exists position.");
    case "hasOrders":
      return err(400, -4067, "Position side cannot be changed if there exists open orders.");
    default:
      return json(200, OK);
  }
}

function positions(ctx: Ctx, v3: boolean): SimResponse {
  const m = market(ctx, true, false);
  if (isResponse(m)) return m;
  return json(200, fmt.positionRisk(ctx.state, ctx.account, m, v3));
}

function brackets(ctx: Ctx): SimResponse {
  const m = market(ctx, true, false);
  if (isResponse(m)) return m;
  const rows = fmt.leverageBrackets(ctx.state, m);
  // with a symbol Binance answers one object, not a list
  return json(200, m === undefined ? rows : rows[0]);
}

function userTrades(ctx: Ctx): SimResponse {
  const m = market(ctx, true);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const orderId = ctx.params.get("orderId");
  const fromId = Number(ctx.params.get("fromId") ?? 0);
  const limit = Math.min(Number(ctx.params.get("limit") ?? 500) || 500, 1000);
  const rows = [...ctx.account.orders.values()]
    .filter((o) => o.market === m && o.filledQty !== ZERO && o.tradeId >= fromId && (orderId === null || o.id === orderId))
    .sort((a, b) => a.tradeId - b.tradeId);
  return json(200, rows.slice(Math.max(0, rows.length - limit)).map(fmt.userTrade));
}

function symbolConfig(ctx: Ctx): SimResponse {
  const m = market(ctx, true, false);
  if (isResponse(m)) return m;
  return json(200, fmt.symbolConfig(ctx.state, ctx.account, m));
}

export const FUTURES_ROUTES: [string, Route][] = [
  ["PUT /fapi/v1/order", { weight: 1, perm: "futuresTrade", run: modify }],
  ["DELETE /fapi/v1/allOpenOrders", { weight: 1, perm: "futuresTrade", run: (c) => cancelAll(c, false) }],
  ["POST /fapi/v1/algoOrder", { weight: 1, perm: "futuresTrade", run: createAlgo }],
  ["GET /fapi/v1/algoOrder", { weight: 1, perm: "futures", run: (c) => algoLookup(c, false) }],
  ["DELETE /fapi/v1/algoOrder", { weight: 1, perm: "futuresTrade", run: (c) => algoLookup(c, true) }],
  ["GET /fapi/v1/openAlgoOrders", { weight: 1, perm: "futures", run: (c) => algoList(c, true) }],
  ["GET /fapi/v1/allAlgoOrders", { weight: 5, perm: "futures", run: (c) => algoList(c, false) }],
  ["DELETE /fapi/v1/algoOpenOrders", { weight: 1, perm: "futuresTrade", run: (c) => cancelAll(c, true) }],
  ["POST /fapi/v1/leverage", { weight: 1, perm: "futuresTrade", run: leverage }],
  ["POST /fapi/v1/marginType", { weight: 1, perm: "futuresTrade", run: marginType }],
  ["GET /fapi/v1/positionSide/dual", { weight: 30, perm: "futures", run: (c) => json(200, { dualSidePosition: c.account.hedgeMode }) }],
  ["POST /fapi/v1/positionSide/dual", { weight: 1, perm: "futuresTrade", run: dualSide }],
  ["GET /fapi/v1/symbolConfig", { weight: 5, perm: "futures", run: symbolConfig }],
  ["GET /fapi/v1/userTrades", { weight: 5, perm: "futures", run: userTrades }],
  ["GET /fapi/v1/leverageBracket", { weight: 1, perm: "futures", run: brackets }],
  ["GET /fapi/v3/positionRisk", { weight: 5, perm: "futures", run: (c) => positions(c, true) }],
  ["GET /fapi/v2/positionRisk", { weight: 5, perm: "futures", run: (c) => positions(c, false) }],
];

