import { describe, expect, it } from "vitest";

import { checkUserRules } from "~/server/engine/user-rules";

const NOW = new Date("2026-11-24T23:00:30Z");

describe("checkUserRules", () => {
  const base = { notional: "100", maxNotional: "500", lastOrderAt: null, cooldownSeconds: 0, now: NOW };
  it("passes within the limits", () => {
    expect(checkUserRules(base)).toEqual([]);
    expect(checkUserRules({ ...base, maxNotional: null, notional: "1000000000" })).toEqual([]);
    expect(checkUserRules({ ...base, notional: "500" })).toEqual([]);
    expect(checkUserRules({ ...base, notional: "500.00000000", maxNotional: "500" })).toEqual([]);
  });
  it("refuses an order over the notional limit, and a notional that is not a decimal", () => {
    expect(checkUserRules({ ...base, notional: "500.01" })).toEqual([{ code: "NOTIONAL_LIMIT", message: expect.stringContaining("500.01") }]);
    // Exact: one hundred-millionth over is over (floats would blur 123456789.12345679 and ...678).
    expect(checkUserRules({ ...base, notional: "500.00000001" }).map((r) => r.code)).toEqual(["NOTIONAL_LIMIT"]);
    expect(checkUserRules({ ...base, notional: "123456789.123456789", maxNotional: "123456789.123456788" }).map((r) => r.code)).toEqual(["NOTIONAL_LIMIT"]);
    expect(checkUserRules({ ...base, notional: "NaN" }).map((r) => r.code)).toEqual(["NOTIONAL_LIMIT"]);
    expect(checkUserRules({ ...base, maxNotional: "garbage" }).map((r) => r.code)).toEqual(["NOTIONAL_LIMIT"]);
  });
  it("refuses inside the cooldown, passes after it", () => {
    const lastOrderAt = new Date(NOW.getTime() - 30_000);
    expect(checkUserRules({ ...base, lastOrderAt, cooldownSeconds: 60 })).toEqual([{ code: "COOLDOWN", message: expect.stringContaining("30 s ago") }]);
    expect(checkUserRules({ ...base, lastOrderAt, cooldownSeconds: 30 })).toEqual([]);
  });
  it("never blocks an order that reduces a position", () => {
    expect(checkUserRules({ ...base, notional: "1000000", lastOrderAt: NOW, cooldownSeconds: 60, reducesPosition: true })).toEqual([]);
  });
});
