import { describe, expect, it } from "vitest";
import { securityHeaderRoutes, securityHeaders } from "~/server/http/security-headers.mjs";

function asMap(opts: Parameters<typeof securityHeaders>[0]) {
  return Object.fromEntries(securityHeaders(opts).map((h) => [h.key, h.value]));
}

function directives(csp: string | undefined) {
  return Object.fromEntries((csp ?? "").split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1).join(" ")]));
}

describe("securityHeaders", () => {
  it("production over http: strict CSP, no eval, no HSTS", () => {
    const h = asMap({ nodeEnv: "production", publicUrl: "http://localhost:3333" });
    expect(directives(h["Content-Security-Policy"])).toEqual({
      "default-src": "'self'",
      "script-src": "'self' 'unsafe-inline'",
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
    expect(csp["script-src"]).toBe("'self' 'unsafe-inline' 'unsafe-eval'");
    expect(csp["connect-src"]).toBe("'self' ws:");
    expect(directives(asMap({ nodeEnv: "test" })["Content-Security-Policy"])["script-src"]).not.toContain("unsafe-eval");
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
