// Control API under /__sim/: set up accounts and keys, move prices, inject
// faults, read the order ledger. JSON in and out; bodies validated with zod.
import { z } from "zod";
import { AccountBody, BalancesBody, ExpiryBody, FaultBody, KeyBody, LimitsBody, PriceBody, SettingsBody } from "./control-schemas.ts";
import { accountView, orderView } from "./control-views.ts";
import { ZERO, formatTrim, fx } from "./fixed.ts";
import { hasPosition } from "./margin.ts";
import type { ExchangeId } from "./markets.ts";
import { addFault } from "./faults.ts";
import { type Account, type ApiKey, type SimState, findMarket, newAccount, newKeyPair, resetState } from "./state.ts";
import { setPrice } from "./triggers.ts";
import { type SimRequest, type SimResponse, json } from "./wire.ts";

const DEFAULT_BALANCES = { USDT: "10000" };
const LOOPBACK = ["127.0.0.1", "::1"];
/** Bybit: a key without an IP binding expires 90 days after it was created. */
const UNBOUND_KEY_DAYS = 90;

function bad(message: string): SimResponse {
  return json(400, { error: message });
}

function parse<T>(schema: z.ZodType<T>, body: string): T | SimResponse {
  let raw: unknown;
  try {
    raw = body === "" ? {} : JSON.parse(body);
  } catch {
    return bad("body is not valid JSON");
  }
  const result = schema.safeParse(raw);
  return result.success ? result.data : bad(z.prettifyError(result.error));
}

function isResponse(value: unknown): value is SimResponse {
  return typeof value === "object" && value !== null && "status" in value && "body" in value && typeof (value as SimResponse).status === "number";
}

function addKey(state: SimState, account: Account, body: z.infer<typeof KeyBody>): ApiKey {
  const { apiKey, secret } = newKeyPair(account.exchange);
  const p = body.permissions ?? {};
  const now = Date.now();
  const bound = body.ips !== undefined || body.ipRestricted === true;
  const key: ApiKey = {
    apiKey,
    secret,
    accountId: account.id,
    exchange: account.exchange,
    permissions: { read: p.read ?? true, spotTrade: p.spotTrade ?? true, futures: p.futures ?? true, withdraw: p.withdraw ?? false },
    ips: body.ips ?? (body.ipRestricted === true ? LOOPBACK : null),
    createdAt: now,
    expiresAt: body.expiresAt !== undefined ? body.expiresAt : account.exchange === "bybit" && !bound ? now + UNBOUND_KEY_DAYS * 86_400_000 : null,
  };
  account.keys.push(key);
  state.keys.set(apiKey, key);
  return key;
}

function setBalances(account: Account, spot: Record<string, string> | undefined, futures: Record<string, string> | undefined): void {
  for (const [asset, amount] of Object.entries(spot ?? {})) account.spot.set(asset, { free: fx(amount), locked: ZERO });
  if (account.exchange !== "binance") return;
  const margin = futures ?? Object.fromEntries(Object.entries(spot ?? {}).filter(([asset]) => asset === "USDT" || asset === "USDC"));
  for (const [asset, amount] of Object.entries(margin)) account.futures.set(asset, fx(amount));
}

