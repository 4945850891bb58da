import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { Prisma } from "~/generated/prisma/client";
import { AppError } from "~/server/errors";
import { dec, Decimal, decStr, parseDecimal } from "~/server/money/decimal";

describe("Decimal and dec", () => {
  it("is Prisma's Decimal, and dec() values are instances Prisma accepts", () => {
    expect(Decimal).toBe(Prisma.Decimal);
    expect(dec("1.5")).toBeInstanceOf(Prisma.Decimal);
    expect(Prisma.Decimal.isDecimal(dec("1.5"))).toBe(true);
  });

  it("reads numbers from their shortest form, so 0.1 + 0.2 is 0.3", () => {
    expect(dec(0.1).plus(0.2).toFixed()).toBe("0.3");
    expect(decStr(dec(0.1).plus(dec(0.2)))).toBe("0.3");
    expect(dec(1e-7).toFixed()).toBe("0.0000001");
  });

  it("keeps every digit of money arithmetic, where Prisma's default context rounds to 20", () => {
    const exact = "7932113935606572.67483618763907942";
    expect(new Prisma.Decimal("123456789012.123456789").times("64250.12345678").toFixed()).not.toBe(exact);
    expect(dec("123456789012.123456789").times("64250.12345678").toFixed()).toBe(exact);
    expect(dec(new Prisma.Decimal("123456789012.123456789")).times("64250.12345678").toFixed()).toBe(exact);
  });

  it("rounds a division that does not terminate down", () => {
    expect(dec("2").div(3).times(3).lt(2)).toBe(true);
    expect(dec("100").div(50_000).toFixed()).toBe("0.002");
  });

  it("throws AppError for what is not a plain finite decimal", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, "NaN", "Infinity", "0x10", "1,5", "", "abc", "1e"]) {
      expect(() => dec(bad)).toThrow(AppError);
    }
    expect(() => dec(new Prisma.Decimal(Number.NaN))).toThrow(AppError);
  });
});

describe("decStr", () => {
  it.each<[string | number | Decimal, string]>([
    ["1.0E-2", "0.01"],
    ["1.50", "1.5"],
    ["-0", "0"],
    [-0, "0"],
    ["-0.000", "0"],
    ["+7", "7"],
    [".5", "0.5"],
    ["5.", "5"],
    [" 42 ", "42"],
    [1e21, "1000000000000000000000"],
    [1.2345e-5, "0.000012345"],
    [-64250.5, "-64250.5"],
    [0.30000000000000004, "0.30000000000000004"],
    [new Prisma.Decimal("2.500"), "2.5"],
    ["007", "7"],
    ["-0.10", "-0.1"],
    ["0.0", "0"],
    ["-5", "-5"],
    ["0", "0"],
    [64250, "64250"],
  ])("decStr(%j) = %s", (input, expected) => {
    expect(decStr(input)).toBe(expected);
  });

  it("returns text that is already canonical as it is, and gives every other text Decimal's own answer", () => {
    const digits = fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 12 });
    const text = fc
      .tuple(fc.constantFrom("", "-", "+"), digits, fc.option(fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: 12 })), fc.option(fc.integer({ min: -9, max: 9 })))
      .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? "" : `.${frac}`}${exp === null ? "" : `e${exp}`}`);
    fc.assert(
      fc.property(text, (t) => {
        const d = new Prisma.Decimal(t);
        expect(decStr(t)).toBe(d.isZero() ? "0" : d.toFixed());
      }),
      { numRuns: 2_000 },
    );
    expect(() => decStr("1.2.3")).toThrow(/decimal number/);
    expect(() => decStr(Number.NaN)).toThrow(/finite/);
  });

  it("gives a number the digits of its shortest form, exponent or not, as Decimal does", () => {
    const tiny = fc.tuple(fc.integer({ min: 1, max: 999_999_999 }), fc.integer({ min: 7, max: 320 })).map(([d, e]) => d * 10 ** -e);
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), tiny, tiny.map((v) => -v)), (n) => {
        const d = new Prisma.Decimal(String(n));
        expect(decStr(n)).toBe(d.isZero() ? "0" : d.toFixed());
      }),
      { numRuns: 5_000 },
    );
    expect(decStr(4e-7)).toBe("0.0000004");
    expect(decStr(-1.5e-7)).toBe("-0.00000015");
    expect(decStr(1.25e21)).toBe("1250000000000000000000");
  });
});

describe("parseDecimal", () => {
  it.each<[string | number, string]>([
    ["64250.5", "64250.5"],
    [" 1.2345E-5 ", "0.000012345"],
    ["+7", "7"],
    [".5", "0.5"],
    ["-0.5", "-0.5"],
    ["-0", "0"],
    ["1e29", "100000000000000000000000000000"],
    ["1e-30", "0.000000000000000000000000000001"],
    [0.015, "0.015"],
    [1e-7, "0.0000001"],
  ])("parseDecimal(%j) = %s", (input, expected) => {
    expect(parseDecimal(input)).toBe(expected);
  });

  it.each<[string | number]>([
    [""], ["abc"], ["0x10"], ["Infinity"], ["NaN"], ["1,000"], ["1 000"], ["1e"], ["--1"], ["1.2.3"],
    ["1e30"], ["1e400"], ["1e-31"], ["1e-999999999"], ["1".repeat(65)], [Number.NaN], [Number.POSITIVE_INFINITY], [1e30],
  ])("refuses %j", (input) => {
    expect(parseDecimal(input)).toBeNull();
  });

  // How fast: bench/signals.ts (signals.decimal_hostile_ms).
  it("refuses hostile text", () => {
    for (const text of ["1".repeat(60_000) + "x", `${"1".repeat(30_000)}.${"1".repeat(30_000)}x`, "1e-999999999"]) expect(parseDecimal(text)).toBeNull();
  });
});
