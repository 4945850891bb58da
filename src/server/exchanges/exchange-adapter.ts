/**
 * The exchange adapter: every exchange call KeyRelay makes goes through here. Per-key limits,
 * error mapping, and the "AUTH failure disables the key" hook live in one place. Creates are
 * never retried here: the caller (the engine) looks the order up by client order id first.
 */
import type { Exchange as CcxtExchange, Order as CcxtOrder } from "ccxt";
import type { CredentialRef, ExchangeClients } from "~/server/exchanges/exchange-clients";
import { ExchangeError, isExchangeError, mapCcxtError } from "~/server/exchanges/map-error";
import { PROFILES, type MarketType } from "~/server/exchanges/profiles";

export interface KeyPermissions {
  read: boolean;
  trade: boolean;
  futures: boolean;
  withdraw: boolean;
  ipRestricted: boolean;
}

export interface PlaceOrderInput {
  symbol: string;
  side: "buy" | "sell";
  type: "market" | "limit";
  amount: number;
  price?: number;
  clientOrderId: string;
  reduceOnly?: boolean;
}

export interface OrderView {
  id: string;
  clientOrderId: string | undefined;
  symbol: string;
  status: "open" | "closed" | "canceled" | "rejected" | "expired" | "unknown";
  amount: number | undefined;
  filled: number | undefined;
  average: number | undefined;
  fee: { cost: number; currency: string } | undefined;
}

export interface AdapterHooks {
  /** Called once per AUTH failure on a credential (the keys module disables it). */
  onAuthFailure?: (cred: CredentialRef, err: ExchangeError) => Promise<void> | void;
}

const RATE_LIMIT_PAUSE_MS = 1_000;

export class ExchangeAdapter {
  constructor(
    readonly clients: ExchangeClients,
    private readonly hooks: AdapterHooks = {},
  ) {}

