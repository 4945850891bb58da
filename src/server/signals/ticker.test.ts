import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { parseTicker, TICKER_MAX_CHARS, unifiedSymbol } from "~/server/signals/ticker";

describe("parseTicker", () => {
  it.each([
    ["BTCUSDT", "BTC", "USDT", false],
    ["btcusdt", "BTC", "USDT", false],
    ["BINANCE:BTCUSDT", "BTC", "USDT", false],
    ["BTCUSDT.P", "BTC", "USDT", true],
    ["BYBIT:ETHUSDT.P", "ETH", "USDT", true],
    ["BTCUSDT.PERP", "BTC", "USDT", true],
    ["BTCUSDT-PERP", "BTC", "USDT", true],
    ["BTC/USDT", "BTC", "USDT", false],
    ["BTC-USDT", "BTC", "USDT", false],
    ["BTC_USDT", "BTC", "USDT", false],
    ["BTC/USDT:USDT", "BTC", "USDT", true],
    ["ETHBTC", "ETH", "BTC", false],
    ["SOLFDUSD", "SOL", "FDUSD", false],
    ["SOLUSDC", "SOL", "USDC", false],
    ["1000PEPEUSDT.P", "1000PEPE", "USDT", true],
    [" BINANCE:BTCUSDT.P \n", "BTC", "USDT", true],
  ])("%j -> %s/%s perp=%s", (input, base, quote, perp) => {
    const parsed = parseTicker(input);
    expect(parsed).toMatchObject({ base, quote, perp, raw: input.trim() });
  });

  it.each(["", "   ", "BTC", "USDT", "BTC/USD:BTC", "BTC USDT", "BTC/USDT/ETH", "BTC-PERP", "{{ticker}}", "X".repeat(TICKER_MAX_CHARS + 1), "BTC/€"])(
    "refuses %j with a message",
    (input) => {
      const parsed = parseTicker(input);
      expect(parsed).toHaveProperty("problem");
      expect((parsed as { problem: string }).problem.length).toBeGreaterThan(10);
    },
  );

  it("never throws and always returns upper-case alphanumeric assets", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (input) => {
        const parsed = parseTicker(input);
        if ("problem" in parsed) return;
        expect(parsed.base).toMatch(/^[A-Z0-9]+$/);
        expect(parsed.quote).toMatch(/^[A-Z0-9]+$/);
      }),
    );
  });
});

describe("unifiedSymbol", () => {
  it("is BASE/QUOTE on spot and BASE/QUOTE:QUOTE on linear", () => {
    expect(unifiedSymbol({ base: "BTC", quote: "USDT" }, "spot")).toBe("BTC/USDT");
    expect(unifiedSymbol({ base: "BTC", quote: "USDT" }, "linear")).toBe("BTC/USDT:USDT");
  });
});
