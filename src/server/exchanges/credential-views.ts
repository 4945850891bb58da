/**
 * Per-credential views of one shared ccxt instance per (exchange, environment).
 *
 * A full ccxt instance costs ~10 ms of CPU to build and 250-430 KB to keep, most of it thousands
 * of implicit API methods (`privatePostV5OrderCreate`, ...) that ccxt defines per instance as arrow
 * functions closed over that instance. A subscriber's identity needs none of that: a view is
 * `Object.create(shared)` with its own `apiKey`, `secret` and a shallow copy of `options` (the
 * top-level options ccxt writes per account, e.g. Binance's hasAlreadyAuthenticatedSuccessfully),
 * and inherits everything else: markets, URLs, the connection pool.
 *
 * For that, the shared instance's implicit methods must sign with the key of the object they are
 * called on. ccxt is not modified: the shared instance is built from a subclass whose
 * `defineRestApiEndpoint` (ccxt's hook for exactly this: it is called once per endpoint while the
 * instance is constructed) defines each method as a plain function of `this` instead of an arrow
 * closed over the instance. Everything else a request does (`sign`, `fetch2`, `request`, the
 * unified methods) already reads `this`. The adapter contract and fan-out tests prove, through the
 * simulator's signature checks, whose key signed each order.
 *
 * The subclass also signs with node's native HMAC (OpenSSL) where ccxt uses a JavaScript SHA-256:
 * same bytes, a fraction of the CPU and garbage, checked against ccxt's own result once per hash.
 */
import { createHmac } from "node:crypto";
import ccxt, { type Exchange as CcxtExchange } from "ccxt";

type CcxtCtor = new (config: Record<string, unknown>) => CcxtExchange;
/** A one-shot hook awaited just before a view's next matching request is written (withBeforeWrite). */
const BEFORE_WRITE = Symbol("keyrelay.beforeWrite");
type WriteHook = { matches: (url: string, method: string) => boolean; run: () => Promise<void> };
type Hooked = { [BEFORE_WRITE]?: WriteHook | undefined };
type Endpoint = (this: Record<string, (...args: unknown[]) => Promise<unknown>>, params?: object, context?: object) => Promise<unknown>;

const classes = new Map<string, CcxtCtor>();

/** The ccxt class for `id` whose implicit API methods call through `this` (built once per exchange). */
export function viewableClass(id: "binance" | "bybit"): CcxtCtor {
  let Ctor = classes.get(id);
  if (Ctor) return Ctor;
  const Base = ccxt[id] as unknown as CcxtCtor;
  class Viewable extends Base {
    constructor(config: Record<string, unknown>) {
      super(config);
      // ccxt assigns its helpers per instance in its constructor, so this replaces its own.
      const self = this as unknown as { hmac: CcxtHmac };
      self.hmac = nativeHmac(self.hmac);
    }

    // Same names and arguments as ccxt's own (base/Exchange.js), bound late instead of early.
    defineRestApiEndpoint(methodName: string, uppercaseMethod: string, lowercaseMethod: string, camelcaseMethod: string, path: string, paths: string[], config: object = {}): void {
      const capitalize = (s: string | undefined) => (s === undefined ? "" : s.length ? s.charAt(0).toUpperCase() + s.slice(1) : s);
      const splitPath = path.split(/[^a-zA-Z0-9]/);
      const camelcaseSuffix = splitPath.map(capitalize).join("");
      const underscoreSuffix = splitPath.map((x) => x.trim().toLowerCase()).filter((x) => x.length > 0).join("_");
      const camelcasePrefix = [paths[0]].concat(paths.slice(1).map(capitalize)).join("");
      const underscorePrefix = [paths[0]].concat(paths.slice(1).map((x) => x.trim()).filter((x) => x.length > 0)).join("_");
      const camelcase = camelcasePrefix + camelcaseMethod + capitalize(camelcaseSuffix);
      const underscore = underscorePrefix + "_" + lowercaseMethod + "_" + underscoreSuffix;
      const typeArgument = paths.length > 1 ? paths : paths[0];
      const endpoint: Endpoint = async function (params = {}, context = {}) {
        return this[methodName]!(path, typeArgument, uppercaseMethod, params, undefined, undefined, config, context);
      };
      const self = this as unknown as Record<string, unknown>;
      self[camelcase] = endpoint;
      self[underscore] = endpoint;
    }

    // ccxt records each request (URL, headers with the key and signature, body) and its time on the instance, for
    // debugging; nothing reads them back (rate limiting is ours). On a view that kept every key's last signed request
    // alive after its order, to be promoted and collected as old garbage; views record nothing.
    setLastRequest(): void {}
    setLastRestRequestTimestamp(): void {}

    // ccxt's last step before the HTTP request: the request is signed, headers and body are final.
    fetch(url: string, method = "GET", headers: unknown = undefined, body: unknown = undefined): Promise<unknown> {
      const hooked = this as unknown as Hooked;
      const hook = hooked[BEFORE_WRITE];
      if (!hook || !hook.matches(url, method)) return super.fetch(url, method, headers, body);
      hooked[BEFORE_WRITE] = undefined;
      return hook.run().then(() => super.fetch(url, method, headers, body));
    }
  }
  Ctor = Viewable as unknown as CcxtCtor;
  classes.set(id, Ctor);
  return Ctor;
}

