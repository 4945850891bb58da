// @ts-check
/**
 * Security headers for every response, set by scripts/server.ts, and the Content-Security-Policy
 * that src/proxy.ts sets on every page with a fresh nonce. Plain JS (JSDoc types) because the
 * server entry and Next's proxy both import it and Node 20 cannot import TypeScript.
 *
 * Scripts never get 'unsafe-inline'. Pages: a per-request nonce plus 'strict-dynamic' (Next puts
 * the nonce on its own bootstrap, chunk and hydration scripts, read from the request's CSP header;
 * the scripts they load inherit the trust). Every other response (API, static files) carries the
 * policy without a nonce: 'self' only, no inline script at all.
 */

/**
 * @typedef {{ key: string, value: string }} Header
 * @typedef {{ nodeEnv?: string, publicUrl?: string }} SecurityHeaderOptions
 * @typedef {SecurityHeaderOptions & { nonce?: string }} CspOptions
 */

/** A nonce-source value: base64 of 16 random bytes (128 bits, fresh per request). */
export function newNonce() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes); // Web Crypto: the same in Node and in the proxy
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The Content-Security-Policy value.
 * @param {CspOptions} [options] defaults: process.env.NODE_ENV and process.env.NEXTAUTH_URL, no nonce
 * @returns {string}
 */
export function contentSecurityPolicy(options = {}) {
  const nodeEnv = options.nodeEnv ?? process.env.NODE_ENV;
  const publicUrl = options.publicUrl ?? process.env.NEXTAUTH_URL;
  const dev = nodeEnv === "development";
  const nonce = options.nonce;
  if (nonce !== undefined && !/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(nonce)) throw new Error("nonce must be base64 of at least 12 random bytes");
  const script = nonce === undefined ? ["'self'"] : ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"];
  // React's dev build uses eval (server error stacks, refresh); production never does.
  if (dev) script.push("'unsafe-eval'");
  return [
    "default-src 'self'",
    `script-src ${script.join(" ")}`,
    // Styles may stay inline (React style attributes, Next's dev styles); no nonce here, or browsers ignore 'unsafe-inline'.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    // ws: for the dev server's hot reload socket.
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    ...(isHttps(publicUrl) ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * @param {SecurityHeaderOptions} [options] defaults: process.env.NODE_ENV and process.env.NEXTAUTH_URL
 * @returns {Header[]}
 */
export function securityHeaders(options = {}) {
  const nodeEnv = options.nodeEnv ?? process.env.NODE_ENV;
  const publicUrl = options.publicUrl ?? process.env.NEXTAUTH_URL;
  const https = isHttps(publicUrl);

  /** @type {Header[]} */
  const headers = [
    // Without a nonce: src/proxy.ts replaces it on pages with one that carries the request's nonce.
    { key: "Content-Security-Policy", value: contentSecurityPolicy({ nodeEnv, publicUrl }) },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()" },
  ];
  // Only over https (on plain http browsers ignore it, and a wrong one locks users out for a year).
  // No includeSubDomains: a self-hosted instance does not own its parent domain's other hosts.
  if (https) headers.push({ key: "Strict-Transport-Security", value: "max-age=31536000" });
  return headers;
}

/**
 * The value for next.config.js: `async headers() { return securityHeaderRoutes(); }` (unused: the
 * server entry sets these at run time; on pages src/proxy.ts still replaces the CSP with its nonce one).
 * @param {SecurityHeaderOptions} [options]
 * @returns {{ source: string, headers: Header[] }[]}
 */
export function securityHeaderRoutes(options = {}) {
  return [{ source: "/:path*", headers: securityHeaders(options) }];
}

/** @param {string | undefined} url */
function isHttps(url) {
  if (!url) return false;
  try {
    return new URL(url).protocol === "https:";
  } catch {
    return false;
  }
}
