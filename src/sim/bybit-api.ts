// Bybit V5 REST dialect (UNIFIED account, one-way mode). Errors answer HTTP 200
// with a non-zero retCode, except an unknown key (401), as the real API does.
import { consumeRate, hmacHex, ipAllowed, windowResetMs } from "./auth.ts";
import * as fmt from "./bybit-format.ts";
import { EngineError, cancelOrder, findOrder, placeOrder, setLeverage } from "./engine.ts";
import { parseFixed } from "./fixed.ts";
import { leverageOf } from "./margin.ts";
import type { Category, Market } from "./markets.ts";
import { type Account, type ApiKey, type Order, type SimState, findMarket } from "./state.ts";
import { bybitTickers } from "./tickers.ts";
import { type SimRequest, type SimResponse, header } from "./wire.ts";

type Params = Record<string, unknown>;

interface Ctx {
  state: SimState;
  params: Params;
  key: ApiKey;
  account: Account;
  now: number;
}

function reply(retCode: number, retMsg: string, result: unknown = {}, status = 200, headers?: Record<string, string>): SimResponse {
  const body = fmt.envelope(retCode, retMsg, result);
  return headers === undefined ? { status, body } : { status, body, headers };
}

const ok = (result: unknown): SimResponse => reply(0, "OK", result);
const PERMISSION_DENIED = (): SimResponse => reply(10005, "Permission denied, please check your API key permissions.");
const ORDER_LINK_ID = /^[0-9A-Za-z_-]{1,36}$/;

function str(params: Params, name: string): string | undefined {
  const v = params[name];
  if (typeof v === "string") return v === "" ? undefined : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function categoryOf(ctx: Ctx): Category | SimResponse {
  const c = str(ctx.params, "category");
  return c === "spot" || c === "linear" ? c : reply(10001, "params error: Category is invalid");
}

function marketOf(ctx: Ctx, category: Category, required: boolean): Market | SimResponse | undefined {
  const id = str(ctx.params, "symbol");
  if (id === undefined) return required ? reply(10001, "params error: symbol invalid") : undefined;
  return findMarket(ctx.state, "bybit", category, id) ?? reply(10001, "params error: symbol invalid");
}

function isResponse(value: unknown): value is SimResponse {
  return typeof value === "object" && value !== null && "status" in value && "body" in value;
}

function canTrade(key: ApiKey, category: Category): boolean {
  return category === "spot" ? key.permissions.spotTrade : key.permissions.futures;
}

function engineError(e: unknown, m: Market): SimResponse {
  if (!(e instanceof EngineError)) throw e;
  const spot = m.category === "spot";
  switch (e.kind) {
    case "qtyStep":
      return spot ? reply(170137, "Order quantity has too many decimals.") : reply(10001, "Qty invalid: qty must be a multiple of qtyStep");
    case "qtyMin":
      return spot ? reply(170136, "Order quantity lower than the minimum.") : reply(10001, "The number of contracts exceeds minimum limit allowed");
    case "qtyMax":
      return spot ? reply(170135, "Order quantity exceeded upper limit.") : reply(10001, "The number of contracts exceeds maximum limit allowed");
    case "priceTick":
      return spot ? reply(170134, "Order price has too many decimals.") : reply(10001, "Price invalid: price must be a multiple of tickSize");
    case "notional":
      return spot ? reply(170140, "Order value exceeded lower limit.") : reply(110094, `Order does not meet minimum order value ${m.raw.minNotional}USDT`);
    case "insufficient":
      return spot ? reply(170131, "Insufficient balance.") : reply(110007, "ab not enough for new order");
    case "duplicateClientId":
      return reply(110072, "OrderLinkedID is duplicate");
    case "reduceOnly":
      return reply(110017, "current position is zero, cannot fix reduce-only order qty");
    default:
      return reply(10001, e.message);
  }
}

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
  const positionIdx = str(p, "positionIdx");
  if (positionIdx !== undefined && positionIdx !== "0") return reply(10001, "position idx not match position mode");
  // spot market buys are sized in quote unless marketUnit says otherwise, sells in base
  const unit = str(p, "marketUnit") ?? (side === "Buy" ? "quoteCoin" : "baseCoin");
  const quoteSized = category === "spot" && type === "Market" && unit === "quoteCoin";
  const tif = str(p, "timeInForce") ?? (type === "Market" ? "IOC" : "GTC");
  if (tif !== "GTC" && tif !== "IOC" && tif !== "FOK" && tif !== "PostOnly") return reply(10001, "params error: timeInForce invalid");
  let order: Order;
  try {
    order = placeOrder(ctx.state, ctx.account, ctx.key, {
      market: m,
      side: side === "Buy" ? "buy" : "sell",
      type: type === "Market" ? "market" : "limit",
      qty: quoteSized ? null : qty,
      quoteQty: quoteSized ? qty : null,
      price,
      clientOrderId: orderLinkId,
      reduceOnly: category === "linear" && (p.reduceOnly === true || p.reduceOnly === "true"),
      timeInForce: type === "Market" ? "IOC" : tif,
    });
  } catch (e) {
    return engineError(e, m);
  }
  // the real create answer carries ids only: status/fills need a follow-up query
  return ok({ orderId: order.id, orderLinkId: order.clientOrderId });
}