type Bytes = string | Uint8Array;
type HashFn = ((message: Uint8Array) => Uint8Array) & { outputLen?: number; blockLen?: number };
type CcxtHmac = (request: Bytes, secret: Bytes, hash: HashFn, digest?: string) => string | Uint8Array;

/** OpenSSL's names for the hashes ccxt signs with, tried by output and block length. */
const CANDIDATES: Record<string, string[]> = { "32/64": ["sha256"], "64/128": ["sha512"], "48/128": ["sha384"], "20/64": ["sha1"], "16/64": ["md5"] };
const PROBE = { request: "GET/api/v5?a=1&b=ü", secret: "keyrelay-probe-secret" };

/**
 * ccxt's `hmac(request, secret, hash, digest)` computed by node:crypto when the result is the same:
 * for each hash function ccxt passes, the native candidate is compared with ccxt's own answer on a
 * probe once; a hash with no matching candidate (or a digest other than hex, base64 or binary)
 * stays with ccxt's implementation.
 */
export function nativeHmac(ccxtHmac: CcxtHmac): CcxtHmac {
  const algorithms = new WeakMap<HashFn, string | null>();
  const algorithmFor = (hash: HashFn): string | null => {
    let algorithm = algorithms.get(hash);
    if (algorithm !== undefined) return algorithm;
    const expected = ccxtHmac(PROBE.request, PROBE.secret, hash, "hex");
    algorithm = (CANDIDATES[`${hash.outputLen}/${hash.blockLen}`] ?? []).find((a) => createHmac(a, PROBE.secret).update(PROBE.request).digest("hex") === expected) ?? null;
    algorithms.set(hash, algorithm);
    return algorithm;
  };
  return function hmac(request, secret, hash, digest = "hex") {
    const algorithm = typeof hash === "function" && (digest === "hex" || digest === "base64" || digest === "binary") ? algorithmFor(hash) : null;
    if (!algorithm) return ccxtHmac(request, secret, hash, digest);
    const mac = createHmac(algorithm, secret).update(request);
    return digest === "binary" ? new Uint8Array(mac.digest()) : mac.digest(digest as "hex" | "base64");
  };
}

/** A client for one credential over the shared instance: microseconds and a few KB instead of a ccxt build. */
export function credentialView(shared: CcxtExchange, auth: { apiKey: string; secret: string }): CcxtExchange {
  const view = Object.create(shared) as CcxtExchange & Hooked;
  view.apiKey = auth.apiKey;
  view.secret = auth.secret;
  view.options = { ...shared.options };
  view[BEFORE_WRITE] = undefined; // the same fields in the same order as a call's (withBeforeWrite): one hidden class for both
  return view;
}

/**
 * The view for one call whose first request matching `matches` (e.g. the order create, not the
 * account look-ups ccxt may make first) waits for `run` (e.g. the tier write gate) right before it
 * is written: a sibling of the credential's view (same key, secret and options object, so what ccxt
 * learns about the account during the call stays with the view), so a concurrent call on the same
 * key is not held and nothing stays behind on the cached view.
 *
 * Not a child of the view: V8 gives every object that becomes a prototype a hidden class of its
 * own, so with a child per call each key's view got one, the calls' classes followed, and ccxt's
 * property look-ups went megamorphic across keys: measured with 10,000 keys (an order and its Bybit
 * read-back, one process), 172-186 us of CPU per order as children, 131-139 as siblings, 123-136 on
 * the views themselves.
 */
export function withBeforeWrite(view: CcxtExchange, hook: WriteHook): CcxtExchange {
  const call = Object.create(Object.getPrototypeOf(view) as object) as CcxtExchange & Hooked;
  call.apiKey = view.apiKey;
  call.secret = view.secret;
  call.options = view.options;
  call[BEFORE_WRITE] = hook;
  return call;
}
