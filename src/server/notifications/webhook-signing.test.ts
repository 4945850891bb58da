import { describe, expect, it } from "vitest";
import { newWebhookSecret, signPayload, verifySignature } from "~/server/notifications/webhook-signing";

describe("outgoing webhook signatures", () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ content: "Order failed", event: "ORDER_FAILED" });
  const t = 1_800_000_000;

  it("is t=<unix>,v1=<hex HMAC-SHA256 over `t.body`> and verifies with the same secret", () => {
    const header = signPayload(secret, body, t);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, body, header, t + 10)).toBe(true);
  });

  it("a changed body, another secret, a changed timestamp or an old signature does not verify", () => {
    const header = signPayload(secret, body, t);
    expect(verifySignature(secret, `${body} `, header, t)).toBe(false);
    expect(verifySignature(newWebhookSecret(), body, header, t)).toBe(false);
    expect(verifySignature(secret, body, header.replace("t=1800000000", "t=1800000001"), t)).toBe(false);
    expect(verifySignature(secret, body, header, t + 301)).toBe(false);
    expect(verifySignature(secret, body, "v1=abc", t)).toBe(false);
  });

  it("secrets are fresh each time", () => {
    expect(newWebhookSecret()).not.toBe(newWebhookSecret());
    expect(newWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
  });
});
