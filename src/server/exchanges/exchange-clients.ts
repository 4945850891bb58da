/**
 * The one place an exchange client is built, and the only place a sealed secret is opened.
 * One long-lived ccxt client per credential (LRU-bounded): never one per order (30x slower,
 * a TLS handshake each), never one shared across users (concurrent calls get signed with the
 * wrong key). Markets are shared per (exchange, environment).
 */
import ccxt, { type Exchange as CcxtExchange } from "ccxt";
import { KeyLimiter } from "~/server/exchanges/key-limiter";
import { SharedMarkets } from "~/server/exchanges/markets";
import { PROFILES, type EnvironmentName, type ExchangeName } from "~/server/exchanges/profiles";
import type { Keyring } from "~/server/vault/keyring";
import { open } from "~/server/vault/secret-box";

/** The credential fields needed to build a client (a row of ExchangeCredential). */
export interface CredentialRef {
  id: string;
  userId: string;
  exchange: ExchangeName;
  environment: EnvironmentName;
  apiKey: string;
  sealedSecret: string;
}

export interface ExchangeClientsOptions {
  keyring: Keyring;
  /** Route every call to this base URL (the simulator) instead of the real exchanges. */
  simulatorUrl?: string;
  maxClients?: number;
  timeoutMs?: number;
}

interface CachedClient {
  client: CcxtExchange;
  sealedSecret: string;
  apiKey: string;
  marketsVersion: number;
  marketsKey: string;
}

export class ExchangeClients {
  readonly limiter = new KeyLimiter();
  readonly markets: SharedMarkets;
  private readonly cache = new Map<string, CachedClient>();
  private readonly maxClients: number;

  constructor(private readonly opts: ExchangeClientsOptions) {
    this.maxClients = opts.maxClients ?? 5000;
    this.markets = new SharedMarkets((key) => {
      const [exchange, environment] = key.split(":") as [ExchangeName, EnvironmentName];
      return this.construct(exchange, environment, undefined);
    });
  }

  /** A ready client for the credential, markets loaded; built (and its secret opened) only on a miss. */
  async clientFor(cred: CredentialRef): Promise<CcxtExchange> {
    const marketsKey = `${cred.exchange}:${cred.environment}`;
    const { loader, version } = await this.markets.get(marketsKey);
    let entry = this.cache.get(cred.id);
    if (entry && (entry.sealedSecret !== cred.sealedSecret || entry.apiKey !== cred.apiKey || entry.marketsKey !== marketsKey)) {
      this.evict(cred.id);
      entry = undefined;
    }
    if (!entry) {
      const secret = open(this.opts.keyring, cred.sealedSecret, {
        userId: cred.userId,
        exchange: cred.exchange,
        environment: cred.environment,
        apiKey: cred.apiKey,
      });
      const client = this.construct(cred.exchange, cred.environment, { apiKey: cred.apiKey, secret });
      entry = { client, sealedSecret: cred.sealedSecret, apiKey: cred.apiKey, marketsVersion: 0, marketsKey };
      if (this.cache.size >= this.maxClients) this.evict(this.cache.keys().next().value as string);
    } else {
      this.cache.delete(cred.id); // re-insert below: Map order is the LRU order
    }
    this.cache.set(cred.id, entry);
    if (entry.marketsVersion !== version) {
      entry.client.setMarketsFromExchange(loader);
      entry.marketsVersion = version;
    }
    return entry.client;
  }

  /** The shared key-less client for public data (markets, tickers). */
  async publicClient(exchange: ExchangeName, environment: EnvironmentName): Promise<CcxtExchange> {
    return (await this.markets.get(`${exchange}:${environment}`)).loader;
  }

  evict(credentialId: string) {
    const entry = this.cache.get(credentialId);
    this.cache.delete(credentialId);
    // ccxt's close() leaves the per-instance undici pool open; close it so keep-alive sockets go too.
    const dispatcher = (entry?.client as unknown as { fetchDispatcher?: { close?: () => Promise<void> } } | undefined)?.fetchDispatcher;
    void dispatcher?.close?.().catch(() => undefined);
  }

  get size() {
    return this.cache.size;
  }

  private construct(exchange: ExchangeName, environment: EnvironmentName, auth: { apiKey: string; secret: string } | undefined) {
    const p = PROFILES[exchange];
    const Ctor = ccxt[p.ccxtId] as unknown as new (config: Record<string, unknown>) => CcxtExchange;
    const client = new Ctor({
      ...(auth ?? {}),
      enableRateLimit: false,
      timeout: this.opts.timeoutMs ?? 10_000,
      options: { ...p.options },
      ...(p.has ? { has: p.has } : {}),
    });
    if (this.opts.simulatorUrl) {
      pointAt(client, this.opts.simulatorUrl.replace(/\/$/, ""));
    } else if (environment === "TESTNET") {
      client.setSandboxMode(true);
    } else if (environment === "DEMO") {
      client.enableDemoTrading(true);
    }
    return client;
  }
}

/** Sends every REST call to `base`, keeping each endpoint's path (and so its API version). */
function pointAt(client: CcxtExchange, base: string) {
  const api = (client.urls as { api: Record<string, string> }).api;
  for (const name of Object.keys(api)) api[name] = api[name]!.replace(/^https:\/\/[^/]+/, base);
}
