// Binance REST dialect: spot /api/v3, USDⓈ-M /fapi/v1-v3, /sapi/v1 key restrictions.
// Error codes and messages are the real ones ccxt's tables match on. USDⓈ-M
// conditional (algo) orders and account settings: binance-futures.ts.
import { binancePayload, consumeRate, hmacHex, ipAllowed, keyExpired, windowResetMs } from "./auth.ts";
import * as fmt from "./binance-format.ts";
import * as futuresFmt from "./binance-futures-format.ts";
import { FUTURES_ROUTES } from "./binance-futures.ts";
import { type Ctx, FUTURES_CLIENT_ID, type Perm, type Route, SPOT_CLIENT_ID, decimalParam, engineError, err, isResponse, market, missing, positionSideParam } from "./binance-params.ts";
import { cancelOrder, findOrder, placeOrder } from "./engine.ts";
import type { PlaceRequest } from "./new-order.ts";
import { EngineError } from "./engine-rules.ts";
import { ZERO, formatFixed } from "./fixed.ts";
import { type ApiKey, type Order, type SimState, randomAlnum } from "./state.ts";
import { binanceTickers } from "./tickers.ts";
import { placeConditional } from "./triggers.ts";
import { type SimRequest, type SimResponse, formParams, header, json } from "./wire.ts";

const INVALID_KEY = "Invalid API-key, IP, or permissions for action.";
const ALGO_TYPES = new Set(["STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"]);
/** spot stop orders: [fires on a rise for a BUY, market execution] */
const SPOT_STOPS: Record<string, [boolean, boolean]> = {
  STOP_LOSS: [true, true],
  STOP_LOSS_LIMIT: [true, false],
  TAKE_PROFIT: [false, true],
  TAKE_PROFIT_LIMIT: [false, false],
};

