/**
 * The one place an exchange client is built, and the only place a sealed secret is opened.
 * One ccxt instance per (exchange, environment) holds the markets and the HTTP connection pool
 * (sockets carry no identity: every request is signed on its own, so a fan-out reuses warm
 * keep-alive connections). Each credential gets a view of it (credential-views.ts): its own key,
 * secret and options, everything else shared, so a key never used before costs microseconds, not
 * a ccxt build. Views are kept in an LRU (bounded) so a secret is opened once, not per order;
 * never one client shared across users (concurrent calls would be signed with the wrong key).
 */
import type { Exchange as CcxtExchange } from "ccxt";
import { envVar } from "~/env";
import { credentialView, viewableClass } from "~/server/exchanges/credential-views";
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
  /** Keep-alive sockets per exchange host (default EXCHANGE_MAX_CONNECTIONS). */
  maxConnections?: number;
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
  /** Per shared instance: its transport set up on the shared connection pool. */
  readonly transports: WeakMap<CcxtExchange, Promise<void>>;
}

interface CachedClient {
  client: CcxtExchange;
  sealedSecret: string;
  apiKey: string;
  /** The shared instance the view is of (markets reloaded there are seen at once). */
  shared: CcxtExchange;
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
    this.maxClients = opts.maxClients ?? 20_000; // a view is a few KB: 10,000 subscribers' keys stay open
    this.state = opts.state ?? {
      limiter: new KeyLimiter(),
      markets: new SharedMarkets((key) => {
        const [exchange, environment] = key.split(":") as [ExchangeName, EnvironmentName];
        return this.construct(exchange, environment);
      }),
      cache: new Map(),
      transports: new WeakMap(),
    };
    ({ limiter: this.limiter, markets: this.markets, cache: this.cache } = this.state);
  }

  /** A ready client for the credential, markets loaded; its secret opened only on a miss. */
  async clientFor(cred: CredentialRef): Promise<CcxtExchange> {
    const { loader: shared } = await this.markets.get(`${cred.exchange}:${cred.environment}`);
    let entry = this.cache.get(cred.id);
    if (entry && (entry.sealedSecret !== cred.sealedSecret || entry.apiKey !== cred.apiKey || entry.shared !== shared)) {
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
      entry = { client: credentialView(shared, { apiKey: cred.apiKey, secret }), sealedSecret: cred.sealedSecret, apiKey: cred.apiKey, shared };
      if (this.cache.size >= this.maxClients) this.evict(this.cache.keys().next().value as string);
    } else {
      this.cache.delete(cred.id); // re-insert below: Map order is the LRU order
    }
    this.cache.set(cred.id, entry);
    let transport = this.state.transports.get(shared);
    if (!transport) this.state.transports.set(shared, (transport = this.shareTransport(shared)));
    await transport;
    return entry.client;
  }

  /**
   * Opens keys ahead of their first order (a view is cheap, but opening a sealed secret and loading
   * the markets are not free).
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
      // At most EXCHANGE_MAX_CONNECTIONS keep-alive sockets per exchange host. A fan-out has one request in flight per key;
      // uncapped, the first one after a quiet spell opened a socket (and on a real exchange a TLS handshake) for each
      // of them at once. Capped, the rest wait in the pool's queue, in the order they were handed over (tier order
      // holds), and reuse sockets as answers come back: at 50 ms per answer, 256 sockets carry ~5,000 orders/s.
      this.state.sharedDispatcher ??= new c.undiciModule.Agent({ ...c.getDispatcherOptions(true), connections: this.opts.maxConnections ?? envVar("EXCHANGE_MAX_CONNECTIONS") });
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
    // A view owns no sockets or pool (the shared instance does): forgetting it is enough.
    this.cache.delete(credentialId);
  }

  get size() {
    return this.cache.size;
  }

  /** Cache sizes and bounds, for the worker's health answer. */
  stats() {
    return { clients: this.cache.size, maxClients: this.maxClients, marketSets: this.markets.size };
  }

  /** The shared, key-less instance for (exchange, environment): markets, URLs, transport. */
  private construct(exchange: ExchangeName, environment: EnvironmentName) {
    const p = PROFILES[exchange];
    const Ctor = viewableClass(p.ccxtId);
    const client = new Ctor({
      enableRateLimit: false,
      // ccxt keeps each instance's last response (body text, headers) for debugging: with a view per
      // key that is one retained response per subscriber, account data included. Nothing reads them.
      enableLastHttpResponse: false,
      enableLastResponseHeaders: false,
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
