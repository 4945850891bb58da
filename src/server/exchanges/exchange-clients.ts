/**
 * The one place an exchange client is built, and the only place a sealed secret is opened.
 * One long-lived ccxt client per credential (LRU-bounded): never one per order (30x slower,
 * a TLS handshake each), never one shared across users (concurrent calls get signed with the
 * wrong key). Markets are shared per (exchange, environment), and so is the HTTP connection pool:
 * sockets carry no identity (every request is signed on its own), so a fan-out reuses warm
 * keep-alive connections instead of opening (and, live, TLS-handshaking) one per key.
 */
import ccxt, { type Exchange as CcxtExchange } from "ccxt";
import { envVar } from "~/env";
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
  /** How long the exchange accepts a signed request (default EXCHANGE_RECV_WINDOW_MS); the engine's re-send rule relies on it. */
  recvWindowMs?: number;
  /** The clients, markets and limits to work on (another instance's `state`); default: new ones. */
  state?: ExchangeClientsState;
}

/**
 * Everything an ExchangeClients keeps. A process keeps one (src/server/composition.ts, engine/runtime.ts):
 * each module graph that loads this file builds its own ExchangeClients over it, so a secret is opened,
 * and its VaultError thrown, by the caller's own copy of the vault code.
 */
export interface ExchangeClientsState {
  readonly limiter: KeyLimiter;
  readonly markets: SharedMarkets;
  readonly cache: Map<string, CachedClient>;
  sharedDispatcher?: Dispatcher;
}

interface CachedClient {
  client: CcxtExchange;
  sealedSecret: string;
  apiKey: string;
  marketsVersion: number;
  marketsKey: string;
  /** ccxt's transport set up, on the shared connection pool. */
  transport: Promise<void>;
}

/** The ccxt members used to put a client on the shared pool (public in ccxt's typings, undocumented). */
interface CcxtTransport {
  loadFetchImplementation(): Promise<unknown>;
  loadProxyModules(): Promise<unknown>;
  getDispatcherOptions(isPlainAgent?: boolean): Record<string, unknown>;
  undiciModule?: { Agent: new (options: Record<string, unknown>) => Dispatcher };
  fetchDispatcher?: Dispatcher;
}
interface Dispatcher {
  close(): Promise<void>;
}

export class ExchangeClients {
  readonly state: ExchangeClientsState;
  readonly limiter: KeyLimiter;
  readonly markets: SharedMarkets;
  private readonly cache: Map<string, CachedClient>;
  private readonly maxClients: number;

  constructor(private readonly opts: ExchangeClientsOptions) {
    this.maxClients = opts.maxClients ?? 5000;
    this.state = opts.state ?? {
      limiter: new KeyLimiter(),
      markets: new SharedMarkets((key) => {
        const [exchange, environment] = key.split(":") as [ExchangeName, EnvironmentName];
        return this.construct(exchange, environment, undefined);
      }),
      cache: new Map(),
    };
    ({ limiter: this.limiter, markets: this.markets, cache: this.cache } = this.state);
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
      entry = { client, sealedSecret: cred.sealedSecret, apiKey: cred.apiKey, marketsVersion: 0, marketsKey, transport: this.shareTransport(client) };
      if (this.cache.size >= this.maxClients) this.evict(this.cache.keys().next().value as string);
    } else {
      this.cache.delete(cred.id); // re-insert below: Map order is the LRU order
    }
    this.cache.set(cred.id, entry);
    if (entry.marketsVersion !== version) {
      entry.client.setMarketsFromExchange(loader);
      entry.marketsVersion = version;
    }
    await entry.transport;
    return entry.client;
  }

  /**
   * Builds clients ahead of their first order (a ccxt instance costs ~3 ms of CPU to construct: a
   * thousand-subscriber fan-out to keys this process has not used yet would spend seconds on it).
   * One client at a time, yielding to the event loop in between and waiting while `busy()` says
   * real work is running. Stops at the cache's capacity; a key that cannot be opened is skipped
   * (its orders fail the usual way). Returns how many clients were built.
   */
  async prewarm(creds: CredentialRef[], opts: { busy?: () => boolean; stopped?: () => boolean } = {}): Promise<number> {
    let built = 0;
    for (const cred of creds) {
      if (opts.stopped?.() || this.cache.size >= this.maxClients) break;
      if (this.cache.has(cred.id)) continue;
      while (opts.busy?.() && !opts.stopped?.()) await new Promise((r) => setTimeout(r, 25));
      try {
        await this.clientFor(cred);
        built++;
      } catch {
        // markets unavailable or the secret cannot be opened: the order path reports it
      }
      await new Promise((r) => setImmediate(r));
    }
    return built;
  }

  /**
   * Lets ccxt set up its transport (undici) and look for its optional proxy modules -- work it
   * otherwise does on a client's first request (~2 ms: module resolution, failed imports) -- then
   * swaps its per-instance pool for the shared one.
   */
  private async shareTransport(client: CcxtExchange): Promise<void> {
    const c = client as unknown as CcxtTransport;
    try {
      await Promise.all([c.loadFetchImplementation(), c.loadProxyModules()]);
      const own = c.fetchDispatcher;
      if (!own || !c.undiciModule) return; // no undici: ccxt uses the global fetch and its pool
      // No per-origin socket cap: a fan-out has one request in flight per key, as many as there are keys.
      this.state.sharedDispatcher ??= new c.undiciModule.Agent({ ...c.getDispatcherOptions(true), connections: null });
      c.fetchDispatcher = this.state.sharedDispatcher;
      void own.close().catch(() => undefined); // never used: no sockets
    } catch {
      // keep ccxt's own transport
    }
  }

  /** The shared key-less client for public data (markets, tickers). */
  async publicClient(exchange: ExchangeName, environment: EnvironmentName): Promise<CcxtExchange> {
    return (await this.markets.get(`${exchange}:${environment}`)).loader;
  }

  evict(credentialId: string) {
    const entry = this.cache.get(credentialId);
    this.cache.delete(credentialId);
    // ccxt's close() leaves the per-instance undici pool open; close it so keep-alive sockets go too
    // (a client on the shared pool has none of its own: the shared one serves every other client).
    const dispatcher = (entry?.client as unknown as { fetchDispatcher?: { close?: () => Promise<void> } } | undefined)?.fetchDispatcher;
    if (dispatcher !== this.state.sharedDispatcher) void dispatcher?.close?.().catch(() => undefined);
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
      options: { ...p.options, recvWindow: this.opts.recvWindowMs ?? envVar("EXCHANGE_RECV_WINDOW_MS") },
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