/** Applies hedge mode, margin mode and leverage; a message when the exchange would refuse (a position is open). */
function applySettings(state: SimState, account: Account, body: z.infer<typeof SettingsBody>): string | null {
  const linear = state.markets.list.filter((m) => m.exchange === account.exchange && m.category === "linear");
  const scope = body.symbols === undefined ? linear : linear.filter((m) => body.symbols?.includes(m.id));
  if (body.symbols !== undefined && scope.length !== body.symbols.length) return `unknown symbol in ${body.symbols.join(", ")}`;
  for (const [symbol, value] of Object.entries(body.leverage ?? {})) {
    const m = findMarket(state, account.exchange, "linear", symbol);
    if (m === undefined) return `unknown symbol ${symbol}`;
    if (value > m.maxLeverage) return `leverage ${value} is above ${symbol}'s maximum ${m.maxLeverage}`;
  }
  const changesMode = body.hedgeMode !== undefined || body.marginMode !== undefined;
  const open = (account.exchange === "bybit" || body.hedgeMode !== undefined ? linear : scope).filter((m) => hasPosition(account, m));
  if (changesMode && open.length > 0) return `close the open positions first (${open.map((m) => m.id).join(", ")}): the exchange refuses to switch modes with a position`;
  if (body.hedgeMode !== undefined) {
    account.hedgeMode = body.hedgeMode;
    account.hedgeSymbols.clear();
  }
  if (body.marginMode !== undefined) {
    if (account.exchange === "bybit") account.unifiedMarginMode = body.marginMode === "isolated" ? "ISOLATED_MARGIN" : "REGULAR_MARGIN";
    else
      for (const m of scope) {
        if (body.marginMode === "isolated") account.isolated.add(m.id);
        else account.isolated.delete(m.id);
      }
  }
  for (const [symbol, value] of Object.entries(body.leverage ?? {})) account.leverage.set(symbol, value);
  return null;
}

function createAccount(state: SimState, body: z.infer<typeof AccountBody>): SimResponse {
  const id = `${body.exchange}-${state.accounts.size + 1}-${Date.now().toString(36)}`;
  const account = newAccount(id, body.exchange);
  setBalances(account, body.balances ?? DEFAULT_BALANCES, body.futuresBalances);
  const refused = applySettings(state, account, { hedgeMode: body.hedgeMode, marginMode: body.marginMode, symbols: body.symbols, leverage: body.leverage });
  if (refused !== null) return bad(refused);
  state.accounts.set(id, account);
  const key = addKey(state, account, body);
  return json(201, { accountId: id, apiKey: key.apiKey, secret: key.secret });
}

function listOrders(state: SimState, query: URLSearchParams): SimResponse {
  const apiKey = query.get("apiKey");
  const accountId = query.get("accountId");
  const exchange = query.get("exchange");
  const clientOrderId = query.get("clientOrderId");
  const symbol = query.get("symbol");
  const rows = state.ledger.filter(
    (o) =>
      (apiKey === null || o.apiKey === apiKey) &&
      (accountId === null || o.accountId === accountId) &&
      (exchange === null || o.exchange === exchange) &&
      (clientOrderId === null || o.clientOrderId === clientOrderId) &&
      (symbol === null || o.market.symbol === symbol || o.market.id === symbol),
  );
  return json(200, { orders: rows.map(orderView) });
}

function prices(state: SimState, body: z.infer<typeof PriceBody>): SimResponse {
  const pair = body.symbol.split(":")[0]!.replace("/", "");
  if (!state.markets.defaultPrices.has(pair)) return bad(`unknown symbol ${body.symbol}; known: ${[...state.markets.defaultPrices.keys()].join(", ")}`);
  const price = fx(body.price);
  if (price === ZERO) return bad("price must be above zero");
  const exchanges: ExchangeId[] = body.exchange === undefined ? ["binance", "bybit"] : [body.exchange];
  let filled = 0;
  let triggered = 0;
  for (const exchange of exchanges) {
    const moved = setPrice(state, exchange, pair, price);
    filled += moved.filled;
    triggered += moved.triggered;
  }
  return json(200, { symbol: pair, exchanges, price: formatTrim(price), filled, triggered });
}

function priceList(state: SimState): SimResponse {
  return json(200, { prices: Object.fromEntries([...state.prices].map(([k, v]) => [k, formatTrim(v)])) });
}

