import { describe, expect, it } from "vitest";
import { expiryMessage, expiryWarningDue } from "~/server/keys/expiry-warnings";

const DAY = 86_400_000;
const now = new Date("2026-12-02T12:00:00Z");
const at = (days: number) => new Date(now.getTime() + days * DAY);

describe("expiryWarningDue", () => {
  it("nothing when there is no expiry, it is far away, or it has passed", () => {
    expect(expiryWarningDue(null, now, [])).toBeNull();
    expect(expiryWarningDue(at(14.01), now, [])).toBeNull();
    expect(expiryWarningDue(at(0), now, [])).toBeNull();
    expect(expiryWarningDue(at(-1), now, [])).toBeNull();
  });

  it("each threshold at its day, rounded up in the text", () => {
    expect(expiryWarningDue(at(14), now, [])).toEqual({ threshold: 14, daysLeft: 14, sent: [14] });
    expect(expiryWarningDue(at(13.2), now, [])).toEqual({ threshold: 14, daysLeft: 14, sent: [14] });
    expect(expiryWarningDue(at(3), now, [14])).toEqual({ threshold: 3, daysLeft: 3, sent: [14, 3] });
    expect(expiryWarningDue(at(0.5), now, [14, 3])).toEqual({ threshold: 1, daysLeft: 1, sent: [14, 3, 1] });
  });

  it("once per threshold", () => {
    expect(expiryWarningDue(at(10), now, [14])).toBeNull();
    expect(expiryWarningDue(at(2), now, [14, 3])).toBeNull();
    expect(expiryWarningDue(at(0.2), now, [14, 3, 1])).toBeNull();
  });

  it("first seen late: only the tightest warning, the wider ones marked sent with it", () => {
    expect(expiryWarningDue(at(2), now, [])).toEqual({ threshold: 3, daysLeft: 2, sent: [14, 3] });
    expect(expiryWarningDue(at(0.9), now, [])).toEqual({ threshold: 1, daysLeft: 1, sent: [14, 3, 1] });
    expect(expiryWarningDue(at(0.9), now, [14])).toEqual({ threshold: 1, daysLeft: 1, sent: [14, 3, 1] });
  });
});

describe("expiryMessage", () => {
  const key = { exchange: "BYBIT" as const, environment: "LIVE", apiKey: "AbCdEfGhIjKlMnOpQrSt", expiresAt: at(3), ipRestricted: true };

  it("names the key masked, the days, the time and the fix; never the whole key", () => {
    const m = expiryMessage(key, 3, []);
    expect(m).toBe("Your Bybit key AbCd…QrSt (LIVE) expires in 3 days (2026-12-05 12:00 UTC). After that KeyRelay cannot trade on your Bybit account. Create a new key in Bybit and replace this one on the Keys page before then.");
    expect(expiryMessage({ ...key, exchange: "BINANCE" }, 1, [])).toContain("loses its trading permission in 1 day (");
  });

  it("an unrestricted key hears why it expires, with the egress IPs or how to find them (never invented)", () => {
    expect(expiryMessage({ ...key, ipRestricted: false }, 3, ["203.0.113.10", "203.0.113.11"])).toContain("has no IP restriction, so it expires in 3 days");
    expect(expiryMessage({ ...key, ipRestricted: false }, 3, ["203.0.113.10", "203.0.113.11"])).toContain("restricted to this server's IPs 203.0.113.10, 203.0.113.11");
    const unset = expiryMessage({ ...key, ipRestricted: false }, 3, []);
    expect(unset).toContain("curl https://ifconfig.me");
    expect(unset).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
  });
});