  private async call<T>(
    cred: CredentialRef,
    bucket: "orders" | "requests",
    fn: (c: CcxtExchange) => Promise<T>,
    opts: { sent?: boolean } = {},
  ): Promise<T> {
    const limits = PROFILES[cred.exchange].limits;
    await this.clients.limiter.acquire(cred.apiKey, limits[bucket]);
    let client: CcxtExchange;
    try {
      client = await this.clients.clientFor(cred);
    } catch (err) {
      // Markets could not load (exchange down) or the secret could not be opened (vault error).
      if (err instanceof Error && err.name === "VaultError") throw err;
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

  fetchBalance(cred: CredentialRef, marketType: MarketType = "spot") {
    return this.call(cred, "requests", async (c) => {
      const params = marketType === "linear" && cred.exchange === "BINANCE" ? { type: "future" } : {};
      const b = await c.fetchBalance(params);
      return { free: b.free as unknown as Record<string, number>, total: b.total as unknown as Record<string, number> };
    });
  }

  /** Places an order. May throw UNKNOWN_OUTCOME: then the order may exist; look it up by client id. */
  async createOrder(cred: CredentialRef, o: PlaceOrderInput): Promise<OrderView> {
    const params: Record<string, unknown> = { clientOrderId: o.clientOrderId };
    if (o.reduceOnly) params.reduceOnly = true;
    const order = await this.call(
      cred,
      "orders",
      (c) => c.createOrder(o.symbol, o.type, o.side, o.amount, o.type === "limit" ? o.price : undefined, params),
      { sent: true },
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

  fetchOrder(cred: CredentialRef, symbol: string, id: string): Promise<OrderView> {
    return this.call(cred, "requests", async (c) => {
      const params = cred.exchange === "BYBIT" ? { acknowledged: true } : {};
      return toView(await c.fetchOrder(id, symbol, params), symbol, undefined);
    });
  }

  cancelOrder(cred: CredentialRef, symbol: string, id: string): Promise<OrderView> {
    return this.call(cred, "orders", async (c) => toView(await c.cancelOrder(id, symbol), symbol, undefined));
  }

  fetchPositions(cred: CredentialRef, symbols?: string[]) {
    return this.call(cred, "requests", async (c) => {
      const list = await c.fetchPositions(symbols);
      return list
        .filter((p) => Number(p.contracts ?? 0) !== 0)
        .map((p) => ({
          symbol: p.symbol,
          side: p.side as "long" | "short" | undefined,
          contracts: Number(p.contracts ?? 0),
          entryPrice: p.entryPrice === undefined ? undefined : Number(p.entryPrice),
          leverage: p.leverage === undefined ? undefined : Number(p.leverage),
        }));
    });
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

  /** Last traded price from the shared key-less client (public data, no user key involved). */
  async fetchPrice(exchange: CredentialRef["exchange"], symbol: string, environment: CredentialRef["environment"] = "LIVE"): Promise<number | null> {
    try {
      const client = await this.clients.publicClient(exchange, environment);
      const t = await client.fetchTicker(symbol);
      return num(t.last ?? t.close) ?? null;
    } catch (err) {
      throw mapCcxtError(err, exchange);
    }
  }

  /** Amount step and minimums of a market, from the shared markets. */
  async marketInfo(exchange: CredentialRef["exchange"], symbol: string, environment: CredentialRef["environment"] = "LIVE") {
    const client = await this.clients.publicClient(exchange, environment);
    const m = client.markets?.[symbol];
    if (!m) return null;
    return {
      amountStep: Number(m.precision?.amount ?? 0) || 1e-8,
      minAmount: num(m.limits?.amount?.min) ?? null,
      minNotional: num(m.limits?.cost?.min) ?? null,
      marketType: (m.spot ? "spot" : "linear") as "spot" | "linear",
    };
  }

  /** What the key may do, read from the exchange's own API-key endpoint. */
  fetchPermissions(cred: CredentialRef): Promise<KeyPermissions> {
    return this.call(cred, "requests", async (c) => {
      const api = c as unknown as Record<string, (p?: object) => Promise<unknown>>;
      if (cred.exchange === "BINANCE") {
        const r = (await api.sapiGetAccountApiRestrictions!()) as Record<string, unknown>;
        return {
          read: r.enableReading === true,
          trade: r.enableSpotAndMarginTrading === true,
          futures: r.enableFutures === true,
          withdraw: r.enableWithdrawals === true,
          ipRestricted: r.ipRestrict === true,
        };
      }
      const r = ((await api.privateGetV5UserQueryApi!()) as { result?: Record<string, unknown> }).result ?? {};
      const perms = (r.permissions ?? {}) as Record<string, string[] | undefined>;
      const readOnly = Number(r.readOnly ?? 0) === 1;
      const ips = (r.ips as string[] | undefined) ?? ["*"];
      return {
        read: true,
        trade: !readOnly && (perms.Spot ?? []).includes("SpotTrade"),
        futures: !readOnly && (perms.ContractTrade ?? []).includes("Order"),
        withdraw: (perms.Wallet ?? []).includes("Withdraw"),
        ipRestricted: !(ips.length === 0 || ips.includes("*")),
      };
    });
  }
}

function toView(o: CcxtOrder, symbol: string, clientOrderId: string | undefined): OrderView {
  const status = (o.status ?? "unknown") as OrderView["status"];
  return {
    id: String(o.id),
    clientOrderId: o.clientOrderId ?? clientOrderId,
    symbol: o.symbol ?? symbol,
    status,
    amount: num(o.amount),
    filled: num(o.filled),
    average: num(o.average),
    fee: o.fee && o.fee.cost !== undefined ? { cost: Number(o.fee.cost), currency: String(o.fee.currency ?? "") } : undefined,
  };
}

function num(v: unknown): number | undefined {
  return v === undefined || v === null || Number.isNaN(Number(v)) ? undefined : Number(v);
}
