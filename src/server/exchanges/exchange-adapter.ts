/**
 * The exchange adapter: every exchange call KeyRelay makes goes through here. Per-key limits,
 * error mapping, and the "AUTH failure disables the key" hook live in one place. Creates are
 * never retried here: the caller (the engine) looks the order up by client order id first.
 * Amounts, prices, fees and balances are canonical decimal strings on this side; ccxt's numbers
 * exist only at the ccxt call, and an amount or price a float would change is refused, not sent.
 */
import type { Exchange as CcxtExchange } from "ccxt";
import { ccxtNumber, decimal, decimals, num, toView } from "~/server/exchanges/ccxt-values";
import type { CredentialRef, ExchangeClients } from "~/server/exchanges/exchange-clients";
import { AccountSettings } from "~/server/exchanges/account-settings";
import { fetchBybitOrder } from "~/server/exchanges/bybit-read-back";
import { withBeforeWrite } from "~/server/exchanges/credential-views";
import { ExchangeError, isExchangeError, mapCcxtError } from "~/server/exchanges/map-error";
import { marketRules, type MarketInfo } from "~/server/exchanges/market-rules";
import { PROFILES, type MarketType } from "~/server/exchanges/profiles";
import { readKeyInfo, readPermissions, type KeyInfo, type KeyPermissions } from "~/server/exchanges/key-permissions";
import { cancelProtective, placeProtective, readProtective, tradesFee, type ProtectiveInput, type ProtectiveView } from "~/server/exchanges/protective-orders";
import { dec, decStr } from "~/server/money/decimal";
import { isVaultError } from "~/server/vault/secret-box";


export type { KeyInfo, KeyPermissions };

export interface PlaceOrderInput {
  symbol: string;
  side: "buy" | "sell";
  type: "market" | "limit";
  /** Decimal string on the market's amount step, e.g. "0.015". */
  amount: string;
  /** Decimal string; limit orders only. */
  price?: string;
  clientOrderId: string;
  reduceOnly?: boolean;
  /** Set on hedge-mode accounts: the position side this order opens (or, reduce-only, closes). */
  hedgeSide?: "long" | "short";
  /** Awaited right before the create request is handed to the connection pool (signed, ready to go). */
  beforeWrite?: () => Promise<void>;
  /** Called when the key's rate limit holds the create back (before the wait). */
  onLimiterWait?: () => void;
}

export interface OrderView {
  id: string;
  clientOrderId: string | undefined;
  symbol: string;
  status: "open" | "closed" | "canceled" | "rejected" | "expired" | "unknown";
  /** Decimal strings, as the exchange reported them. */
  amount: string | undefined;
  filled: string | undefined;
  average: string | undefined;
  fee: { cost: string; currency: string } | undefined;
}

export interface PositionView {
  symbol: string;
  side: "long" | "short" | undefined;
  /** Decimal strings. */
  contracts: string;
  entryPrice: string | undefined;
  leverage: number | undefined;
  /** The account is in hedge mode (a long and a short side per symbol). */
  hedged: boolean;
}

export interface AdapterHooks {
  /** Called once per AUTH failure on a credential (the keys module disables it). */
  onAuthFailure?: (cred: CredentialRef, err: ExchangeError) => Promise<void> | void;
}

const RATE_LIMIT_PAUSE_MS = 1_000;

/** The exchange refused an order because its position side does not match the account's mode (one-way vs hedge). */
export function isPositionModeMismatch(err: unknown, exchange: CredentialRef["exchange"]): boolean {
  if (!isExchangeError(err) || err.exchangeCode === undefined || !PROFILES[exchange].positionModeCodes.includes(err.exchangeCode)) return false;
  return exchange === "BINANCE" || /position idx not match position mode/i.test(err.message);
}

export class ExchangeAdapter {
  /** Position mode, leverage and margin mode last learned or set per key and symbol. */
  readonly accountSettings = new AccountSettings();

  constructor(
    readonly clients: ExchangeClients,
    private readonly hooks: AdapterHooks = {},
  ) {}

  private async call<T>(
    cred: CredentialRef,
    bucket: "orders" | "requests",
    fn: (c: CcxtExchange) => Promise<T>,
    opts: { sent?: boolean; onLimiterWait?: () => void } = {},
  ): Promise<T> {
    const limits = PROFILES[cred.exchange].limits;
    const wait = this.clients.limiter.reserve(cred.apiKey, limits[bucket]);
    if (wait > 0) {
      opts.onLimiterWait?.();
      await new Promise((r) => setTimeout(r, Math.ceil(wait)));
    }
    let client: CcxtExchange;
    try {
      client = await this.clients.clientFor(cred);
    } catch (err) {
      // Markets could not load (exchange down) or the secret could not be opened (vault error).
      if (isVaultError(err)) throw err;
      throw mapCcxtError(err, cred.exchange);
    }
    try {
      return await fn(client);
    } catch (err) {
      const mapped = mapCcxtError(err, cred.exchange, opts);
      if (mapped.kind === "RATE_LIMITED") this.clients.limiter.pause(cred.apiKey, RATE_LIMIT_PAUSE_MS);
      if (mapped.kind === "AUTH") {
        this.clients.evict(cred.id);
        await this.hooks.onAuthFailure?.(cred, mapped);
      }
      throw mapped;
    }
  }

