import { describe, expect, it } from "vitest";
import { describeSize } from "./sizing-format";

describe("describeSize", () => {
  it("names each sizing mode in words, with the exact value", () => {
    expect(describeSize({ sizingMode: "FIXED_QUOTE", sizingValue: "50" })).toBe("50 USDT per order");
    expect(describeSize({ sizingMode: "PERCENT_BALANCE", sizingValue: "2.5" })).toBe("2.5 % of the available balance per order");
    expect(describeSize({ sizingMode: "FIXED_BASE", sizingValue: "0.001" })).toBe("0.001 of the base coin per order");
    expect(describeSize({ sizingMode: "CONTRACTS_MULTIPLIER", sizingValue: "2" })).toBe("the alert's contracts × 2");
  });

  it("adds the caps when there are any", () => {
    expect(describeSize({ sizingMode: "FIXED_QUOTE", sizingValue: "100", maxNotional: "500", leverageCap: 5 })).toBe("100 USDT per order (at most 500 USDT, leverage up to 5×)");
    expect(describeSize({ sizingMode: "FIXED_QUOTE", sizingValue: "0.000000000000000001", maxNotional: null, leverageCap: null })).toBe("0.000000000000000001 USDT per order");
  });
});