function createOrder(ctx: Ctx, futures: boolean): SimResponse {
  const m = market(ctx, futures);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const p = ctx.params;
  const side = p.get("side");
  if (side === null) return missing("side");
  if (side !== "BUY" && side !== "SELL") return err(400, -1117, "Invalid side.");
  const type = p.get("type") ?? "";
  // since 2025-12-09 USDⓈ-M conditional orders go through POST /fapi/v1/algoOrder only
  if (futures && ALGO_TYPES.has(type)) return err(400, -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.");
  const stop = futures ? undefined : SPOT_STOPS[type];
  if (type !== "MARKET" && type !== "LIMIT" && (futures || type !== "LIMIT_MAKER") && stop === undefined) return err(400, -1116, "Invalid orderType.");
  const isMarket = type === "MARKET" || stop?.[1] === true;
  const qty = decimalParam(ctx, "quantity");
  if (isResponse(qty)) return qty;
  const quoteQty = futures || type !== "MARKET" ? null : decimalParam(ctx, "quoteOrderQty");
  if (isResponse(quoteQty)) return quoteQty;
  const price = isMarket ? null : decimalParam(ctx, "price");
  if (isResponse(price)) return price;
  if (type === "MARKET" && qty === null && quoteQty === null) {
    return futures ? missing("quantity") : err(400, -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!");
  }
  if (type !== "MARKET" && qty === null) return missing("quantity");
  if (!isMarket && price === null) return missing("price");
  let tif = p.get("timeInForce") ?? "";
  if (type === "LIMIT" || (stop !== undefined && !isMarket)) {
    if (tif === "") return missing("timeInForce");
    if (tif === "GTX" && futures) tif = "PostOnly";
    else if (tif !== "GTC" && tif !== "IOC" && tif !== "FOK") return err(400, -1115, "Invalid timeInForce.");
  } else {
    tif = type === "LIMIT_MAKER" ? "PostOnly" : "GTC";
  }
  const clientOrderId = p.get("newClientOrderId") ?? randomAlnum(22);
  const idRule = futures ? FUTURES_CLIENT_ID : SPOT_CLIENT_ID;
  if (!idRule.test(clientOrderId)) {
    return err(400, -1100, `Illegal characters found in parameter 'newClientOrderId'; legal range is '${idRule.source}'.`);
  }
  const positionSide = futures ? positionSideParam(ctx, m) : "BOTH";
  if (isResponse(positionSide)) return positionSide;
  const req: PlaceRequest = {
    market: m,
    side: side === "BUY" ? "buy" : "sell",
    type: isMarket ? "market" : "limit",
    qty,
    quoteQty: qty === null ? quoteQty : null,
    price,
    clientOrderId,
    reduceOnly: futures && p.get("reduceOnly") === "true",
    timeInForce: tif,
    positionSide,
  };
  let order: Order;
  try {
    if (stop !== undefined) {
      if (p.has("trailingDelta")) return err(400, -1013, "trailingDelta orders are not simulated.");
      const stopPrice = decimalParam(ctx, "stopPrice");
      if (isResponse(stopPrice)) return stopPrice;
      if (stopPrice === null) return missing("stopPrice");
      const rise = stop[0] === (side === "BUY");
      const trigger = { type, direction: rise ? "rise" : "fall", price: stopPrice, callbackPpm: null, distance: null, activation: null, closePosition: false, tpsl: null, workingType: "CONTRACT_PRICE" } as const;
      order = placeConditional(ctx.state, ctx.account, ctx.key, { ...req, trigger, algo: false });
    } else {
      order = placeOrder(ctx.state, ctx.account, ctx.key, req);
    }
  } catch (e) {
    return engineError(e, futures, m);
  }
  const resp = p.get("newOrderRespType") ?? (futures ? "ACK" : "FULL");
  if (!futures) return json(200, fmt.spotOrder(order, resp));
  if (resp !== "ACK") return json(200, futuresFmt.futuresOrder(order, false));
  // ACK answers before matching: the order as it was accepted, nothing filled yet
  return json(200, futuresFmt.futuresOrder({ ...order, status: "open", filledQty: 0n, cumQuote: 0n, avgPrice: 0n }, false));
}

function lookup(ctx: Ctx, futures: boolean, mode: "query" | "cancel" | "open"): SimResponse {
  const m = market(ctx, futures);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const orderId = ctx.params.get("orderId") ?? undefined;
  const clientOrderId = ctx.params.get("origClientOrderId") ?? undefined;
  if (orderId === undefined && clientOrderId === undefined) {
    return err(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
  }
  const ref = { orderId, clientOrderId };
  if (mode === "cancel") {
    try {
      const order = cancelOrder(ctx.state, ctx.account, m, ref);
      return json(200, futures ? futuresFmt.futuresOrder(order, false) : fmt.spotOrder(order, "RESULT"));
    } catch (e) {
      if (e instanceof EngineError) return err(400, -2011, "Unknown order sent.");
      throw e;
    }
  }
  const order = findOrder(ctx.account, m, ref);
  const open = order?.status === "open" || order?.status === "untriggered";
  if (order === undefined || (mode === "open" && !open)) return err(400, -2013, "Order does not exist.");
  return json(200, futures ? futuresFmt.futuresOrder(order, true) : fmt.spotOrder(order, "QUERY"));
}

function listOrders(ctx: Ctx, futures: boolean, openOnly: boolean): SimResponse {
  const m = market(ctx, futures, openOnly === false);
  if (isResponse(m)) return m;
  const category = futures ? "linear" : "spot";
  // spot stop orders are orders like any other (NEW until they fire); USDⓈ-M ones live in the algo service
  const source = openOnly ? [...ctx.account.openOrders, ...ctx.account.conditionals] : ctx.account.orders.values();
  const fromId = Number(ctx.params.get("orderId") ?? 0);
  let rows: Order[] = [];
  for (const o of source) {
    if (o.market.category === category && (m === undefined || o.market === m) && Number(o.id) >= fromId && ctx.account.algoOrders.get(o.id) !== o) rows.push(o);
  }
  rows.sort((a, b) => a.seq - b.seq);
  const limit = Math.min(Number(ctx.params.get("limit") ?? 500) || 500, 1000);
  if (!openOnly && rows.length > limit) rows = rows.slice(rows.length - limit);
  return json(200, rows.map((o) => (futures ? futuresFmt.futuresOrder(o, true) : fmt.spotOrder(o, "QUERY"))));
}

/** GET /api/v3/myTrades (ccxt fetchMyTrades / fetchOrderTrades): one trade per filled order, with its commission (the query-order answer has none). */
function myTrades(ctx: Ctx): SimResponse {
  const m = market(ctx, false, false);
  if (isResponse(m)) return m;
  const orderId = ctx.params.get("orderId");
  const rows: Order[] = [];
  for (const o of ctx.account.orders.values()) {
    if (o.market.category !== "spot" || (m !== undefined && o.market !== m) || o.filledQty === ZERO) continue;
    if (orderId !== null && o.id !== orderId) continue;
    rows.push(o);
  }
  rows.sort((a, b) => a.seq - b.seq);
  return json(
    200,
    rows.map((o) => ({
      symbol: o.market.id, id: o.tradeId, orderId: Number(o.id), orderListId: -1, price: formatFixed(o.avgPrice), qty: formatFixed(o.filledQty),
      quoteQty: formatFixed(o.cumQuote), commission: formatFixed(o.fee), commissionAsset: o.feeAsset, time: o.updatedAt, isBuyer: o.side === "buy",
      isMaker: o.maker, isBestMatch: true,
    })),
  );
}

const ROUTES = new Map<string, Route>([
  ["GET /api/v3/myTrades", { weight: 20, perm: "read", run: myTrades }],
  ["GET /api/v3/account", { weight: 20, perm: "read", run: (c) => json(200, fmt.spotAccount(c.state, c.account, c.key)) }],
  ["POST /api/v3/order", { weight: 1, perm: "spotTrade", run: (c) => createOrder(c, false) }],
  ["GET /api/v3/order", { weight: 4, perm: "read", run: (c) => lookup(c, false, "query") }],
  ["DELETE /api/v3/order", { weight: 1, perm: "spotTrade", run: (c) => lookup(c, false, "cancel") }],
  ["GET /api/v3/openOrders", { weight: 6, perm: "read", run: (c) => listOrders(c, false, true) }],
  ["GET /api/v3/allOrders", { weight: 20, perm: "read", run: (c) => listOrders(c, false, false) }],
  ["GET /sapi/v1/account/apiRestrictions", { weight: 1, perm: "any", run: (c) => json(200, fmt.apiRestrictions(c.key)) }],
  ["GET /fapi/v3/account", { weight: 5, perm: "futures", run: (c) => json(200, futuresFmt.futuresAccount(c.state, c.account)) }],
  ["GET /fapi/v2/account", { weight: 5, perm: "futures", run: (c) => json(200, futuresFmt.futuresAccount(c.state, c.account)) }],
  ["POST /fapi/v1/order", { weight: 1, perm: "futuresTrade", run: (c) => createOrder(c, true) }],
  ["GET /fapi/v1/order", { weight: 1, perm: "futures", run: (c) => lookup(c, true, "query") }],
  ["DELETE /fapi/v1/order", { weight: 1, perm: "futuresTrade", run: (c) => lookup(c, true, "cancel") }],
  ["GET /fapi/v1/openOrder", { weight: 1, perm: "futures", run: (c) => lookup(c, true, "open") }],
  ["GET /fapi/v1/openOrders", { weight: 1, perm: "futures", run: (c) => listOrders(c, true, true) }],
  ["GET /fapi/v1/allOrders", { weight: 5, perm: "futures", run: (c) => listOrders(c, true, false) }],
  ...FUTURES_ROUTES,
]);

function permitted(key: ApiKey, perm: Perm): boolean {
  const p = key.permissions;
  switch (perm) {
    case "any":
      return true;
    case "read":
      return p.read;
    case "spotTrade":
      return p.read && p.spotTrade;
    case "futures":
    case "futuresTrade":
      return p.read && p.futures;
  }
}

/** Authenticates, checks permissions, rate-limits, then runs a signed route. */
function signed(state: SimState, req: SimRequest, route: Route): SimResponse {
  const apiKey = header(req, "x-mbx-apikey");
  if (apiKey === undefined || apiKey === "") return err(401, -2014, "API-key format invalid.");
  const key = state.keys.get(apiKey);
  if (key === undefined || key.exchange !== "binance" || !ipAllowed(key, req.ip)) return err(401, -2015, INVALID_KEY);
  const { payload, signature } = binancePayload(req.rawQuery, req.body);
  if (signature === null) return err(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
  if (hmacHex(key.secret, payload) !== signature) return err(400, -1022, "Signature for this request is not valid.");
  const params = formParams(req);
  const now = Date.now();
  const timestamp = Number(params.get("timestamp"));
  const recvWindow = Number(params.get("recvWindow") ?? 5000);
  if (!Number.isFinite(timestamp) || timestamp <= 0) return err(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
  if (!(recvWindow > 0 && recvWindow <= 60000)) return err(400, -1131, "recvWindow must be less than 60000");
  if (timestamp > now + 1000) return err(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  if (now - timestamp > recvWindow) return err(400, -1021, "Timestamp for this request is outside of the recvWindow.");
  if (!permitted(key, route.perm) || keyExpired(key, now)) return err(401, -2015, INVALID_KEY);
  const { binanceWeight, binanceWindowMs } = state.limits;
  if (!consumeRate(state, apiKey, route.weight, binanceWeight, binanceWindowMs, now)) {
    const retry = String(Math.ceil(windowResetMs(state, apiKey, binanceWindowMs, now) / 1000));
    const per = binanceWindowMs % 60_000 === 0 ? `${binanceWindowMs / 60_000} MINUTE` : `${binanceWindowMs / 1000} SECOND`;
    const msg = `Too much request weight used; current limit is ${binanceWeight} request weight per ${per}. Please use WebSocket Streams for live updates to avoid polling the API.`;
    return err(429, -1003, msg, { "Retry-After": retry });
  }
  const account = state.accounts.get(key.accountId);
  if (account === undefined) return err(401, -2015, INVALID_KEY);
  return route.run({ state, params, key, account });
}

export function createBinanceHandler(state: SimState): (req: SimRequest) => SimResponse | null {
  let info: { weight: number; bodies: { spot: string; futures: string } } | undefined;
  const exchangeInfo = (futures: boolean): SimResponse => {
    if (info === undefined || info.weight !== state.limits.binanceWeight) info = { weight: state.limits.binanceWeight, bodies: fmt.exchangeInfoBodies(state) };
    return { status: 200, body: `{"serverTime":${Date.now()},` + (futures ? info.bodies.futures : info.bodies.spot) };
  };
  return (req) => {
    const route = ROUTES.get(req.method + " " + req.path);
    if (route !== undefined) return signed(state, req, route);
    if (req.method !== "GET") return null;
    switch (req.path) {
      case "/api/v3/exchangeInfo":
        return exchangeInfo(false);
      case "/fapi/v1/exchangeInfo":
        return exchangeInfo(true);
      case "/api/v3/ping":
      case "/fapi/v1/ping":
        return json(200, {});
      case "/api/v3/time":
      case "/fapi/v1/time":
        return json(200, { serverTime: Date.now() });
      // public tickers: no key, no weight (real Binance counts them per IP, the simulator limits per key)
      case "/api/v3/ticker/24hr":
        return binanceTickers(state, req, "24hr", false);
      case "/api/v3/ticker/price":
        return binanceTickers(state, req, "price", false);
      case "/api/v3/ticker/bookTicker":
        return binanceTickers(state, req, "bookTicker", false);
      case "/fapi/v1/ticker/24hr":
        return binanceTickers(state, req, "24hr", true);
      case "/fapi/v1/ticker/price":
      case "/fapi/v2/ticker/price":
        return binanceTickers(state, req, "price", true);
      case "/fapi/v1/ticker/bookTicker":
        return binanceTickers(state, req, "bookTicker", true);
      default:
        return null;
    }
  };
}
