// Test-only helpers: ccxt clients (unmodified ccxt) pointed at the simulator,
// and thin wrappers over the control API. The production exchange layer lives
// in src/server/exchanges/ and must not import this file.
import ccxt from "ccxt";

export interface Credentials {
  apiKey: string;
  secret: string;
}

export interface ClientOptions {
  /**
   * Keep ccxt's real https URLs and rewrite the host inside a custom fetch.
   * ccxt picks Binance's per-market error table (futures -2019, -4116) by URL
   * prefix, so only this mode reproduces production error classes for /fapi.
   */
  realHosts?: boolean;
  timeoutMs?: number;
}

const HOST = /^https:\/\/[^/]+/;

function pointAt(exchange: { urls: Record<string, unknown>; hostname?: string }, base: string): void {
  const api = exchange.urls.api as Record<string, string>;
  for (const name of Object.keys(api)) api[name] = (api[name] as string).replace(HOST, base);
}

function rewritingFetch(base: string): typeof fetch {
  return (input, init) => fetch(String(input).replace(HOST, base), init);
}

export function binanceClient(base: string, creds: Credentials, opts: ClientOptions = {}): InstanceType<typeof ccxt.binance> {
  const client = new ccxt.binance({
    apiKey: creds.apiKey,
    secret: creds.secret,
    enableRateLimit: false,
    timeout: opts.timeoutMs ?? 10_000,
    // without these loadMarkets also hits /sapi capital and margin endpoints
    options: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ["spot", "linear"] } },
  });
  if (opts.realHosts === true) client.fetchImplementation = rewritingFetch(base);
  else pointAt(client as never, base);
  return client;
}

export function bybitClient(base: string, creds: Credentials, opts: ClientOptions = {}): InstanceType<typeof ccxt.bybit> {
  const client = new ccxt.bybit({
    apiKey: creds.apiKey,
    secret: creds.secret,
    enableRateLimit: false,
    timeout: opts.timeoutMs ?? 10_000,
    has: { fetchCurrencies: false },
    // declaring the account UTA up front saves the query-api + account/info round trip on first use
    options: { fetchMarkets: { types: ["spot", "linear"] }, enableUnifiedAccount: true, enableUnifiedMargin: false, unifiedMarginStatus: 6 },
  });
  if (opts.realHosts === true) client.fetchImplementation = rewritingFetch(base);
  else pointAt(client as never, base);
  return client;
}

async function call<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(data)}`);
  return data;
}

export const simGet = <T = unknown>(base: string, path: string): Promise<T> => call<T>(base, "GET", path);
export const simPost = <T = unknown>(base: string, path: string, body: unknown = {}): Promise<T> => call<T>(base, "POST", path, body);
export const simDelete = <T = unknown>(base: string, path: string): Promise<T> => call<T>(base, "DELETE", path);

export interface SimAccount extends Credentials {
  accountId: string;
}

export interface AccountSettings {
  /** one-way (false, default) or hedge mode */
  hedgeMode?: boolean;
  /** Bybit: the UTA margin mode; Binance: the margin type of `symbols` (default every symbol) */
  marginMode?: "cross" | "isolated";
  symbols?: string[];
  /** per exchange symbol, e.g. { BTCUSDT: 10 } */
  leverage?: Record<string, number>;
}

export interface AccountSpec extends AccountSettings {
  exchange: "binance" | "bybit";
  permissions?: { read?: boolean; spotTrade?: boolean; futures?: boolean; withdraw?: boolean };
  ipRestricted?: boolean;
  ips?: string[];
  /** when the key (Bybit) or its trading authority (Binance) expires: ISO time or epoch ms; null = never */
  expiresAt?: string | number | null;
  balances?: Record<string, string | number>;
  futuresBalances?: Record<string, string | number>;
}

export const createSimAccount = (base: string, spec: AccountSpec): Promise<SimAccount> => simPost<SimAccount>(base, "/__sim/accounts", spec);

/** Sets when a key expires (ISO time or epoch ms; null = never); past it the exchange refuses the key. */
export const setSimKeyExpiry = (base: string, apiKey: string, expiresAt: string | number | null): Promise<{ apiKey: string; expiresAt: string | null }> =>
  simPost(base, `/__sim/keys/${encodeURIComponent(apiKey)}`, { expiresAt });

/** A conditional order's trigger as the ledger shows it. */
export interface LedgerTrigger {
  /** the exchange's type: STOP_MARKET, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET, ... (Binance); Stop, StopLoss, TakeProfit, PartialTakeProfit, TrailingStop, ... (Bybit) */
  type: string;
  price: string | null;
  direction: "rise" | "fall";
  status: "NEW" | "TRIGGERED" | "FILLED" | "CANCELED" | "EXPIRED";
  closePosition: boolean;
  tpsl: "Full" | "Partial" | null;
  callbackRate: string | null;
  trailingDistance: string | null;
  activationPrice: string | null;
  triggeredAt: number | null;
  /** Binance: the order the algo order placed when it fired */
  triggeredOrderId: string | null;
  /** why the exchange dropped it (CancelByTpSlTsClear, CancelByReduceOnly, REJECTED, ...) */
  reason: string | null;
}

export interface LedgerOrder {
  id: string;
  apiKey: string;
  exchange: string;
  accountId: string;
  symbol: string;
  exchangeSymbol: string;
  category: "spot" | "linear";
  side: string;
  type: string;
  amount: string;
  price: string | null;
  average: string | null;
  filled: string;
  fee: string;
  feeAsset: string | null;
  status: string;
  clientOrderId: string | null;
  reduceOnly: boolean;
  positionSide: "BOTH" | "LONG" | "SHORT";
  trigger: LedgerTrigger | null;
  createdAt: number;
}

export async function ledger(base: string, query = ""): Promise<LedgerOrder[]> {
  return (await simGet<{ orders: LedgerOrder[] }>(base, "/__sim/orders" + query)).orders;
}

/** Moves a pair's price (fills crossed limits, fires conditionals). */
export const setSimPrice = (base: string, symbol: string, price: string | number, exchange?: "binance" | "bybit"): Promise<{ filled: number; triggered: number }> =>
  simPost(base, "/__sim/prices", exchange === undefined ? { symbol, price } : { exchange, symbol, price });

/** The error a promise rejects with; throws if it resolves. Tests then assert the exact ccxt class. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to fail, it succeeded");
}