export function handleControl(state: SimState, req: SimRequest, startedAt: number): SimResponse {
  const route = req.method + " " + req.path;
  switch (route) {
    case "GET /__sim/health":
      return json(200, { ok: true, accounts: state.accounts.size, orders: state.ledger.length, uptimeMs: Date.now() - startedAt });
    case "POST /__sim/reset":
      resetState(state);
      return json(200, { ok: true });
    case "POST /__sim/accounts": {
      const body = parse(AccountBody, req.body);
      return isResponse(body) ? body : createAccount(state, body);
    }
    case "GET /__sim/orders":
      return listOrders(state, new URLSearchParams(req.rawQuery));
    case "GET /__sim/prices":
      return priceList(state);
    case "POST /__sim/prices": {
      const body = parse(PriceBody, req.body);
      return isResponse(body) ? body : prices(state, body);
    }
    case "GET /__sim/faults":
      return json(200, { faults: state.faults.map((f) => ({ ...f, remaining: Number.isFinite(f.remaining) ? f.remaining : null })) });
    case "POST /__sim/faults": {
      const body = parse(FaultBody, req.body);
      if (isResponse(body)) return body;
      if (body.latencyMs === undefined && body.status === undefined && body.timeout !== true && body.dropAfterAccept !== true) {
        return bad("a fault needs at least one of latencyMs, status, timeout: true, dropAfterAccept: true");
      }
      const rule = addFault(state, {
        apiKey: body.apiKey ?? null,
        latencyMs: body.latencyMs ?? 0,
        status: body.status ?? null,
        timeout: body.timeout ?? false,
        dropAfterAccept: body.dropAfterAccept ?? false,
        remaining: body.count ?? Infinity,
        paths: body.paths ?? null,
      });
      return json(201, { id: rule.id });
    }
    case "DELETE /__sim/faults": {
      const cleared = state.faults.length;
      state.faults = [];
      return json(200, { cleared });
    }
    case "GET /__sim/limits":
      return json(200, state.limits);
    case "POST /__sim/limits": {
      const body = parse(LimitsBody, req.body);
      if (isResponse(body)) return body;
      state.limits = { ...state.limits, ...body };
      state.usage.clear();
      return json(200, state.limits);
    }
  }
  const keyMatch = /^\/__sim\/keys\/([^/]+)$/.exec(req.path);
  if (keyMatch !== null && req.method === "POST") {
    const key = state.keys.get(decodeURIComponent(keyMatch[1]!));
    if (key === undefined) return json(404, { error: `no key ${keyMatch[1]}` });
    const body = parse(ExpiryBody, req.body);
    if (isResponse(body)) return body;
    key.expiresAt = body.expiresAt;
    return json(200, { apiKey: key.apiKey, expiresAt: key.expiresAt === null ? null : new Date(key.expiresAt).toISOString() });
  }
  const match = /^\/__sim\/accounts\/([^/]+)(\/keys|\/balances|\/settings)?$/.exec(req.path);
  const account = match === null ? undefined : state.accounts.get(decodeURIComponent(match[1]!));
  if (match !== null && account === undefined) return json(404, { error: `no account ${match[1]}` });
  if (account !== undefined) {
    if (req.method === "GET" && match![2] === undefined) return json(200, accountView(state, account));
    if (req.method === "POST" && match![2] === "/keys") {
      const body = parse(KeyBody, req.body);
      if (isResponse(body)) return body;
      const key = addKey(state, account, body);
      return json(201, { accountId: account.id, apiKey: key.apiKey, secret: key.secret });
    }
    if (req.method === "POST" && match![2] === "/balances") {
      const body = parse(BalancesBody, req.body);
      if (isResponse(body)) return body;
      // here `balances` leaves the futures wallet alone unless futuresBalances is given
      setBalances(account, body.balances, body.futuresBalances ?? {});
      return json(200, accountView(state, account));
    }
    if (req.method === "POST" && match![2] === "/settings") {
      const body = parse(SettingsBody, req.body);
      if (isResponse(body)) return body;
      const refused = applySettings(state, account, body);
      return refused === null ? json(200, accountView(state, account)) : json(409, { error: refused });
    }
  }
  return json(404, { error: `no control route ${route}` });
}