  /** Free and total per currency, as decimal strings; a currency the exchange gave no number for is left out. */
  fetchBalance(cred: CredentialRef, marketType: MarketType = "spot"): Promise<{ free: Record<string, string>; total: Record<string, string> }> {
    return this.call(cred, "requests", async (c) => {
      const params = marketType === "linear" && cred.exchange === "BINANCE" ? { type: "future" } : {};
      const b = await c.fetchBalance(params);
      return { free: decimals(b.free), total: decimals(b.total) };
    });
  }

  /** Places an order. May throw UNKNOWN_OUTCOME: then the order may exist; look it up by client id. */
  async createOrder(cred: CredentialRef, o: PlaceOrderInput): Promise<OrderView> {
    const params: Record<string, unknown> = { clientOrderId: o.clientOrderId };
    if (o.reduceOnly) params.reduceOnly = true;
    if (o.hedgeSide) params.hedged = true; // ccxt sets Binance's positionSide / Bybit's positionIdx from the side
    const amount = ccxtNumber("amount", o.amount);
    const price = o.type === "limit" && o.price !== undefined ? ccxtNumber("price", o.price) : undefined;
    const order = await this.call(
      cred,
      "orders",
      (c) => {
        // ccxt truncates the amount to the market's step without a word; an amount off the step is a bug upstream, refused here.
        const sent = decimal(c.amountToPrecision(o.symbol, amount));
        if (sent !== decStr(o.amount)) {
          throw new ExchangeError("INVALID_ORDER", `The amount ${decStr(o.amount)} is not a multiple of ${o.symbol}'s amount step; it would have been sent as ${sent ?? "nothing"}.`);
        }
        const call = o.beforeWrite ? withBeforeWrite(c, { matches: isOrderCreate, run: o.beforeWrite }) : c;
        return call.createOrder(o.symbol, o.type, o.side, amount, price, params);
      },
      { sent: true, onLimiterWait: o.onLimiterWait },
    );
    return toView(order, o.symbol, o.clientOrderId);
  }

  /** The order with this client order id, open or closed, or null when the exchange has none. */
  async findOrderByClientId(cred: CredentialRef, symbol: string, clientOrderId: string): Promise<OrderView | null> {
    try {
      return await this.call(cred, "requests", async (c) => {
        if (cred.exchange === "BINANCE") {
          return toView(await c.fetchOrder(undefined as unknown as string, symbol, { origClientOrderId: clientOrderId }), symbol, clientOrderId);
        }
        const params = { orderLinkId: clientOrderId };
        const open = await c.fetchOpenOrders(symbol, undefined, undefined, params);
        const hit = open.find((x) => x.clientOrderId === clientOrderId);
        if (hit) return toView(hit, symbol, clientOrderId);
        const closed = await c.fetchClosedOrders(symbol, undefined, undefined, params);
        const done = closed.find((x) => x.clientOrderId === clientOrderId);
        if (done) return toView(done, symbol, clientOrderId);
        throw new ExchangeError("NOT_FOUND", "no such order");
      });
    } catch (err) {
      if (isExchangeError(err) && err.kind === "NOT_FOUND") return null;
      throw err;
    }
  }

  /** By exchange order id (Bybit's: read directly, bybit-read-back.ts). */
  fetchOrder(cred: CredentialRef, symbol: string, id: string): Promise<OrderView> {
    return this.call(cred, "requests", async (c) => (cred.exchange === "BYBIT" ? fetchBybitOrder(c, symbol, id) : toView(await c.fetchOrder(id, symbol), symbol, undefined)));
  }

  /**
   * The fee an order paid, from its trades: Binance's query-order answer (what a look-up by client
   * order id returns) carries no commission. Null when the trades carry none or mix currencies.
   */
  fetchOrderFee(cred: CredentialRef, symbol: string, id: string): Promise<{ cost: string; currency: string } | null> {
    return this.call(cred, "requests", async (c) => {
      // ccxt's Binance fetchOrderTrades is spot-only; the account's trades filtered by the order serve both markets.
      if (cred.exchange === "BINANCE") return (await tradesFee(c, symbol, id)) ?? null;
      const trades = await c.fetchOrderTrades(id, symbol);
      const fees = trades.flatMap((t) => (t.fee && t.fee.cost !== undefined && t.fee.currency ? [{ cost: decStr(t.fee.cost), currency: t.fee.currency }] : []));
      if (fees.length === 0 || fees.some((f) => f.currency !== fees[0]!.currency)) return null;
      return { cost: fees.reduce((sum, f) => sum.plus(f.cost), dec(0)).toFixed(), currency: fees[0]!.currency };
    });
  }

