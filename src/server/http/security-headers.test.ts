import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce, securityHeaderRoutes, securityHeaders } from "~/server/http/security-headers.mjs";

function asMap(opts: Parameters<typeof securityHeaders>[0]) {
  return Object.fromEntries(securityHeaders(opts).map((h) => [h.key, h.value]));
}

function directives(csp: string | undefined) {
  return Object.fromEntries((csp ?? "").split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1).join(" ")]));
}

describe("securityHeaders", () => {
  it("production over http: strict CSP (no inline script, no eval), no HSTS", () => {
    const h = asMap({ nodeEnv: "production", publicUrl: "http://localhost:3333" });
    expect(directives(h["Content-Security-Policy"])).toEqual({
      "default-src": "'self'",
      "script-src": "'self'",
      "style-src": "'self' 'unsafe-inline'",
      "img-src": "'self' data:",
      "font-src": "'self'",
      "connect-src": "'self'",
      "object-src": "'none'",
      "frame-ancestors": "'none'",
      "base-uri": "'self'",
      "form-action": "'self'",
    });
    expect(h["X-Content-Type-Options"]).toBe("nosniff");
    expect(h["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    expect(h["X-Frame-Options"]).toBe("DENY");
    expect(h["Permissions-Policy"]).toContain("camera=()");
    expect(h["Strict-Transport-Security"]).toBeUndefined();
  });

  it("development allows eval and the hot-reload websocket", () => {
    const csp = directives(asMap({ nodeEnv: "development", publicUrl: undefined })["Content-Security-Policy"]);
    expect(csp["script-src"]).toBe("'self' 'unsafe-eval'");
    expect(csp["connect-src"]).toBe("'self' ws:");
    expect(directives(asMap({ nodeEnv: "test" })["Content-Security-Policy"])["script-src"]).not.toContain("unsafe-eval");
  });

  it("pages: the request's nonce with 'strict-dynamic', never 'unsafe-inline' for scripts, eval only in development", () => {
    const nonce = newNonce();
    const prod = directives(contentSecurityPolicy({ nonce, nodeEnv: "production", publicUrl: "http://localhost:3333" }));
    expect(prod["script-src"]).toBe(`'self' 'nonce-${nonce}' 'strict-dynamic'`);
    // The rest of the policy is the same as on every other response.
    expect({ ...prod, "script-src": "'self'" }).toEqual(directives(asMap({ nodeEnv: "production", publicUrl: "http://localhost:3333" })["Content-Security-Policy"]));
    const dev = directives(contentSecurityPolicy({ nonce, nodeEnv: "development" }));
    expect(dev["script-src"]).toBe(`'self' 'nonce-${nonce}' 'strict-dynamic' 'unsafe-eval'`);
    for (const env of ["production", "development", "test"]) {
      const csp = directives(contentSecurityPolicy({ nonce, nodeEnv: env }));
      expect(csp["script-src"]).not.toContain("unsafe-inline");
      // A nonce in style-src would make browsers ignore its 'unsafe-inline' and break React style attributes.
      expect(csp["style-src"]).toBe("'self' 'unsafe-inline'");
    }
  });

  it("nonces are fresh 128-bit base64 values in the form Next extracts; anything else is refused", () => {
    const nonces = new Set(Array.from({ length: 200 }, () => newNonce()));
    expect(nonces.size).toBe(200);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    // Next's own extraction (get-script-nonce-from-header) finds it in the policy.
    const nonce = [...nonces][0]!;
    const source = contentSecurityPolicy({ nonce }).split(";").find((d) => d.trim().startsWith("script-src"))!;
    expect(source.split(/\s+/).find((x) => /^'nonce-([A-Za-z0-9+/_-]+={0,2})'$/.test(x))).toBe(`'nonce-${nonce}'`);
    // A value that could break out of the directive never reaches the header.
    expect(() => contentSecurityPolicy({ nonce: "x' 'unsafe-inline" })).toThrow(/nonce must be base64/);
    expect(() => contentSecurityPolicy({ nonce: "" })).toThrow(/nonce must be base64/);
  });

  it("HSTS (and upgrade-insecure-requests) only when the public URL is https", () => {
    const h = asMap({ nodeEnv: "production", publicUrl: "https://keyrelay.example.com" });
    expect(h["Strict-Transport-Security"]).toBe("max-age=31536000");
    expect(h["Content-Security-Policy"]).toContain("upgrade-insecure-requests");
    expect(asMap({ nodeEnv: "production", publicUrl: "not a url" })["Strict-Transport-Security"]).toBeUndefined();
  });

  it("reads NODE_ENV and NEXTAUTH_URL by default", () => {
    const saved = { url: process.env.NEXTAUTH_URL };
    process.env.NEXTAUTH_URL = "https://from-env.example.com";
    try {
      expect(asMap(undefined)["Strict-Transport-Security"]).toBeDefined();
    } finally {
      if (saved.url === undefined) delete process.env.NEXTAUTH_URL;
      else process.env.NEXTAUTH_URL = saved.url;
    }
  });

  it("securityHeaderRoutes applies them to every path, in next.config.js headers() shape", () => {
    const routes = securityHeaderRoutes({ nodeEnv: "production", publicUrl: "http://localhost" });
    expect(routes).toEqual([{ source: "/:path*", headers: securityHeaders({ nodeEnv: "production", publicUrl: "http://localhost" }) }]);
  });
});
