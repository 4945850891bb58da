// @ts-check
/**
 * Security headers for every response, for next.config.js `headers()`. Plain JS (JSDoc types)
 * because Next imports next.config.js natively and Node 20 cannot import TypeScript.
 *
 * Next evaluates headers() when it builds, so with `next build` these follow the environment of
 * the build (NODE_ENV is always "production" there; NEXTAUTH_URL decides HSTS).
 */

/**
 * @typedef {{ key: string, value: string }} Header
 * @typedef {{ nodeEnv?: string, publicUrl?: string }} SecurityHeaderOptions
 */

/**
 * @param {SecurityHeaderOptions} [options] defaults: process.env.NODE_ENV and process.env.NEXTAUTH_URL
 * @returns {Header[]}
 */
export function securityHeaders(options = {}) {
  const nodeEnv = options.nodeEnv ?? process.env.NODE_ENV;
  const publicUrl = options.publicUrl ?? process.env.NEXTAUTH_URL;
  const dev = nodeEnv === "development";
  const https = isHttps(publicUrl);

  const csp = [
    "default-src 'self'",
    // Next's bootstrap and hydration data are inline scripts; dev tooling (React refresh) uses eval.
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    // ws: for the dev server's hot reload socket.
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");

  /** @type {Header[]} */
  const headers = [
    { key: "Content-Security-Policy", value: csp },
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
 * The value for next.config.js: `async headers() { return securityHeaderRoutes(); }`.
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
