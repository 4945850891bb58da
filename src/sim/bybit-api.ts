// Bybit V5 REST dialect (UNIFIED account). Errors answer HTTP 200 with a
// non-zero retCode, except an unknown key (401), as the real API does. Orders
// here (plain and conditional); positions, TP/SL and account settings in
// bybit-position.ts.
import { consumeRate, hmacHex, ipAllowed, keyExpired, windowResetMs } from "./auth.ts";
import * as fmt from "./bybit-format.ts";
import { type Ctx, type Params, PERMISSION_DENIED, attachedTpsl, canTrade, categoryOf, decimal, engineError, isResponse, marketOf, ok, positionIdxParam, reply, str } from "./bybit-params.ts";
import { POSITION_ROUTES } from "./bybit-position.ts";
import { cancel, cancelOrder, findOrder, placeOrder } from "./engine.ts";
import { EngineError } from "./engine-rules.ts";
import { ZERO, formatTrim, parseFixed } from "./fixed.ts";
import type { Category } from "./markets.ts";
import { type Account, type Order, type SimState, priceOf } from "./state.ts";
import { bybitTickers } from "./tickers.ts";
import { settle } from "./trading-stop.ts";
import { amendOrder, placeConditional } from "./triggers.ts";
import { type SimRequest, type SimResponse, header } from "./wire.ts";

const ORDER_LINK_ID = /^[0-9A-Za-z_-]{1,36}$/;

function createOrder(ctx: Ctx): SimResponse {
  const category = categoryOf(ctx);
  if (isResponse(category)) return category;
  const m = marketOf(ctx, category, true);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  if (!canTrade(ctx.key, category)) return PERMISSION_DENIED();
  const { bybitOrders, bybitWindowMs } = ctx.state.limits;
  if (!consumeRate(ctx.state, ctx.key.apiKey, 1, bybitOrders, bybitWindowMs, ctx.now)) {
    const reset = String(ctx.now + windowResetMs(ctx.state, ctx.key.apiKey, bybitWindowMs, ctx.now));
    return reply(10006, "Too many visits. Exceeded the API Rate Limit.", {}, 200, {
      "X-Bapi-Limit": String(bybitOrders),
      "X-Bapi-Limit-Status": "0",
      "X-Bapi-Limit-Reset-Timestamp": reset,
    });
  }
  const p = ctx.params;
  const side = str(p, "side");
  if (side !== "Buy" && side !== "Sell") return reply(10001, "params error: side invalid");
  const type = str(p, "orderType");
  if (type !== "Market" && type !== "Limit") return reply(10001, "params error: orderType invalid");
  const qtyText = str(p, "qty") ?? "";
  const qty = parseFixed(qtyText);
  if (qty === null) return /^\d+\.\d+$/.test(qtyText) && category === "spot" ? reply(170137, "Order quantity has too many decimals.") : reply(10001, "params error: qty invalid");
  let price: bigint | null = null;
  if (type === "Limit") {
    price = parseFixed(str(p, "price") ?? "");
    if (price === null) return reply(10001, "params error: price invalid");
  }
  const orderLinkId = str(p, "orderLinkId") ?? "";
  if (orderLinkId !== "" && !ORDER_LINK_ID.test(orderLinkId)) return reply(10001, "params error: orderLinkId invalid");
  const positionSide = category === "linear" ? positionIdxParam(ctx, m) : "BOTH";
  if (isResponse(positionSide)) return positionSide;
  // spot market buys are sized in quote unless marketUnit says otherwise, sells in base
  const unit = str(p, "marketUnit") ?? (side === "Buy" ? "quoteCoin" : "baseCoin");
  const quoteSized = category === "spot" && type === "Market" && unit === "quoteCoin";
  const tif = str(p, "timeInForce") ?? (type === "Market" ? "IOC" : "GTC");
  if (tif !== "GTC" && tif !== "IOC" && tif !== "FOK" && tif !== "PostOnly") return reply(10001, "params error: timeInForce invalid");
  const buy = side === "Buy";
  const last = priceOf(ctx.state, m);
  const triggerPrice = decimal(p, "triggerPrice");
  if (triggerPrice === null) return reply(10001, "params error: triggerPrice invalid");
  const tpsl = attachedTpsl(ctx, m, buy, price ?? triggerPrice ?? last);
  if (isResponse(tpsl)) return tpsl;
  const req = {
    market: m,
    side: buy ? "buy" : "sell",
    type: type === "Market" ? "market" : "limit",
    qty: quoteSized ? null : qty,
    quoteQty: quoteSized ? qty : null,
    price,
    clientOrderId: orderLinkId,
    reduceOnly: category === "linear" && (p.reduceOnly === true || p.reduceOnly === "true" || p.closeOnTrigger === true || p.closeOnTrigger === "true"),
    timeInForce: type === "Market" ? "IOC" : tif,
    positionSide,
  } as const;
  let order: Order;
  try {
    if (triggerPrice !== undefined && triggerPrice !== ZERO) {
      if (quoteSized) return reply(10001, "conditional spot market buys by quote amount are not simulated");
      // linear: triggerDirection 1 = fires on a rise to triggerPrice, 2 = on a fall; spot: from where the price is
      let rise = triggerPrice > last;
      if (category === "linear") {
        const dir = str(p, "triggerDirection");
        if (dir !== "1" && dir !== "2") return reply(10001, "params error: triggerDirection invalid");
        rise = dir === "1";
        if (rise && triggerPrice <= last) return reply(110092, `expect Rising, but trigger_price[${formatTrim(triggerPrice)}] <= current[${formatTrim(last)}]`);
        if (!rise && triggerPrice >= last) return reply(110093, `expect Falling, but trigger_price[${formatTrim(triggerPrice)}] >= current[${formatTrim(last)}]`);
      }
      const label = category === "spot" && str(p, "orderFilter") === "tpslOrder" ? "tpslOrder" : "Stop";
      const trigger = { type: label, direction: rise ? "rise" : "fall", price: triggerPrice, callbackPpm: null, distance: null, activation: null, closePosition: false, tpsl: null, workingType: str(p, "triggerBy") ?? "LastPrice" } as const;
      order = placeConditional(ctx.state, ctx.account, ctx.key, { ...req, trigger, algo: false });
      order.attachedTpsl = tpsl;
    } else {
      order = placeOrder(ctx.state, ctx.account, ctx.key, req);
      order.attachedTpsl = tpsl;
      settle(ctx.state, ctx.account, order);
    }
  } catch (e) {
    return engineError(e, m);
  }
  // the real create answer carries ids only: status/fills need a follow-up query
  return ok({ orderId: order.id, orderLinkId: order.clientOrderId });
}

