import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { AppError } from "~/server/errors";
import { floorToStep, sizeOrder, type SizingInput } from "~/server/signals/sizing";

const spot: SizingInput["market"] = { amountStep: 0.001, minAmount: 0.001, minNotional: 5, marketType: "spot" };
const linear: SizingInput["market"] = { ...spot, marketType: "linear" };

function size(overrides: Partial<SizingInput>): ReturnType<typeof sizeOrder> {
  return sizeOrder({ mode: "FIXED_QUOTE", value: 100, alertContracts: null, price: 50_000, availableQuote: null, market: spot, leverage: null, leverageCap: null, ...overrides });
}

describe("sizeOrder", () => {
  it("FIXED_QUOTE spends the value, rounded down to the step", () => {
    expect(size({})).toEqual({ ok: true, amount: 0.002, amountText: "0.002", unroundedAmount: 0.002, notional: 100, leverage: 1 });
    expect(size({ value: 149.99 })).toMatchObject({ ok: true, amount: 0.002 });
  });

  it("multiplies by the leverage on linear, capped, never on spot", () => {
    expect(size({ market: linear, leverage: 5 })).toMatchObject({ ok: true, amount: 0.01, notional: 500, leverage: 5 });
    expect(size({ market: linear, leverage: 20, leverageCap: 3 })).toMatchObject({ amount: 0.006, leverage: 3 });
    expect(size({ market: linear, leverage: null, leverageCap: 10 })).toMatchObject({ leverage: 1 });
    expect(size({ market: linear, leverage: 5, leverageCap: 0 })).toMatchObject({ leverage: 1 });
    expect(size({ market: linear, leverage: 5, leverageCap: Number.NaN })).toMatchObject({ leverage: 1 });
    expect(size({ market: spot, leverage: 5 })).toMatchObject({ amount: 0.002, leverage: 1 });
  });

  it("PERCENT_BALANCE takes a share of the free quote balance", () => {
    expect(size({ mode: "PERCENT_BALANCE", value: 10, availableQuote: 5_000 })).toMatchObject({ ok: true, amount: 0.01 });
    expect(size({ mode: "PERCENT_BALANCE", value: 10, availableQuote: null })).toMatchObject({ ok: false, reason: { code: "NO_BALANCE" } });
    expect(size({ mode: "PERCENT_BALANCE", value: 10, availableQuote: 0 })).toMatchObject({ ok: false, reason: { code: "NO_BALANCE" } });
    expect(size({ mode: "PERCENT_BALANCE", value: 101, availableQuote: 5_000 })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
  });

  it("FIXED_BASE orders the value; CONTRACTS_MULTIPLIER the alert's contracts times the value", () => {
    expect(size({ mode: "FIXED_BASE", value: 0.0159 })).toMatchObject({ ok: true, amount: 0.015, amountText: "0.015" });
    expect(size({ mode: "CONTRACTS_MULTIPLIER", value: 3, alertContracts: 0.1 })).toMatchObject({ ok: true, amountText: "0.3" });
    expect(size({ mode: "CONTRACTS_MULTIPLIER", value: 3, alertContracts: null })).toMatchObject({ ok: false, reason: { code: "NO_CONTRACTS" } });
  });

  it("refuses what the market would refuse", () => {
    expect(size({ value: 10, price: 50_000 })).toMatchObject({ ok: false, reason: { code: "BELOW_MIN_AMOUNT", message: expect.stringContaining("rounds down to 0") } });
    expect(size({ mode: "FIXED_BASE", value: 0.004, market: { ...spot, minAmount: 0.005 } })).toMatchObject({ ok: false, reason: { code: "BELOW_MIN_AMOUNT" } });
    expect(size({ value: 60, market: { ...spot, minNotional: 100 } })).toMatchObject({ ok: false, reason: { code: "BELOW_MIN_NOTIONAL" } });
    expect(size({ value: 60, market: { ...spot, minNotional: null, minAmount: null } })).toMatchObject({ ok: true, amount: 0.001 });
  });

  it("refuses nonsense inputs instead of throwing", () => {
    expect(size({ price: 0 })).toMatchObject({ ok: false, reason: { code: "NO_PRICE" } });
    expect(size({ price: Number.NaN })).toMatchObject({ ok: false, reason: { code: "NO_PRICE" } });
    expect(size({ value: -1 })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
    expect(size({ market: { ...spot, amountStep: 0 } })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
    expect(size({ value: 1e308, market: linear, leverage: 100 })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
  });

  // Exact decimal check: amountText / step is a whole number.
  const isMultiple = (text: string, step: number) => {
    const [i = "", f = ""] = text.split(".");
    const [si = "", sf = ""] = floorToStep(step, step).split(".");
    const scale = Math.max(f.length, sf.length);
    return BigInt(i + f.padEnd(scale, "0")) % BigInt(si + sf.padEnd(scale, "0")) === 0n;
  };

  it("always gives a multiple of the step, never more than the unrounded amount, less than one step below it", () => {
    const steps = fc.constantFrom(1, 0.1, 0.01, 0.001, 0.0001, 1e-5, 1e-6, 1e-8, 0.5, 0.25, 5, 10, 100);
    fc.assert(
      fc.property(
        fc.constantFrom<SizingInput["mode"]>("FIXED_QUOTE", "PERCENT_BALANCE", "FIXED_BASE", "CONTRACTS_MULTIPLIER"),
        fc.double({ min: 1e-6, max: 1e7, noNaN: true }),
        fc.double({ min: 1e-8, max: 1e6, noNaN: true }),
        steps,
        fc.option(fc.integer({ min: 1, max: 125 })),
        fc.constantFrom<"spot" | "linear">("spot", "linear"),
        (mode, value, price, amountStep, leverage, marketType) => {
          const result = sizeOrder({
            mode, value: mode === "PERCENT_BALANCE" ? Math.min(value, 100) : value, alertContracts: 1.2345, price, availableQuote: 10_000,
            market: { amountStep, minAmount: null, minNotional: null, marketType }, leverage, leverageCap: 50,
          });
          if (!result.ok) {
            expect(result.reason.code).toBe("BELOW_MIN_AMOUNT");
            return;
          }
          expect(isMultiple(result.amountText, amountStep)).toBe(true);
          expect(result.amount).toBe(Number(result.amountText));
          expect(result.amount).toBeLessThanOrEqual(result.unroundedAmount);
          // Beyond 2^53 floats are coarser than the step; allow their spacing.
          expect(result.unroundedAmount - result.amount).toBeLessThan(amountStep * (1 + 1e-9) + result.unroundedAmount * Number.EPSILON * 2);
          expect(result.leverage).toBeLessThanOrEqual(marketType === "spot" ? 1 : 50);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("floorToStep", () => {
  it.each([
    [0.3, 0.1, "0.3"], // 0.3 / 0.1 is 2.9999999999999996 in floats
    [0.7, 0.1, "0.7"],
    [1.005, 0.001, "1.005"],
    [0.0299999, 0.01, "0.02"],
    [123.456, 0.5, "123"],
    [1e-7, 1e-8, "0.0000001"],
    [1.5e21, 1, "1500000000000000000000"],
    [7, 5, "5"],
    [0, 0.001, "0"],
  ])("floorToStep(%s, %s) = %s", (amount, step, expected) => {
    expect(floorToStep(amount, step)).toBe(expected);
  });

  it("throws AppError for values it cannot round", () => {
    expect(() => floorToStep(-1, 0.1)).toThrow(AppError);
    expect(() => floorToStep(1, 0)).toThrow(AppError);
    expect(() => floorToStep(Number.POSITIVE_INFINITY, 1)).toThrow(AppError);
  });
});
