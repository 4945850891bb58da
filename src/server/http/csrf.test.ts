import { describe, expect, it } from "vitest";
import { crossSiteMutationReason, isCrossSiteMutation, type CsrfRequest } from "~/server/http/csrf";

const COOKIE = "next-auth.session-token=abc";

function req(over: Partial<CsrfRequest> & { h?: Record<string, string> }): CsrfRequest {
  const { h, ...rest } = over;
  return { method: "POST", url: "/api/trpc/tokens.create", headers: { host: "app.example.com", ...h }, ...rest };
}

describe("isCrossSiteMutation", () => {
  it("refuses cookie-carrying mutations marked cross-site by the browser", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "post"]) {
      expect(isCrossSiteMutation(req({ method, h: { cookie: COOKIE, "sec-fetch-site": "cross-site" } }))).toBe(true);
    }
    expect(crossSiteMutationReason(req({ h: { cookie: COOKIE, "sec-fetch-site": "Cross-Site" } }))).toBe("sec-fetch-site: cross-site");
  });

  it("refuses cookie-carrying mutations whose Origin is another host", () => {
    for (const origin of ["https://evil.example", "https://app.example.com.evil.example", "http://app.example.com:8080", "null", ""]) {
      expect(isCrossSiteMutation(req({ h: { cookie: COOKIE, origin } }))).toBe(true);
    }
    // same-site (a sibling subdomain) is still another origin
    expect(isCrossSiteMutation(req({ h: { cookie: COOKIE, origin: "https://blog.example.com", "sec-fetch-site": "same-site" } }))).toBe(true);
  });

  it("allows same-origin mutations, default ports included", () => {
    expect(isCrossSiteMutation(req({ h: { cookie: COOKIE, origin: "https://app.example.com", "sec-fetch-site": "same-origin" } }))).toBe(false);
    expect(isCrossSiteMutation(req({ h: { cookie: COOKIE, origin: "https://APP.example.com" } }))).toBe(false);
    expect(isCrossSiteMutation(req({ h: { cookie: COOKIE, origin: "https://app.example.com", host: "app.example.com:443" } }))).toBe(false);
    expect(isCrossSiteMutation(req({ h: { cookie: COOKIE, origin: "http://localhost:3333", host: "localhost:3333" } }))).toBe(false);
    // No Origin and no Sec-Fetch-Site (old browser, curl with a cookie jar): nothing says cross-site.
    expect(isCrossSiteMutation(req({ h: { cookie: COOKIE } }))).toBe(false);
    expect(isCrossSiteMutation(req({ h: { cookie: COOKIE, "sec-fetch-site": "none" } }))).toBe(false);
  });

  it("uses the explicit host over the Host header, and accepts listed origins (a proxy rewriting Host)", () => {
    const proxied = req({ host: "127.0.0.1:3333", h: { cookie: COOKIE, origin: "https://app.example.com", host: "127.0.0.1:3333" } });
    expect(isCrossSiteMutation(proxied)).toBe(true);
    expect(isCrossSiteMutation({ ...proxied, allowedOrigins: [undefined, "not a url", "https://app.example.com/"] })).toBe(false);
    expect(isCrossSiteMutation({ ...proxied, allowedOrigins: ["https://other.example.com"] })).toBe(true);
  });

  it("never refuses safe methods", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "get"]) {
      expect(isCrossSiteMutation(req({ method, h: { cookie: COOKIE, "sec-fetch-site": "cross-site", origin: "https://evil.example" } }))).toBe(false);
    }
  });

  it("allows requests without cookies: bearer tokens carry no ambient credentials", () => {
    const bearer = { authorization: "Bearer x.y.z", "sec-fetch-site": "cross-site", origin: "https://evil.example" };
    expect(isCrossSiteMutation(req({ h: bearer }))).toBe(false);
    expect(isCrossSiteMutation(req({ h: { ...bearer, cookie: "" } }))).toBe(false);
    // A bearer token does not excuse a cookie that rides along.
    expect(isCrossSiteMutation(req({ h: { ...bearer, cookie: COOKIE } }))).toBe(true);
  });

  it("exempts TradingView webhooks, but only real /api/webhooks/ paths", () => {
    const hostile = { cookie: COOKIE, "sec-fetch-site": "cross-site", origin: "https://www.tradingview.com" };
    expect(isCrossSiteMutation(req({ url: "/api/webhooks/tradingview/abc?x=1", h: hostile }))).toBe(false);
    for (const url of [
      "/api/webhooks",
      "/api/webhooksx/a",
      "/api/webhooks/../trpc/tokens.create",
      "/api/webhooks/%2e%2e/trpc/tokens.create",
      "/api/webhooks/..%2ftrpc/tokens.create",
      "/api/webhooks/..%5Ctrpc",
      "/x/api/webhooks/a",
    ]) {
      expect(isCrossSiteMutation(req({ url, h: hostile })), url).toBe(true);
    }
  });

  it("accepts a Fetch API Headers object and array-valued Node headers", () => {
    const headers = new Headers({ cookie: COOKIE, origin: "https://evil.example", host: "app.example.com" });
    expect(isCrossSiteMutation({ method: "POST", url: "/", headers })).toBe(true);
    expect(isCrossSiteMutation({ method: "DELETE", url: "/", headers: { host: "a.test", cookie: [COOKIE], "sec-fetch-site": ["cross-site"] } })).toBe(true);
    expect(isCrossSiteMutation({ method: undefined, url: undefined, headers: { cookie: COOKIE, "sec-fetch-site": "cross-site" } })).toBe(false);
  });
});