  cancelOrder(cred: CredentialRef, symbol: string, id: string): Promise<OrderView> {
    return this.call(cred, "orders", async (c) => toView(await c.cancelOrder(id, symbol), symbol, undefined));
  }

  /** Places a reduce-only stop-loss, take-profit or trailing stop. Like createOrder: may throw UNKNOWN_OUTCOME, never retried here. */
  createProtective(cred: CredentialRef, o: ProtectiveInput): Promise<{ id: string }> {
    return this.call(cred, "orders", (c) => placeProtective(c, cred.exchange, o), { sent: true });
  }

  /** A protective order by id, or by client order id; null when the exchange has none. */
  fetchProtective(cred: CredentialRef, symbol: string, ref: { id?: string | null; clientOrderId: string }): Promise<ProtectiveView | null> {
    return this.call(cred, "requests", (c) => readProtective(c, cred.exchange, symbol, ref));
  }

  cancelProtective(cred: CredentialRef, symbol: string, id: string): Promise<void> {
    return this.call(cred, "orders", (c) => cancelProtective(c, cred.exchange, symbol, id));
  }

  /** Open positions (contracts not 0). */
  fetchPositions(cred: CredentialRef, symbols?: string[]): Promise<PositionView[]> {
    return this.call(cred, "requests", async (c) => {
      const list = await c.fetchPositions(symbols);
      return list.flatMap((p) => {
        const contracts = decimal(p.contracts) ?? "0";
        if (contracts === "0") return [];
        return [{ symbol: p.symbol ?? "", side: p.side as PositionView["side"], contracts, entryPrice: decimal(p.entryPrice), leverage: num(p.leverage), hedged: p.hedged === true }];
      });
    });
  }

  /**
   * Margin mode (isolated / cross) for the symbol (Bybit UTA: the whole account); "already set"
   * answers count as success.
   */
  async setMarginMode(cred: CredentialRef, symbol: string, mode: "isolated" | "cross"): Promise<void> {
    try {
      await this.call(cred, "requests", (c) => c.setMarginMode(mode, symbol));
    } catch (err) {
      if (isExchangeError(err) && err.exchangeCode !== undefined && PROFILES[cred.exchange].noopCodes.includes(err.exchangeCode)) return;
      throw err;
    }
  }

  /** Sets leverage; "not modified" answers count as success. */
  async setLeverage(cred: CredentialRef, symbol: string, leverage: number): Promise<void> {
    try {
      await this.call(cred, "requests", (c) => c.setLeverage(leverage, symbol));
    } catch (err) {
      if (isExchangeError(err) && err.exchangeCode !== undefined && PROFILES[cred.exchange].noopCodes.includes(err.exchangeCode)) return;
      throw err;
    }
  }

  /** Last traded price, a decimal string, from the shared key-less client (public data, no user key involved). */
  async fetchPrice(exchange: CredentialRef["exchange"], symbol: string, environment: CredentialRef["environment"] = "LIVE"): Promise<string | null> {
    try {
      const client = await this.clients.publicClient(exchange, environment);
      const t = await client.fetchTicker(symbol);
      return decimal(t.last ?? t.close) ?? null;
    } catch (err) {
      throw mapCcxtError(err, exchange);
    }
  }

  /** Amount step and minimums of a market, from the shared markets. */
  async marketInfo(exchange: CredentialRef["exchange"], symbol: string, environment: CredentialRef["environment"] = "LIVE"): Promise<Readonly<MarketInfo> | null> {
    const client = await this.clients.publicClient(exchange, environment);
    const m = client.markets?.[symbol];
    return m ? marketRules(m) : null;
  }

  /** What the key may do, read from the exchange's own API-key endpoint. */
  fetchPermissions(cred: CredentialRef): Promise<KeyPermissions> {
    return this.call(cred, "requests", (c) => readPermissions(c, cred.exchange));
  }

  /** The key's permissions, expiry and IP binding, read from the exchange's own API-key endpoint. */
  fetchKeyInfo(cred: CredentialRef): Promise<KeyInfo> {
    return this.call(cred, "requests", (c) => readKeyInfo(c, cred.exchange));
  }
}

/** The create request itself (Binance spot / USD-M, Bybit v5), not a look-up ccxt makes on the way. */
function isOrderCreate(url: string, method: string): boolean {
  return method === "POST" && /\/(?:api\/v3\/order|fapi\/v1\/order|v5\/order\/create)(?:\?|$)/.test(url);
}
