// Control API under /__sim/: set up accounts and keys, move prices, inject
// faults, read the order ledger. JSON in and out; bodies validated with zod.
import { z } from "zod";
import { accountView, orderView } from "./control-views.ts";
import { ZERO, formatTrim, fx } from "./fixed.ts";
import { hasPosition } from "./margin.ts";
import type { ExchangeId } from "./markets.ts";
import { addFault } from "./faults.ts";
import { type Account, type ApiKey, type SimState, findMarket, newAccount, newKeyPair, resetState } from "./state.ts";
import { setPrice } from "./triggers.ts";
import { type SimRequest, type SimResponse, json } from "./wire.ts";

const decimal = z.string().regex(/^\d+(\.\d{1,8})?$/, "a decimal string with at most 8 places, e.g. \"10000\" or \"0.5\"");
/** an amount as a decimal string or a plain number (`{"USDT": 1000}`), normalised to a string */
const amount = z.union([
  decimal,
  z
    .number({ error: "a number or a decimal string with at most 8 places, e.g. 1000 or \"0.5\"" })
    .finite()
    .nonnegative("must not be negative")
    .transform((n) => n.toFixed(8)),
]);
const balances = z.record(z.string().regex(/^[A-Z0-9]{2,12}$/, "an asset code like USDT"), amount);
/** futures settings an account starts with or is switched to (the exchanges' own preconditions apply: no open positions) */
const settingsFields = {
  /** one-way (false, default) or hedge mode: Binance account-wide, Bybit the default for every symbol */
  hedgeMode: z.boolean().optional(),
  /** Bybit: the UTA margin mode (account-wide); Binance: the margin type of `symbols` (default: every symbol) */
  marginMode: z.enum(["cross", "isolated"]).optional(),
  symbols: z.array(z.string().regex(/^[A-Z0-9]+$/, "an exchange symbol like BTCUSDT")).min(1).optional(),
  /** leverage per exchange symbol, e.g. {"BTCUSDT": 10} */
  leverage: z.record(z.string().regex(/^[A-Z0-9]+$/, "an exchange symbol like BTCUSDT"), z.number().int().min(1)).optional(),
};
const permissions = z.strictObject({
  read: z.boolean().optional(),
  spotTrade: z.boolean().optional(),
  futures: z.boolean().optional(),
  withdraw: z.boolean().optional(),
});
const keyFields = {
  permissions: permissions.optional(),
  /** true: the key works only from `ips` (Binance ipRestrict true, Bybit ips = the list); false/absent: from anywhere (Bybit ["*"]) */
  ipRestricted: z.boolean().optional(),
  /** the whitelisted client addresses; implies ipRestricted (default when restricted: loopback, so the key still works locally) */
  ips: z.array(z.union([z.ipv4(), z.ipv6()], { error: "ips must be IP addresses (leave ips out for a key usable from any IP)" })).min(1).optional(),
};
const ipFieldsAgree = (b: { ipRestricted?: boolean; ips?: string[] }) => !(b.ipRestricted === false && b.ips !== undefined);
const ipFieldsDisagree = { error: "ips lists the addresses of an IP-restricted key: drop ipRestricted: false, or drop ips", path: ["ips"] };
const AccountBody = z.strictObject({
  exchange: z.enum(["binance", "bybit"]),
  ...keyFields,
  balances: balances.optional(),
  /** Binance USDⓈ-M wallet; defaults to the USDT/USDC entries of `balances`. Ignored for Bybit (one UNIFIED wallet). */
  futuresBalances: balances.optional(),
  ...settingsFields,
}).refine(ipFieldsAgree, ipFieldsDisagree);
const SettingsBody = z.strictObject(settingsFields);
const KeyBody = z.strictObject(keyFields).refine(ipFieldsAgree, ipFieldsDisagree);
const BalancesBody = z.strictObject({ balances: balances.optional(), futuresBalances: balances.optional() });
const PriceBody = z.strictObject({
  exchange: z.enum(["binance", "bybit"]).optional(),
  symbol: z.string().regex(/^[A-Z0-9]+(\/[A-Z0-9]+(:[A-Z0-9]+)?)?$/, "BTC/USDT, BTC/USDT:USDT or BTCUSDT"),
  price: z.union([decimal, z.number().positive()]),
});
const FaultBody = z.strictObject({
  apiKey: z.string().min(1).optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  status: z.union([z.literal(429), z.literal(418), z.literal(500), z.literal(502), z.literal(503)]).optional(),
  timeout: z.boolean().optional(),
  dropAfterAccept: z.boolean().optional(),
  count: z.number().int().positive().optional(),
  paths: z.array(z.string().startsWith("/")).min(1).optional(),
});
const LimitsBody = z.strictObject({
  binanceWeight: z.number().int().positive().optional(),
  binanceWindowMs: z.number().int().positive().optional(),
  bybitOrders: z.number().int().positive().optional(),
  bybitWindowMs: z.number().int().positive().optional(),
});

const DEFAULT_BALANCES = { USDT: "10000" };
const LOOPBACK = ["127.0.0.1", "::1"];

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
  const key: ApiKey = {
    apiKey,
    secret,
    accountId: account.id,
    exchange: account.exchange,
    permissions: { read: p.read ?? true, spotTrade: p.spotTrade ?? true, futures: p.futures ?? true, withdraw: p.withdraw ?? false },
    ips: body.ips ?? (body.ipRestricted === true ? LOOPBACK : null),
    createdAt: Date.now(),
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
  const price = fx(typeof body.price === "number" ? body.price.toFixed(8) : body.price);
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
