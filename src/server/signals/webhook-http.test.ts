import { describe, expect, it } from "vitest";
import { webhookToken } from "~/server/signals/webhook-http";

describe("webhook routing in the server entry", () => {
  it("takes POSTs to /api/webhooks/tradingview/<token> and nothing else", () => {
    expect(webhookToken("POST", "/api/webhooks/tradingview/abcDEF123_-x")).toBe("abcDEF123_-x");
    expect(webhookToken("POST", "/api/webhooks/tradingview/abc?x=1")).toBe("abc");
    expect(webhookToken("POST", "/api/webhooks/tradingview/a%2Fb")).toBe("a/b");
    expect(webhookToken("POST", "/api/webhooks/tradingview/%E0%A4%A")).toBe("");
    expect(webhookToken("GET", "/api/webhooks/tradingview/abc")).toBeNull();
    expect(webhookToken("POST", "/api/webhooks/tradingview/")).toBeNull();
    expect(webhookToken("POST", "/api/webhooks/tradingview/a/b")).toBeNull();
    expect(webhookToken("POST", "/api/trpc/x")).toBeNull();
  });
});
