import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { MAX_ORDER_AMOUNT, sizeOrder, type SizingInput } from "~/server/engine/sizing";
import { dec, Decimal, decStr } from "~/server/money/decimal";

const spot: SizingInput["market"] = { amountStep: "0.001", minAmount: "0.001", minNotional: "5", marketType: "spot" };
const linear: SizingInput["market"] = { ...spot, marketType: "linear" };

function size(overrides: Partial<SizingInput>): ReturnType<typeof sizeOrder> {
  return sizeOrder({ mode: "FIXED_QUOTE", value: "100", alertContracts: null, price: "50000", availableQuote: null, market: spot, leverage: null, leverageCap: null, ...overrides });
}

describe("sizeOrder", () => {
  it("FIXED_QUOTE spends the value, rounded down to the step", () => {
    expect(size({})).toEqual({ ok: true, amount: "0.002", unroundedAmount: "0.002", notional: "100", leverage: 1 });
    expect(size({ value: "149.99" })).toMatchObject({ ok: true, amount: "0.002", unroundedAmount: "0.0029998", notional: "100" });
  });

  it("multiplies by the leverage on linear, capped, never on spot", () => {
    expect(size({ market: linear, leverage: 5 })).toMatchObject({ ok: true, amount: "0.01", notional: "500", leverage: 5 });
    expect(size({ market: linear, leverage: 20, leverageCap: 3 })).toMatchObject({ amount: "0.006", leverage: 3 });
    expect(size({ market: linear, leverage: null, leverageCap: 10 })).toMatchObject({ leverage: 1 });
    expect(size({ market: linear, leverage: 5, leverageCap: 0 })).toMatchObject({ leverage: 1 });
    expect(size({ market: linear, leverage: 5, leverageCap: Number.NaN })).toMatchObject({ leverage: 1 });
    expect(size({ market: linear, leverage: 2.5 })).toMatchObject({ amount: "0.005", leverage: 2.5 });
    expect(size({ market: spot, leverage: 5 })).toMatchObject({ amount: "0.002", leverage: 1 });
  });

  it("PERCENT_BALANCE takes a share of the free quote balance", () => {
    expect(size({ mode: "PERCENT_BALANCE", value: "10", availableQuote: "5000" })).toMatchObject({ ok: true, amount: "0.01" });
    expect(size({ mode: "PERCENT_BALANCE", value: "10", availableQuote: null })).toMatchObject({ ok: false, reason: { code: "NO_BALANCE" } });
    expect(size({ mode: "PERCENT_BALANCE", value: "10", availableQuote: "0" })).toMatchObject({ ok: false, reason: { code: "NO_BALANCE" } });
    expect(size({ mode: "PERCENT_BALANCE", value: "101", availableQuote: "5000" })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
    expect(size({ mode: "PERCENT_BALANCE", value: "100.00000001", availableQuote: "5000" })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
  });

  it("FIXED_BASE orders the value; CONTRACTS_MULTIPLIER the alert's contracts times the value", () => {
    expect(size({ mode: "FIXED_BASE", value: "0.0159" })).toMatchObject({ ok: true, amount: "0.015" });
    expect(size({ mode: "CONTRACTS_MULTIPLIER", value: "3", alertContracts: "0.1" })).toMatchObject({ ok: true, amount: "0.3" });
    expect(size({ mode: "CONTRACTS_MULTIPLIER", value: "3", alertContracts: null })).toMatchObject({ ok: false, reason: { code: "NO_CONTRACTS" } });
  });

  it("is exact where floats are not", () => {
    // 0.7 / 0.1 and 0.3 * 3 go wrong in floats (6.999..., 0.8999...).
    expect(size({ mode: "FIXED_BASE", value: "0.7", market: { ...spot, amountStep: "0.1", minNotional: null } })).toMatchObject({ amount: "0.7" });
    expect(size({ mode: "CONTRACTS_MULTIPLIER", value: "3", alertContracts: "0.3", market: { ...spot, amountStep: "0.1", minNotional: null } })).toMatchObject({
      amount: "0.9",
    });
    // 18 significant digits survive: a float would give 123456789.12345679.
    const fine = { ...spot, amountStep: "0.000000001", minAmount: null, minNotional: null };
    expect(size({ mode: "FIXED_BASE", value: "123456789.123456789", market: fine })).toMatchObject({ amount: "123456789.123456789" });
    expect(size({ value: "100", price: "3", market: fine })).toMatchObject({ amount: "33.333333333", unroundedAmount: "33.3333333333333333333333333333" });
    expect(size({ value: "10", price: "2", market: { ...fine, minNotional: "5.000000001" } })).toMatchObject({ ok: true, notional: "10" });
    expect(size({ value: "5", price: "3", market: { ...fine, minNotional: "5" } })).toMatchObject({ ok: false, reason: { code: "BELOW_MIN_NOTIONAL" } });
  });

  it("refuses what the market would refuse", () => {
    expect(size({ value: "10", price: "50000" })).toMatchObject({ ok: false, reason: { code: "BELOW_MIN_AMOUNT", message: expect.stringContaining("0.0002 rounds down to 0") } });
    expect(size({ mode: "FIXED_BASE", value: "0.004", market: { ...spot, minAmount: "0.005" } })).toMatchObject({ ok: false, reason: { code: "BELOW_MIN_AMOUNT" } });
    expect(size({ value: "60", market: { ...spot, minNotional: "100" } })).toMatchObject({ ok: false, reason: { code: "BELOW_MIN_NOTIONAL", message: expect.stringContaining("value 50 is below the market's minimum 100") } });
    expect(size({ value: "60", market: { ...spot, minNotional: null, minAmount: null } })).toMatchObject({ ok: true, amount: "0.001" });
  });

  it("refuses nonsense inputs instead of throwing", () => {
    expect(size({ price: "0" })).toMatchObject({ ok: false, reason: { code: "NO_PRICE" } });
    expect(size({ price: "NaN" })).toMatchObject({ ok: false, reason: { code: "NO_PRICE" } });
    expect(size({ price: null })).toMatchObject({ ok: false, reason: { code: "NO_PRICE" } });
    expect(size({ price: "-50000" })).toMatchObject({ ok: false, reason: { code: "NO_PRICE" } });
    expect(size({ value: "-1" })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
    expect(size({ value: "abc" })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
    expect(size({ market: { ...spot, amountStep: "0" } })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
    expect(size({ value: "1e308", market: linear, leverage: 100 })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
    expect(size({ mode: "FIXED_BASE", value: MAX_ORDER_AMOUNT })).toMatchObject({ ok: false, reason: { code: "INVALID_INPUT" } });
  });

  // Decimals as digits x 10^-scale, so the property covers values floats cannot hold.
  const decimal = (min: bigint, max: bigint, maxScale: number) =>
    fc.tuple(fc.bigInt({ min, max }), fc.integer({ min: 0, max: maxScale })).map(([digits, scale]) => decStr(`${digits}e-${scale}`));

  it("always gives a multiple of the step, never more than the unrounded amount, less than one step below it", () => {
    const steps = fc.constantFrom("1", "0.1", "0.01", "0.001", "0.0001", "0.00001", "0.000001", "0.00000001", "0.5", "0.25", "5", "10", "100");
    fc.assert(
      fc.property(
        fc.constantFrom<SizingInput["mode"]>("FIXED_QUOTE", "PERCENT_BALANCE", "FIXED_BASE", "CONTRACTS_MULTIPLIER"),
        decimal(1n, 10n ** 13n, 6),
        decimal(1n, 10n ** 14n, 8),
        steps,
        fc.option(fc.integer({ min: 1, max: 125 })),
        fc.constantFrom<"spot" | "linear">("spot", "linear"),
        (mode, value, price, amountStep, leverage, marketType) => {
          const v = mode === "PERCENT_BALANCE" && dec(value).gt(100) ? "100" : value;
          const result = sizeOrder({
            mode, value: v, alertContracts: "1.2345", price, availableQuote: "10000",
            market: { amountStep, minAmount: null, minNotional: null, marketType }, leverage, leverageCap: 50,
          });
          if (!result.ok) {
            expect(["BELOW_MIN_AMOUNT", "INVALID_INPUT"]).toContain(result.reason.code);
            if (result.reason.code === "INVALID_INPUT") expect(result.reason.message).toContain("not a real order size");
            return;
          }
          const amount = dec(result.amount);
          expect(amount.mod(amountStep).isZero()).toBe(true);
          expect(amount.lte(result.unroundedAmount)).toBe(true);
          expect(dec(result.unroundedAmount).minus(amount).lt(amountStep)).toBe(true);
          expect(result.notional).toBe(decStr(amount.times(price)));
          expect(result.leverage).toBeLessThanOrEqual(marketType === "spot" ? 1 : 50);
          // The size from decimal.js at 100 digits (what the formulas say), cut to 30 significant digits.
          const lev = String(result.leverage);
          const byFormula = {
            FIXED_QUOTE: () => dec(v).times(lev).div(price),
            PERCENT_BALANCE: () => dec("10000").times(v).div(100).times(lev).div(price),
            FIXED_BASE: () => dec(v),
            CONTRACTS_MULTIPLIER: () => dec("1.2345").times(v),
          }[mode]();
          expect(result.unroundedAmount).toBe(decStr(byFormula.toSignificantDigits(30, Decimal.ROUND_DOWN)));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