function cancel(ctx: Ctx): SimResponse {
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

const STATUS_NAMES = { open: "New", filled: "Filled", canceled: "Cancelled", expired: "Cancelled" } as const;

function orders(ctx: Ctx, history: boolean): SimResponse {
  const category = categoryOf(ctx);
  if (isResponse(category)) return category;
  const m = marketOf(ctx, category, false);
  if (isResponse(m)) return m;
  const p = ctx.params;
  const orderId = str(p, "orderId");
  const orderLinkId = str(p, "orderLinkId");
  const limit = Math.min(Math.max(Number(str(p, "limit") ?? 20) || 20, 1), 50);
  let rows: Order[];
  if (orderId !== undefined || orderLinkId !== undefined) {
    // by id Bybit answers any recent order, open or not
    const found = m === undefined ? lookupAnyMarket(ctx.account, category, orderId, orderLinkId) : findOrder(ctx.account, m, { orderId, clientOrderId: orderLinkId });
    rows = found === undefined || found.market.category !== category ? [] : [found];
  } else {
    if (!history && category === "linear" && m === undefined && str(p, "settleCoin") === undefined && str(p, "baseCoin") === undefined) {
      return reply(10001, "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin");
    }
    const closedOnly = history || (str(p, "openOnly") ?? "0") !== "0";
    const source = closedOnly ? ctx.account.orders.values() : ctx.account.openOrders.values();
    rows = [];
    for (const o of source) {
      if (o.market.category === category && (m === undefined || o.market === m) && (!closedOnly || o.status !== "open")) rows.push(o);
    }
  }
  const status = str(p, "orderStatus");
  if (status !== undefined) rows = rows.filter((o) => STATUS_NAMES[o.status] === status);
  rows.sort((a, b) => b.seq - a.seq);
  if (rows.length > limit) rows = rows.slice(0, limit);
  return ok({ list: rows.map(fmt.orderItem), nextPageCursor: "", category });
}

function lookupAnyMarket(account: Account, category: Category, orderId?: string, orderLinkId?: string): Order | undefined {
  const o = orderId !== undefined ? account.orders.get(orderId) : orderLinkId !== undefined ? account.clientIds.get(orderLinkId) : undefined;
  return o !== undefined && o.market.category === category ? o : undefined;
}

function positions(ctx: Ctx): SimResponse {
  const category = categoryOf(ctx);
  if (isResponse(category)) return category;
  if (category !== "linear") return reply(10001, "params error: Category is invalid");
  const m = marketOf(ctx, category, false);
  if (isResponse(m)) return m;
  if (m === undefined && str(ctx.params, "settleCoin") === undefined && str(ctx.params, "baseCoin") === undefined) {
    return reply(10001, "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin");
  }
  const list: unknown[] = [];
  for (const market of ctx.state.markets.list) {
    if (market.exchange !== "bybit" || market.category !== "linear" || (m !== undefined && market !== m)) continue;
    // by symbol even a flat position is listed; by settleCoin only open ones
    if (m === undefined && (ctx.account.positions.get(market.id)?.qty ?? 0n) === 0n) continue;
    list.push(fmt.positionItem(ctx.state, ctx.account, market));
  }
  return ok({ list, nextPageCursor: "", category });
}

function leverage(ctx: Ctx): SimResponse {
  if (str(ctx.params, "category") !== "linear") return reply(10001, "params error: Category is invalid");
  const m = marketOf(ctx, "linear", true);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  if (!ctx.key.permissions.futures) return PERMISSION_DENIED();
  const buy = str(ctx.params, "buyLeverage");
  const sell = str(ctx.params, "sellLeverage");
  if (buy === undefined || buy !== sell) return reply(10001, "params error: buyLeverage must be equal to sellLeverage in one-way mode");
  const value = Number(buy);
  if (value === leverageOf(ctx.account, m)) return reply(110043, "leverage not modified");
  try {
    setLeverage(ctx.account, m, value);
  } catch {
    return reply(10001, `leverage invalid: must be between 1 and ${m.maxLeverage}`);
  }
  return ok({});
}

function wallet(ctx: Ctx): SimResponse {
  if (str(ctx.params, "accountType") !== "UNIFIED") return reply(10001, "accountType only support UNIFIED.");
  const coin = str(ctx.params, "coin");
  return ok(fmt.walletBalance(ctx.state, ctx.account, coin === undefined ? null : new Set(coin.split(","))));
}

function accountInfo(ctx: Ctx): SimResponse {
  return ok({
    unifiedMarginStatus: 6,
    marginMode: "REGULAR_MARGIN",
    isMasterTrader: false,
    spotHedgingStatus: "OFF",
    updatedTime: String(ctx.account.createdAt),
    dcpStatus: "OFF",
    timeWindow: 10,
    smpGroup: 0,
  });
}

type Run = (ctx: Ctx) => SimResponse;
/** [needs read permission, handler]; trade permissions depend on the category and are checked inside. */
const ROUTES = new Map<string, [boolean, Run]>([
  ["POST /v5/order/create", [false, createOrder]],
  ["POST /v5/order/cancel", [false, cancel]],
  ["GET /v5/order/realtime", [true, (c) => orders(c, false)]],
  ["GET /v5/order/history", [true, (c) => orders(c, true)]],
  ["GET /v5/position/list", [true, positions]],
  ["POST /v5/position/set-leverage", [false, leverage]],
  ["GET /v5/account/wallet-balance", [true, wallet]],
  ["GET /v5/account/info", [true, accountInfo]],
  ["GET /v5/user/query-api", [false, (c) => ok(fmt.apiKeyInfo(c.key, c.account))]],
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
