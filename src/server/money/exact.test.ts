import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { AppError } from "~/server/errors";
import { dec, Decimal, decStr } from "~/server/money/decimal";
import { add, cmp, divDp, divSig, floorToStep, min, mul, mulDiv, neg, roundToScale, sign, sub } from "~/server/money/exact";

// Decimals as digits x 10^-scale, so the properties cover values floats cannot hold.
const decimal = (maxDigits: bigint, maxScale: number) =>
  fc.tuple(fc.bigInt({ min: 0n, max: maxDigits }), fc.integer({ min: 0, max: maxScale })).map(([digits, scale]) => decStr(`${digits}e-${scale}`));
/** Any sign, the ledger's range (DECIMAL(36,18)) and beyond, and the non-canonical forms an exchange or a column may give. */
const value = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.boolean(), decimal(10n ** 36n, 24)).map(([minus, d]) => (minus && d !== "0" ? `-${d}` : d)) },
  { weight: 1, arbitrary: fc.constantFrom("0", "-0", "0.000", "1.50", "007.5", "1e-8", "+3", " 2.5 ", "1E+3", "-0.0001000") },
);
/** The ledger's range, DECIMAL(36,18): a quotient of these stays within decimal.js's 100 digits, so it is the exact one. */
const ledgerValue = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: 18 }).chain((scale) => fc.tuple(fc.bigInt({ min: 0n, max: 10n ** BigInt(18 + scale) - 1n }), fc.constant(scale))))
  .map(([minus, [digits, scale]]) => decStr(`${minus ? "-" : ""}${digits}e-${scale}`));
const ledgerNonZero = ledgerValue.filter((v) => v !== "0");

describe("exact decimal operations, held to decimal.js at 100 digits rounding down (what dec() computes)", () => {
  it("add, sub, mul, neg, cmp, sign, min", () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(add(a, b)).toBe(decStr(dec(a).plus(dec(b))));
        expect(sub(a, b)).toBe(decStr(dec(a).minus(dec(b))));
        expect(mul(a, b)).toBe(decStr(dec(a).times(dec(b))));
        expect(neg(a)).toBe(decStr(dec(a).neg()));
        expect(cmp(a, b)).toBe(dec(a).cmp(dec(b)));
        expect(sign(a)).toBe(dec(a).isZero() ? 0 : dec(a).isNegative() ? -1 : 1);
        expect(min(a, b)).toBe(dec(a).lte(dec(b)) ? a : b);
      }),
      { numRuns: 3000 },
    );
  });

  it("mulDiv and divDp cut towards zero at the given places", () => {
    fc.assert(
      fc.property(ledgerValue, ledgerValue, ledgerNonZero, fc.integer({ min: 0, max: 24 }), (x, part, whole, dp) => {
        expect(mulDiv(x, part, whole, dp)).toBe(decStr(dec(x).times(dec(part)).div(dec(whole)).toDecimalPlaces(dp)));
        expect(divDp(x, whole, dp)).toBe(decStr(dec(x).div(dec(whole)).toDecimalPlaces(dp)));
      }),
      { numRuns: 3000 },
    );
  });

  it("divSig cuts towards zero at the given significant digits", () => {
    fc.assert(
      fc.property(ledgerValue, ledgerNonZero, fc.integer({ min: 1, max: 40 }), (a, b, sig) => {
        expect(divSig(a, b, sig)).toBe(decStr(dec(a).div(dec(b)).toSignificantDigits(sig, Decimal.ROUND_DOWN)));
      }),
      { numRuns: 3000 },
    );
  });

  it("roundToScale rounds half away from zero, as a NUMERIC column stores", () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 24 }), (x, dp) => {
        expect(roundToScale(x, dp)).toBe(decStr(dec(x).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP)));
      }),
      { numRuns: 3000 },
    );
    expect(roundToScale("0.0000000000000000005", 18)).toBe("0.000000000000000001");
    expect(roundToScale("-0.0000000000000000005", 18)).toBe("-0.000000000000000001");
    expect(roundToScale("0.00000000000000000049", 18)).toBe("0");
  });

  it("canonical text out: no exponent, no trailing zeros, no -0", () => {
    expect(add("0.10", "0.20")).toBe("0.3");
    expect(sub("1.5", "1.5")).toBe("0");
    expect(mul("-0.5", "0")).toBe("0");
    expect(mul("0.00000001", "0.00000001")).toBe("0.0000000000000001");
    expect(divSig("1", "3", 5)).toBe("0.33333");
    expect(divSig("-2", "3", 3)).toBe("-0.666");
    expect(divSig("12345678", "0.001", 3)).toBe("12300000000");
    expect(mulDiv("10", "1", "3", 2)).toBe("3.33");
  });

  it("refuses what dec() refuses, with its error", () => {
    for (const bad of ["", "abc", "0x10", "1.2.3", "Infinity", "NaN", "1,000"]) expect(() => add(bad, "1")).toThrow(AppError);
    expect(() => mulDiv("1", "1", "0", 2)).toThrow(RangeError);
    expect(() => divSig("1", "0.000", 2)).toThrow(RangeError);
  });
});

describe("floorToStep", () => {
  it.each<[string | number, string | number, string]>([
    [0.3, 0.1, "0.3"], // 0.3 / 0.1 is 2.9999999999999996 in floats
    [0.7, 0.1, "0.7"],
    [1.005, 0.001, "1.005"],
    [0.0299999, 0.01, "0.02"],
    [123.456, 0.5, "123"],
    [1e-7, 1e-8, "0.0000001"],
    [1.5e21, 1, "1500000000000000000000"],
    [7, 5, "5"],
    [0, 0.001, "0"],
    ["0.0159", "0.001", "0.015"],
    ["123456789012345678.123456789", "0.00000001", "123456789012345678.12345678"],
    ["0.3", "0.10", "0.3"],
    ["-0", "0.1", "0"],
  ])("floorToStep(%s, %s) = %s", (amount, step, expected) => {
    expect(floorToStep(amount, step)).toBe(expected);
  });

  it("throws AppError for values it cannot round", () => {
    expect(() => floorToStep(-1, 0.1)).toThrow(AppError);
    expect(() => floorToStep("-0.00000001", "0.1")).toThrow(AppError);
    expect(() => floorToStep(1, 0)).toThrow(AppError);
    expect(() => floorToStep(1, "-0.1")).toThrow(AppError);
    expect(() => floorToStep(Number.POSITIVE_INFINITY, 1)).toThrow(AppError);
  });

  const step = fc.oneof(
    fc.constantFrom("1", "0.1", "0.01", "0.001", "0.00001", "0.00000001", "0.5", "0.25", "5", "10", "100"),
    decimal(999n, 10).filter((s) => s !== "0"),
  );

  it("is a multiple of the step, <= the amount and more than one step below it, exactly", () => {
    fc.assert(
      fc.property(decimal(10n ** 24n, 16), step, (amount, s) => {
        const floored = dec(floorToStep(amount, s));
        expect(floored.mod(s).isZero()).toBe(true);
        expect(floored.lte(amount)).toBe(true);
        expect(floored.gt(dec(amount).minus(s))).toBe(true);
        expect(floorToStep(floored, s)).toBe(decStr(floored));
      }),
      { numRuns: 3000 },
    );
  });
});

