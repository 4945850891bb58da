import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashWebhookToken, issueWebhookToken, maskedWebhookPath, newWebhookToken, webhookPath } from "~/server/strategies/webhook-token";

describe("webhook tokens", () => {
  it("are 32 URL-safe characters (192 random bits), different each time", () => {
    const tokens = Array.from({ length: 50 }, newWebhookToken);
    expect(tokens.every((t) => /^[A-Za-z0-9_-]{32}$/.test(t))).toBe(true);
    expect(new Set(tokens).size).toBe(50);
  });

  it("are stored as the hex SHA-256 of their UTF-8 bytes (what the migration computes in SQL) and a 4-character hint", () => {
    const { token, stored } = issueWebhookToken("abcDEF123_-xyz90");
    expect(token).toBe("abcDEF123_-xyz90");
    expect(stored).toEqual({ webhookTokenHash: crypto.createHash("sha256").update(Buffer.from(token, "utf8")).digest("hex"), webhookTokenHint: "yz90" });
    expect(stored.webhookTokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashWebhookToken(token)).toBe(stored.webhookTokenHash);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it("a path carries the token; the masked path only the hint", () => {
    expect(webhookPath("abc")).toBe("/api/webhooks/tradingview/abc");
    expect(maskedWebhookPath("yz90")).toBe("/api/webhooks/tradingview/…yz90");
  });
});
