import { describe, expect, it } from "vitest";
import { bodyForLog, DELIVERY_BODY_MAX_BYTES, maskSecrets } from "~/server/signals/mask-body";

const TOKEN = "Zq3xT9vLmN2pR7sK1wY8bC4dF6gH0jAe5uIoPlMn"; // base64url-like, 40 chars

describe("maskSecrets", () => {
  it("masks the secret field and credential-named fields in JSON, keeping the rest", () => {
    const out = maskSecrets(JSON.stringify({ ticker: "BTCUSDT", action: "buy", secret: "hunter2-hunter2", email_token: "abc", apiKey: 12345, price: "65000" }));
    expect(JSON.parse(out)).toEqual({ ticker: "BTCUSDT", action: "buy", secret: "***", email_token: "***", apiKey: "***", price: "65000" });
  });

  it("masks escaped quotes inside a secret without leaking its tail", () => {
    const out = maskSecrets('{"secret": "a\\"b-tail-visible?", "action": "buy"}');
    expect(out).not.toContain("tail-visible");
    expect(out).toContain('"action": "buy"');
  });

  it("masks key=value secrets and token-like runs anywhere", () => {
    const out = maskSecrets(`ticker=BTCUSDT\nSECRET=s3cr3t value\naction=buy;token=xyz\nnote=${TOKEN}`);
    expect(out).toBe("ticker=BTCUSDT\nSECRET=***\naction=buy;token=***\nnote=***");
    expect(maskSecrets(`deadbeef${"0123456789abcdef".repeat(3)}`)).toBe("***");
  });

  it("leaves ordinary alert values alone (tickers, ids, dates, long numbers)", () => {
    const body = JSON.stringify({ ticker: "BINANCE:BTCUSDT.P", id: "ETHUSDT-Long-Entry-2026-11-24T23:00:00Z", qty: "0.000000000000000000000000000000001", timestamp: "2026-11-24T23:00:00Z" });
    expect(maskSecrets(body)).toBe(body);
  });
});

describe("bodyForLog", () => {
  it("caps the body at 8 KB, marks it truncated and keeps the full size", () => {
    const raw = `{"note": "${"é".repeat(10_000)}"}`;
    const b = bodyForLog(raw);
    expect(b.bodyTruncated).toBe(true);
    expect(b.bodyBytes).toBe(Buffer.byteLength(raw));
    expect(Buffer.byteLength(b.body)).toBeLessThanOrEqual(DELIVERY_BODY_MAX_BYTES);
    expect(b.body).not.toContain("\uFFFD");
  });

  it("masks before the cut: a secret at the cut is never half shown", () => {
    const raw = `${"x ".repeat(4090)}secret=${TOKEN}`;
    expect(bodyForLog(raw).body).not.toContain(TOKEN.slice(0, 6));
  });
});
