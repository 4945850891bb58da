// Binance REST dialect: spot /api/v3, USDⓈ-M /fapi/v1-v3, /sapi/v1 key restrictions.
// Error codes and messages are the real ones ccxt's tables match on.
import { binancePayload, consumeRate, hmacHex, ipAllowed, windowResetMs } from "./auth.ts";
import * as fmt from "./binance-format.ts";
import { EngineError, type PlaceRequest, cancelOrder, findOrder, placeOrder, setLeverage } from "./engine.ts";
import { parseFixed } from "./fixed.ts";
import type { Market } from "./markets.ts";
import { type Account, type ApiKey, type Order, type SimState, findMarket, randomAlnum } from "./state.ts";
import { binanceTickers } from "./tickers.ts";
import { type SimRequest, type SimResponse, formParams, header, json } from "./wire.ts";

const INVALID_KEY = "Invalid API-key, IP, or permissions for action.";

function err(status: number, code: number, msg: string, headers?: Record<string, string>): SimResponse {
  return json(status, { code, msg }, headers);
}

interface Ctx {
  state: SimState;
  params: URLSearchParams;
  key: ApiKey;
  account: Account;
}

type Perm = "any" | "read" | "spotTrade" | "futures" | "futuresTrade";
interface Route {
  weight: number;
  perm: Perm;
  run: (ctx: Ctx) => SimResponse;
}

const SPOT_CLIENT_ID = /^[a-zA-Z0-9_-]{1,36}$/;
const FUTURES_CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

