import type { Market } from "ccxt";
import { describe, expect, it } from "vitest";
import { marketRules } from "~/server/exchanges/market-rules";

const market = (step: number | undefined, spot = true) =>
  ({ spot, precision: { amount: step, price: 0.1 }, limits: { amount: { min: 0.0001 }, cost: { min: 5 } } }) as unknown as NonNullable<Market>;

describe("marketRules", () => {
  it("derives a market's rules as decimal strings, once per market object; a reloaded market is read again", () => {
    const m = market(0.00001);
    const rules = marketRules(m);
    expect(rules).toEqual({ amountStep: "0.00001", minAmount: "0.0001", minNotional: "5", priceStep: "0.1", marketType: "spot" });
    expect(marketRules(m)).toBe(rules);
    expect(Object.isFrozen(rules)).toBe(true);
    expect(marketRules(market(0.001, false))).toMatchObject({ amountStep: "0.001", marketType: "linear" });
  });

  it("a market without a usable amount step gets the smallest one, never 0", () => {
    expect(marketRules(market(undefined)).amountStep).toBe("0.00000001");
    expect(marketRules(market(0)).amountStep).toBe("0.00000001");
  });
});