function cancelOne(ctx: Ctx): SimResponse {
  const category = categoryOf(ctx);
  if (isResponse(category)) return category;
  const m = marketOf(ctx, category, true);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  if (!canTrade(ctx.key, category)) return PERMISSION_DENIED();
  const orderId = str(ctx.params, "orderId");
  const orderLinkId = str(ctx.params, "orderLinkId");
  if (orderId === undefined && orderLinkId === undefined) return reply(10001, "params error: orderId or orderLinkId is required");
  try {
    const order = cancelOrder(ctx.state, ctx.account, m, { orderId, clientOrderId: orderLinkId });
    return ok({ orderId: order.id, orderLinkId: order.clientOrderId });
  } catch (e) {
    if (e instanceof EngineError) return reply(110001, "order not exists or too late to cancel");
    throw e;
  }
}

/** orderFilter: Order = active orders, StopOrder = conditional ones (TP/SL and trailing included); absent = both. */
function filterMatches(o: Order, filter: string | undefined): boolean {
  if (filter === "Order") return o.trigger === null;
  if (filter === "StopOrder" || filter === "tpslOrder") return o.trigger !== null;
  return true;
}

function cancelAll(ctx: Ctx): SimResponse {
  const category = categoryOf(ctx);
  if (isResponse(category)) return category;
  const m = marketOf(ctx, category, false);
  if (isResponse(m)) return m;
  if (!canTrade(ctx.key, category)) return PERMISSION_DENIED();
  if (category === "linear" && m === undefined && str(ctx.params, "settleCoin") === undefined && str(ctx.params, "baseCoin") === undefined) {
    return reply(10001, "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin");
  }
  const filter = str(ctx.params, "orderFilter");
  const list: unknown[] = [];
  for (const o of [...ctx.account.openOrders, ...ctx.account.conditionals]) {
    if (o.market.category !== category || (m !== undefined && o.market !== m) || !filterMatches(o, filter)) continue;
    cancel(ctx.state, ctx.account, o);
    list.push({ orderId: o.id, orderLinkId: o.clientOrderId });
  }
  return ok({ list, success: "1" });
}