function market(ctx: Ctx, futures: boolean, required = true): Market | SimResponse | undefined {
  const id = ctx.params.get("symbol");
  if (id === null || id === "") {
    return required ? err(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.") : undefined;
  }
  return findMarket(ctx.state, "binance", futures ? "linear" : "spot", id) ?? err(400, -1121, "Invalid symbol.");
}

function isResponse(value: unknown): value is SimResponse {
  return typeof value === "object" && value !== null && "status" in value && "body" in value;
}

function decimalParam(ctx: Ctx, name: string): bigint | SimResponse | null {
  const text = ctx.params.get(name);
  if (text === null || text === "") return null;
  const value = parseFixed(text);
  if (value !== null) return value;
  return /^\d+\.\d+$/.test(text)
    ? err(400, -1111, "Precision is over the maximum defined for this asset.")
    : err(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
}

function engineError(e: unknown, futures: boolean, m: Market): SimResponse {
  if (!(e instanceof EngineError)) throw e;
  if (!futures) {
    switch (e.kind) {
      case "qtyStep":
      case "qtyMin":
        return err(400, -1013, "Filter failure: LOT_SIZE");
      case "qtyMax":
        return err(400, -1013, "Filter failure: MARKET_LOT_SIZE");
      case "priceTick":
        return err(400, -1013, "Filter failure: PRICE_FILTER");
      case "notional":
        return err(400, -1013, "Filter failure: NOTIONAL");
      case "insufficient":
        return err(400, -2010, "Account has insufficient balance for requested action.");
      case "duplicateClientId":
        return err(400, -2010, "Duplicate order sent.");
      case "postOnly":
        return err(400, -2010, "Order would immediately match and take.");
      default:
        return err(400, -1013, e.message);
    }
  }
  switch (e.kind) {
    case "qtyStep":
      return err(400, -1111, "Precision is over the maximum defined for this asset.");
    case "qtyMin":
      return err(400, -4003, "Quantity less than or equal to zero.");
    case "qtyMax":
      return err(400, -4005, "Quantity greater than max quantity.");
    case "priceTick":
      return err(400, -4014, "Price not increased by tick size.");
    case "notional":
      return err(400, -4164, `Order's notional must be no smaller than ${m.raw.minNotional} (unless you choose reduce only).`);
    case "insufficient":
      return err(400, -2019, "Margin is insufficient.");
    case "duplicateClientId":
      return err(400, -4116, "ClientOrderId is duplicated.");
    case "reduceOnly":
      return err(400, -2022, "ReduceOnly Order is rejected.");
    default:
      return err(400, -1000, e.message);
  }
}

function createOrder(ctx: Ctx, futures: boolean): SimResponse {
  const m = market(ctx, futures);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const p = ctx.params;
  const side = p.get("side");
  if (side === null) return err(400, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
  if (side !== "BUY" && side !== "SELL") return err(400, -1117, "Invalid side.");
  const type = p.get("type");
  if (type !== "MARKET" && type !== "LIMIT" && (futures || type !== "LIMIT_MAKER")) return err(400, -1116, "Invalid orderType.");
  const qty = decimalParam(ctx, "quantity");
  if (isResponse(qty)) return qty;
  const quoteQty = futures || type !== "MARKET" ? null : decimalParam(ctx, "quoteOrderQty");
  if (isResponse(quoteQty)) return quoteQty;
  const price = type === "MARKET" ? null : decimalParam(ctx, "price");
  if (isResponse(price)) return price;
  if (type === "MARKET" && qty === null && quoteQty === null) {
    return err(400, -1102, futures ? "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed." : "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!");
  }
  if (type !== "MARKET" && qty === null) return err(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
  if (type !== "MARKET" && price === null) return err(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
  let tif = p.get("timeInForce") ?? "";
  if (type === "LIMIT") {
    if (tif === "") return err(400, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
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
  const positionSide = p.get("positionSide");
  if (futures && positionSide !== null && positionSide !== "BOTH") return err(400, -4061, "Order's position side does not match user's setting.");
  const req: PlaceRequest = {
    market: m,
    side: side === "BUY" ? "buy" : "sell",
    type: type === "MARKET" ? "market" : "limit",
    qty,
    quoteQty: qty === null ? quoteQty : null,
    price,
    clientOrderId,
    reduceOnly: futures && p.get("reduceOnly") === "true",
    timeInForce: tif,
  };
  let order: Order;
  try {
    order = placeOrder(ctx.state, ctx.account, ctx.key, req);
  } catch (e) {
    return engineError(e, futures, m);
  }
  const resp = p.get("newOrderRespType") ?? (futures ? "ACK" : "FULL");
  if (!futures) return json(200, fmt.spotOrder(order, resp));
  if (resp !== "ACK") return json(200, fmt.futuresOrder(order, false));
  // ACK answers before matching: the order as it was accepted, nothing filled yet
  return json(200, fmt.futuresOrder({ ...order, status: "open", filledQty: 0n, cumQuote: 0n, avgPrice: 0n }, false));
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
      return json(200, futures ? fmt.futuresOrder(order, false) : fmt.spotOrder(order, "RESULT"));
    } catch (e) {
      if (e instanceof EngineError) return err(400, -2011, "Unknown order sent.");
      throw e;
    }
  }
  const order = findOrder(ctx.account, m, ref);
  if (order === undefined || (mode === "open" && order.status !== "open")) return err(400, -2013, "Order does not exist.");
  return json(200, futures ? fmt.futuresOrder(order, true) : fmt.spotOrder(order, "QUERY"));
}

function listOrders(ctx: Ctx, futures: boolean, openOnly: boolean): SimResponse {
  const m = market(ctx, futures, openOnly === false);
  if (isResponse(m)) return m;
  const category = futures ? "linear" : "spot";
  const source = openOnly ? ctx.account.openOrders : ctx.account.orders.values();
  const fromId = Number(ctx.params.get("orderId") ?? 0);
  let rows: Order[] = [];
  for (const o of source) {
    if (o.market.category === category && (m === undefined || o.market === m) && Number(o.id) >= fromId) rows.push(o);
  }
  rows.sort((a, b) => a.seq - b.seq);
  const limit = Math.min(Number(ctx.params.get("limit") ?? 500) || 500, 1000);
  if (!openOnly && rows.length > limit) rows = rows.slice(rows.length - limit);
  return json(200, rows.map((o) => (futures ? fmt.futuresOrder(o, true) : fmt.spotOrder(o, "QUERY"))));
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

const ROUTES = new Map<string, Route>([
  ["GET /api/v3/account", { weight: 20, perm: "read", run: (c) => json(200, fmt.spotAccount(c.state, c.account, c.key)) }],
  ["POST /api/v3/order", { weight: 1, perm: "spotTrade", run: (c) => createOrder(c, false) }],
  ["GET /api/v3/order", { weight: 4, perm: "read", run: (c) => lookup(c, false, "query") }],
  ["DELETE /api/v3/order", { weight: 1, perm: "spotTrade", run: (c) => lookup(c, false, "cancel") }],
  ["GET /api/v3/openOrders", { weight: 6, perm: "read", run: (c) => listOrders(c, false, true) }],
  ["GET /api/v3/allOrders", { weight: 20, perm: "read", run: (c) => listOrders(c, false, false) }],
  ["GET /sapi/v1/account/apiRestrictions", { weight: 1, perm: "any", run: (c) => json(200, fmt.apiRestrictions(c.key)) }],
  ["GET /fapi/v3/account", { weight: 5, perm: "futures", run: (c) => json(200, fmt.futuresAccount(c.state, c.account)) }],
  ["GET /fapi/v2/account", { weight: 5, perm: "futures", run: (c) => json(200, fmt.futuresAccount(c.state, c.account)) }],
  ["POST /fapi/v1/order", { weight: 1, perm: "futuresTrade", run: (c) => createOrder(c, true) }],
  ["GET /fapi/v1/order", { weight: 1, perm: "futures", run: (c) => lookup(c, true, "query") }],
  ["DELETE /fapi/v1/order", { weight: 1, perm: "futuresTrade", run: (c) => lookup(c, true, "cancel") }],
  ["GET /fapi/v1/openOrder", { weight: 1, perm: "futures", run: (c) => lookup(c, true, "open") }],
  ["GET /fapi/v1/openOrders", { weight: 1, perm: "futures", run: (c) => listOrders(c, true, true) }],
  ["GET /fapi/v1/allOrders", { weight: 5, perm: "futures", run: (c) => listOrders(c, true, false) }],
  ["POST /fapi/v1/leverage", { weight: 1, perm: "futuresTrade", run: leverage }],
  ["GET /fapi/v1/leverageBracket", { weight: 1, perm: "futures", run: brackets }],
  ["GET /fapi/v3/positionRisk", { weight: 5, perm: "futures", run: (c) => positions(c, true) }],
  ["GET /fapi/v2/positionRisk", { weight: 5, perm: "futures", run: (c) => positions(c, false) }],
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
  if (!permitted(key, route.perm)) return err(401, -2015, INVALID_KEY);
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
