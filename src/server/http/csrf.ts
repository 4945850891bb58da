/**
 * Cross-site request forgery check for the server entry (scripts/server.ts), before Next sees the
 * request. A state-changing request that carries cookies (ambient credentials) is refused when the
 * browser says it came from another site (Sec-Fetch-Site: cross-site) or its Origin is not this
 * host. Requests without cookies (Authorization: Bearer, or anonymous) cannot ride on a victim's
 * session and pass; TradingView webhooks (/api/webhooks/) authenticate by their own secret and pass.
 */
type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export interface CsrfRequest {
  method: string | undefined;
  /** The request target as received (path + query), e.g. req.url. */
  url: string | undefined;
  headers: HeaderSource;
  /** The Host the request was sent to; defaults to the Host header. */
  host?: string | null;
  /** Other origins to accept, e.g. NEXTAUTH_URL when a proxy rewrites Host. */
  allowedOrigins?: readonly (string | undefined | null)[];
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const WEBHOOK_PREFIX = "/api/webhooks/";

function header(h: HeaderSource, name: string): string | null {
  if (typeof (h as Headers).get === "function") return (h as Headers).get(name);
  const v = (h as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join(", ") : (v ?? null);
}

function isWebhookPath(url: string | undefined): boolean {
  if (!url) return false;
  let pathname: string;
  try {
    pathname = new URL(url, "http://localhost").pathname;
  } catch {
    return false;
  }
  // Encoded dots, slashes or backslashes could make the router see another path than this check did.
  return pathname.startsWith(WEBHOOK_PREFIX) && !/%2e|%2f|%5c|\\/i.test(pathname);
}

/** host with the scheme's default port dropped, lowercased; null when unparsable. */
function normalizeHost(protocol: string, host: string): string | null {
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return null;
  }
}

function originMatches(origin: string, host: string | null | undefined, allowed: readonly (string | undefined | null)[]): boolean {
  let o: URL;
  try {
    o = new URL(origin); // "null" (sandboxed frames, privacy redirects) does not parse: refused
  } catch {
    return false;
  }
  if (host && normalizeHost(o.protocol, host) === o.host) return true;
  return allowed.some((a) => {
    if (!a) return false;
    try {
      return new URL(a).origin === o.origin;
    } catch {
      return false;
    }
  });
}

/** Why the request must be refused, or null to let it through. */
export function crossSiteMutationReason(req: CsrfRequest): string | null {
  const method = (req.method ?? "GET").toUpperCase();
  if (SAFE_METHODS.has(method)) return null;
  if (isWebhookPath(req.url)) return null;
  if (!header(req.headers, "cookie")?.trim()) return null;
  if (header(req.headers, "sec-fetch-site")?.trim().toLowerCase() === "cross-site") return "sec-fetch-site: cross-site";
  const origin = header(req.headers, "origin");
  if (origin !== null && !originMatches(origin.trim(), req.host ?? header(req.headers, "host"), req.allowedOrigins ?? [])) {
    return "origin does not match host";
  }
  return null;
}

/** true: answer 403 and do not hand the request to Next. */
export function isCrossSiteMutation(req: CsrfRequest): boolean {
  return crossSiteMutationReason(req) !== null;
}