function amend(ctx: Ctx): SimResponse {
  const category = categoryOf(ctx);
  if (isResponse(category)) return category;
  const m = marketOf(ctx, category, true);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  if (!canTrade(ctx.key, category)) return PERMISSION_DENIED();
  const p = ctx.params;
  const orderId = str(p, "orderId");
  const orderLinkId = str(p, "orderLinkId");
  if (orderId === undefined && orderLinkId === undefined) return reply(10001, "params error: orderId or orderLinkId is required");
  const order = findOrder(ctx.account, m, { orderId, clientOrderId: orderLinkId });
  if (order === undefined || (order.status !== "open" && order.status !== "untriggered")) return reply(110001, "order not exists or too late to replace");
  const qty = decimal(p, "qty");
  const price = decimal(p, "price");
  const triggerPrice = decimal(p, "triggerPrice");
  const tp = decimal(p, "takeProfit");
  const sl = decimal(p, "stopLoss");
  if (qty === null || price === null || triggerPrice === null || tp === null || sl === null) return reply(10001, "params error: invalid number");
  let changed = false;
  if (tp !== undefined || sl !== undefined) {
    if (order.filledQty !== ZERO) return reply(10001, "takeProfit/stopLoss can only be amended before the order fills");
    const cur = order.attachedTpsl ?? { takeProfit: ZERO, stopLoss: ZERO, mode: "Full" as const };
    const next = { ...cur, takeProfit: tp ?? cur.takeProfit, stopLoss: sl ?? cur.stopLoss };
    changed = next.takeProfit !== cur.takeProfit || next.stopLoss !== cur.stopLoss;
    order.attachedTpsl = next.takeProfit === ZERO && next.stopLoss === ZERO ? null : next;
  }
  try {
    if (amendOrder(ctx.state, ctx.account, order, { qty, price, triggerPrice }) === "ok") changed = true;
  } catch (e) {
    if (e instanceof EngineError && e.kind === "immediateTrigger") {
      const t = order.trigger;
      const last = formatTrim(priceOf(ctx.state, m));
      const tpText = formatTrim(triggerPrice ?? ZERO);
      return t?.direction === "rise" ? reply(110092, `expect Rising, but trigger_price[${tpText}] <= current[${last}]`) : reply(110093, `expect Falling, but trigger_price[${tpText}] >= current[${last}]`);
    }
    return engineError(e, m);
  }
  if (!changed) return reply(10001, "The order remains unchanged as the parameters entered match the existing ones.");
  return ok({ orderId: order.id, orderLinkId: order.clientOrderId });
}

function orders(ctx: Ctx, history: boolean): SimResponse {
  const category = categoryOf(ctx);
  if (isResponse(category)) return category;
  const m = marketOf(ctx, category, false);
  if (isResponse(m)) return m;
  const p = ctx.params;
  const orderId = str(p, "orderId");
  const orderLinkId = str(p, "orderLinkId");
  const filter = str(p, "orderFilter");
  const limit = Math.min(Math.max(Number(str(p, "limit") ?? 20) || 20, 1), 50);
  let rows: Order[];
  if (orderId !== undefined || orderLinkId !== undefined) {
    // by id Bybit answers any recent order, open or not
    const found = m === undefined ? lookupAnyMarket(ctx.account, category, orderId, orderLinkId) : findOrder(ctx.account, m, { orderId, clientOrderId: orderLinkId });
    rows = found === undefined || found.market.category !== category || !filterMatches(found, filter) ? [] : [found];
  } else {
    if (!history && category === "linear" && m === undefined && str(p, "settleCoin") === undefined && str(p, "baseCoin") === undefined) {
      return reply(10001, "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin");
    }
    const closedOnly = history || (str(p, "openOnly") ?? "0") !== "0";
    const source = closedOnly ? ctx.account.orders.values() : [...ctx.account.openOrders, ...ctx.account.conditionals];
    rows = [];
    for (const o of source) {
      const open = o.status === "open" || o.status === "untriggered";
      if (o.market.category === category && (m === undefined || o.market === m) && (!closedOnly || !open) && filterMatches(o, filter)) rows.push(o);
    }
  }
  const status = str(p, "orderStatus");
  if (status !== undefined) rows = rows.filter((o) => fmt.orderStatus(o) === status);
  rows.sort((a, b) => b.seq - a.seq);
  if (rows.length > limit) rows = rows.slice(0, limit);
  return ok({ list: rows.map(fmt.orderItem), nextPageCursor: "", category });
}

