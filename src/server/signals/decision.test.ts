import { describe, expect, it } from "vitest";

import { decideAlert, type DecisionInput } from "~/server/signals/decision";
import { parseWebhookPayload, type ParsedAlert } from "~/server/signals/webhook-payload";

function alert(fields: Record<string, unknown>): ParsedAlert {
  const result = parseWebhookPayload({ contentType: "application/json", body: JSON.stringify({ ticker: "BINANCE:BTCUSDT.P", action: "buy", ...fields }) });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.alert;
}

const NOW = new Date("2026-11-24T23:00:30Z");
const listed = new Set(["BTC/USDT", "ETH/USDT", "BTC/USDT:USDT"]);

function decide(overrides: Partial<DecisionInput> = {}, strategy: Partial<DecisionInput["strategy"]> = {}) {
  return decideAlert({
    strategy: { enabled: true, allowedSymbols: ["BTC/USDT"], marketType: "spot", ...strategy },
    alert: alert({}),
    now: NOW,
    marketPrice: null,
    listedSymbols: listed,
    ...overrides,
  });
}
const codes = (d: { reasons: { code: string }[] }) => d.reasons.map((r) => r.code);

describe("decideAlert", () => {
  it("approves an allowed, listed, fresh alert and builds the ccxt symbol from the strategy's market type", () => {
    expect(decide()).toEqual({ approved: true, symbol: "BTC/USDT", reasons: [] });
    expect(decide({}, { marketType: "linear" })).toEqual({ approved: true, symbol: "BTC/USDT:USDT", reasons: [] });
  });

  it("refuses a disabled strategy", () => {
    expect(codes(decide({}, { enabled: false }))).toEqual(["STRATEGY_DISABLED"]);
  });

  it("allows only listed symbols, in any spelling, and nothing when the list is empty", () => {
    expect(decide({}, { allowedSymbols: ["ETH/USDT"] }).reasons).toEqual([{ code: "SYMBOL_NOT_ALLOWED", message: expect.stringContaining("add BTC/USDT") }]);
    expect(codes(decide({}, { allowedSymbols: [] }))).toEqual(["SYMBOL_NOT_ALLOWED"]);
    for (const entry of ["BTCUSDT", "btc/usdt", "BTC/USDT:USDT", "BINANCE:BTCUSDT.P"]) expect(decide({}, { allowedSymbols: [entry] }).approved).toBe(true);
    expect(decide({}, { allowedSymbols: ["garbage!", "BTC/USDT"] }).approved).toBe(true);
  });

  it("refuses a symbol the exchange does not list for the market type", () => {
    // ETH/USDT is listed on spot but ETH/USDT:USDT is not in the linear list here.
    expect(decide({ alert: alert({ ticker: "ETHUSDT" }) }, { allowedSymbols: ["ETH/USDT"] }).approved).toBe(true);
    expect(decide({ alert: alert({ ticker: "ETHUSDT" }) }, { marketType: "linear", allowedSymbols: ["ETH/USDT"] }).reasons).toEqual([
      { code: "SYMBOL_NOT_LISTED", message: expect.stringContaining("ETH/USDT:USDT is not listed on the exchange as a linear market") },
    ]);
  });

  it("reports every failed rule at once", () => {
    const d = decide({ alert: alert({ ticker: "DOGEUSDT", action: "close_short" }) }, { enabled: false });
    expect(codes(d)).toEqual(["STRATEGY_DISABLED", "SYMBOL_NOT_ALLOWED", "SYMBOL_NOT_LISTED", "ACTION_UNSUPPORTED"]);
    expect(d.approved).toBe(false);
  });

  it("refuses closing a short on spot, allows it on linear", () => {
    expect(codes(decide({ alert: alert({ action: "close_short" }) }))).toEqual(["ACTION_UNSUPPORTED"]);
    expect(decide({ alert: alert({ action: "close_short" }) }, { marketType: "linear" }).approved).toBe(true);
  });

  describe("staleness", () => {
    const stamped = (timestamp: string, max_lag = 60) => alert({ timestamp, max_lag });
    it("passes an alert within its maxLagSeconds, refuses an older one", () => {
      expect(decide({ alert: stamped("2026-11-24T22:59:30Z") }).approved).toBe(true); // exactly 60 s
      expect(decide({ alert: stamped("2026-11-24T22:59:29Z") }).reasons).toEqual([{ code: "STALE_ALERT", message: expect.stringContaining("61 s old") }]);
    });
    it("refuses a timestamp further in the future than the lag allows", () => {
      expect(decide({ alert: stamped("2026-11-24T23:01:00Z") }).approved).toBe(true);
      expect(codes(decide({ alert: stamped("2026-11-24T23:01:31Z") }))).toEqual(["TIMESTAMP_IN_FUTURE"]);
    });
    it("skips the check without maxLagSeconds", () => {
      expect(decide({ alert: alert({ timestamp: "2020-01-01T00:00:00Z" }) }).approved).toBe(true);
    });
  });

  describe("price deviation", () => {
    const priced = (price: number | string, action = "buy") => alert({ price, action });
    it("passes within the limit and refuses beyond it, both ways", () => {
      expect(decide({ alert: priced(102), marketPrice: "100" }).approved).toBe(true);
      expect(decide({ alert: priced(102.01), marketPrice: "100" }).reasons).toEqual([{ code: "PRICE_DEVIATION", message: expect.stringContaining("2.01%") }]);
      expect(codes(decide({ alert: priced(97, "sell"), marketPrice: "100" }))).toEqual(["PRICE_DEVIATION"]);
    });
    it("compares exactly at the limit, where floats drift", () => {
      // Exactly 2% off; in floats these are 2.000000000000003% and 2.000000000000008%, refused.
      expect(decide({ alert: priced("65535.51"), marketPrice: "64250.5" }).approved).toBe(true);
      expect(decide({ alert: priced("0.000098"), marketPrice: "0.0001" }).approved).toBe(true);
      expect(decide({ alert: priced("1.078"), marketPrice: "1.1" }).approved).toBe(true);
      expect(decide({ alert: priced("0.00010200000001"), marketPrice: "0.0001" }).reasons).toEqual([
        { code: "PRICE_DEVIATION", message: "The alert's price 0.00010200000001 is 2.01% from the market price 0.0001 (limit 2%); check the ticker or the price placeholder." },
      ]);
      expect(decide({ alert: priced("65535.5100000001"), marketPrice: "64250.5" }).approved).toBe(false);
    });
    it("uses the given limit, and 2% for a nonsense one", () => {
      expect(decide({ alert: priced(104), marketPrice: "100", maxPriceDeviationPct: "5" }).approved).toBe(true);
      expect(decide({ alert: priced(104), marketPrice: "100", maxPriceDeviationPct: "NaN" }).approved).toBe(false);
      expect(decide({ alert: priced(104), marketPrice: "100", maxPriceDeviationPct: "0" }).approved).toBe(false);
      expect(decide({ alert: priced(102), marketPrice: "100", maxPriceDeviationPct: null }).approved).toBe(true);
    });
    it("is skipped without a price, without a usable market price, and for exits and cancels", () => {
      expect(decide({ alert: alert({}), marketPrice: "100" }).approved).toBe(true);
      expect(decide({ alert: priced(150), marketPrice: null }).approved).toBe(true);
      expect(decide({ alert: priced(150), marketPrice: "0" }).approved).toBe(true);
      expect(decide({ alert: priced(150), marketPrice: "NaN" }).approved).toBe(true);
      expect(decide({ alert: priced(150, "exit"), marketPrice: "100" }).approved).toBe(true);
      expect(decide({ alert: priced(150, "cancel"), marketPrice: "100" }).approved).toBe(true);
    });
  });
});
