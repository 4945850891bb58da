import { describe, expect, it } from "vitest";
import { webhookUrlBase } from "~/server/strategies/webhook-url";

describe("webhookUrlBase", () => {
  it("uses NEXTAUTH_URL, without a warning on https port 443", () => {
    expect(webhookUrlBase({ NEXTAUTH_URL: "https://relay.example.com/" })).toEqual({ base: "https://relay.example.com", warning: null });
    expect(webhookUrlBase({ NEXTAUTH_URL: "https://relay.example.com:443" }).warning).toBeNull();
  });

  it.each(["http://relay.example.com", "https://relay.example.com:8443", "http://localhost:3333"])("warns for %s: TradingView only calls ports 80 and 443", (url) => {
    const r = webhookUrlBase({ NEXTAUTH_URL: url });
    expect(r.base).toBe(new URL(url).origin);
    expect(r.warning).toMatch(/TradingView only calls ports 80 and 443/);
  });

  it("falls back to http://localhost:$PORT and says NEXTAUTH_URL is not set", () => {
    const r = webhookUrlBase({ PORT: "4000" });
    expect(r.base).toBe("http://localhost:4000");
    expect(r.warning).toMatch(/NEXTAUTH_URL is not set/);
  });
});