function lookupAnyMarket(account: Account, category: Category, orderId?: string, orderLinkId?: string): Order | undefined {
  const o = orderId !== undefined ? account.orders.get(orderId) : orderLinkId !== undefined ? account.clientIds.get(orderLinkId) : undefined;
  return o !== undefined && o.market.category === category ? o : undefined;
}

type Run = (ctx: Ctx) => SimResponse;
/** [needs read permission, handler]; trade permissions depend on the category and are checked inside. */
const ROUTES = new Map<string, [boolean, Run]>([
  ["POST /v5/order/create", [false, createOrder]],
  ["POST /v5/order/cancel", [false, cancelOne]],
  ["POST /v5/order/cancel-all", [false, cancelAll]],
  ["POST /v5/order/amend", [false, amend]],
  ["GET /v5/order/realtime", [true, (c) => orders(c, false)]],
  ["GET /v5/order/history", [true, (c) => orders(c, true)]],
  ...POSITION_ROUTES,
]);

function signed(state: SimState, req: SimRequest, needsRead: boolean, run: Run): SimResponse {
  const apiKey = header(req, "x-bapi-api-key");
  const key = apiKey === undefined ? undefined : state.keys.get(apiKey);
  if (apiKey === undefined || key === undefined || key.exchange !== "bybit") return reply(10003, "API key is invalid.", {}, 401);
  const timestamp = header(req, "x-bapi-timestamp") ?? "";
  const recvWindow = header(req, "x-bapi-recv-window") ?? "5000";
  const payload = timestamp + apiKey + recvWindow + (req.method === "GET" ? req.rawQuery : req.body);
  if (hmacHex(key.secret, payload) !== header(req, "x-bapi-sign")) return reply(10004, `error sign! origin_string[${payload}]`);
  const now = Date.now();
  const ts = Number(timestamp);
  const rw = Number(recvWindow);
  if (!Number.isFinite(ts) || !(rw > 0) || ts < now - rw || ts >= now + 1000) {
    return reply(10002, `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${now}],recv_window[${recvWindow}]`);
  }
  if (!ipAllowed(key, req.ip)) return reply(10010, "Unmatched IP, please check your API key's bound IP addresses.");
  if (keyExpired(key, now)) return reply(33004, "Your api key has expired.");
  // Bybit keys can always read; `read: false` is a simulator extension to test that path
  if (needsRead && !key.permissions.read) return PERMISSION_DENIED();
  let params: Params;
  if (req.method === "GET") {
    params = Object.fromEntries(new URLSearchParams(req.rawQuery));
  } else {
    try {
      params = req.body === "" ? {} : (JSON.parse(req.body) as Params);
    } catch {
      return reply(10001, "request body is not valid json");
    }
  }
  const account = state.accounts.get(key.accountId);
  if (account === undefined) return reply(10003, "API key is invalid.", {}, 401);
  return run({ state, params, key, account, now });
}

export function createBybitHandler(state: SimState): (req: SimRequest) => SimResponse | null {
  const instruments = new Map<string, string>();
  return (req) => {
    const route = ROUTES.get(req.method + " " + req.path);
    if (route !== undefined) return signed(state, req, route[0], route[1]);
    if (req.method === "GET" && req.path === "/v5/market/time") {
      const now = Date.now();
      return ok({ timeSecond: String(Math.floor(now / 1000)), timeNano: String(now) + "000000" });
    }
    if (req.method === "GET" && req.path === "/v5/market/tickers") return bybitTickers(state, req);
    if (req.method === "GET" && req.path === "/v5/market/instruments-info") {
      const q = new URLSearchParams(req.rawQuery);
      const category = q.get("category");
      if (category !== "spot" && category !== "linear") return reply(10001, "params error: Category is invalid");
      const symbol = q.get("symbol") ?? "";
      // pre-launch and non-trading listings: none in the simulator
      if ((q.get("status") ?? "Trading") !== "Trading") return ok({ category, list: [], nextPageCursor: "" });
      const cacheKey = category + ":" + symbol;
      let body = instruments.get(cacheKey);
      if (body === undefined) {
        const list = state.markets.list.filter((m) => m.exchange === "bybit" && m.category === category && (symbol === "" || m.id === symbol)).map(fmt.instrument);
        body = JSON.stringify({ category, list, nextPageCursor: "" });
        instruments.set(cacheKey, body);
      }
      return { status: 200, body: `{"retCode":0,"retMsg":"OK","result":${body},"retExtInfo":{},"time":${Date.now()}}` };
    }
    return null;
  };
}
