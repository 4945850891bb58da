import { describe, expect, it } from "vitest";
import { fmtAmount, fmtMoney, roundDecimal, signOf } from "~/components/decimal-format";

describe("roundDecimal", () => {
  it("rounds half away from zero on the digits, carrying", () => {
    expect(roundDecimal("1.005", 2)).toBe("1.01");
    expect(roundDecimal("1.004", 2)).toBe("1.00");
    expect(roundDecimal("-1.005", 2)).toBe("-1.01");
    expect(roundDecimal("9.999", 2)).toBe("10.00");
    expect(roundDecimal("-0.001", 2)).toBe("0.00");
    expect(roundDecimal("0.1", 0)).toBe("0");
    expect(roundDecimal("12", 3)).toBe("12.000");
    expect(roundDecimal(".5", 0)).toBe("1");
    // Beyond a float's precision, still exact.
    expect(roundDecimal("123456789012345678.125", 2)).toBe("123456789012345678.13");
    expect(roundDecimal("abc", 2)).toBe("abc");
  });
});

describe("fmtMoney", () => {
  it("shows 2 decimals (up to 4 below 1), thousands grouped, an optional sign", () => {
    expect(fmtMoney("1234.5")).toBe("1,234.50");
    expect(fmtMoney("1.798", { sign: true })).toBe("+1.80");
    expect(fmtMoney("-0.051", { sign: true })).toBe("-0.051");
    expect(fmtMoney("0", { sign: true })).toBe("0.00");
    expect(fmtMoney("-0.00001", { sign: true })).toBe("0.00");
    expect(fmtMoney("37.64")).toBe("37.64");
  });
});

describe("fmtAmount", () => {
  it("keeps significant decimals up to 8, drops trailing zeros", () => {
    expect(fmtAmount("0.001998")).toBe("0.001998");
    expect(fmtAmount("50050.000000")).toBe("50,050");
    expect(fmtAmount("0.123456789")).toBe("0.12345679");
  });
});

describe("signOf", () => {
  it("reads the sign of a decimal string", () => {
    expect([signOf("-1"), signOf("0.000"), signOf("2.5"), signOf("-0")]).toEqual([-1, 0, 1, 0]);
  });
});
