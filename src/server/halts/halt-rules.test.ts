import { describe, expect, it } from "vitest";
import { haltBannerText, haltInput, haltReasonFor, type ActiveHalt } from "~/server/halts/halt-rules";

const all: ActiveHalt = { id: "h1", scope: "ALL", exchange: null, strategyId: null, reason: "exchange maintenance" };
const bybit: ActiveHalt = { id: "h2", scope: "EXCHANGE", exchange: "BYBIT", strategyId: null, reason: "Bybit incident" };
const strat: ActiveHalt = { id: "h3", scope: "STRATEGY", exchange: null, strategyId: "s1", reason: "bad signals", strategyName: "Trend" };

describe("haltReasonFor", () => {
  it("nothing halted: null", () => {
    expect(haltReasonFor([], { exchange: "BYBIT", strategyId: "s1" })).toBeNull();
  });
  it("a platform halt stops every live order, in the issue's words", () => {
    expect(haltReasonFor([all], { exchange: "BINANCE", strategyId: "s9" })).toBe("trading halted by the operator: exchange maintenance");
    expect(haltReasonFor([all], { exchange: null, strategyId: null })).toBe("trading halted by the operator: exchange maintenance");
  });
  it("an exchange halt stops that exchange only", () => {
    expect(haltReasonFor([bybit], { exchange: "BYBIT", strategyId: "s1" })).toBe("trading on Bybit halted by the operator: Bybit incident");
    expect(haltReasonFor([bybit], { exchange: "BINANCE", strategyId: "s1" })).toBeNull();
    expect(haltReasonFor([bybit], { exchange: null, strategyId: "s1" })).toBeNull();
  });
  it("a strategy halt stops that strategy only", () => {
    expect(haltReasonFor([strat], { exchange: "BINANCE", strategyId: "s1" })).toBe("trading of this strategy halted by the operator: bad signals");
    expect(haltReasonFor([strat], { exchange: "BINANCE", strategyId: "s2" })).toBeNull();
  });
  it("the platform halt wins, then the exchange's, then the strategy's", () => {
    expect(haltReasonFor([strat, bybit, all], { exchange: "BYBIT", strategyId: "s1" })).toContain("trading halted by the operator: exchange maintenance");
    expect(haltReasonFor([strat, bybit], { exchange: "BYBIT", strategyId: "s1" })).toContain("Bybit incident");
  });
  it("banner text names the target", () => {
    expect(haltBannerText(all)).toBe("Live trading halted by the operator: exchange maintenance");
    expect(haltBannerText(bybit)).toBe("Live trading on Bybit halted by the operator: Bybit incident");
    expect(haltBannerText(strat)).toBe("Live trading of strategy “Trend” halted by the operator: bad signals");
  });
});

describe("haltInput", () => {
  const issues = (v: unknown) => {
    const r = haltInput.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}|${i.message}`);
  };
  it("accepts a platform halt with a trimmed reason and HALT typed", () => {
    const r = haltInput.parse({ scope: "ALL", reason: "  maintenance  ", confirm: "HALT" });
    expect(r.reason).toBe("maintenance");
  });
  it("the confirmation must be HALT, and the error names the field and says what to type", () => {
    for (const confirm of ["", "halt", "STOP"]) {
      const got = issues({ scope: "ALL", reason: "maintenance", confirm });
      expect(got).toHaveLength(1);
      expect(got[0]).toMatch(/^confirm\|confirm: type HALT/);
    }
  });
  it("the reason is required: 3 to 300 characters after trimming", () => {
    expect(issues({ scope: "ALL", reason: "  ab  ", confirm: "HALT" })[0]).toMatch(/^reason\|reason: at least 3 characters/);
    expect(issues({ scope: "ALL", reason: "x".repeat(301), confirm: "HALT" })[0]).toMatch(/^reason\|reason: at most 300/);
    expect(issues({ scope: "ALL", confirm: "HALT" })[0]).toMatch(/^reason\|reason:/);
    expect(issues({ scope: "ALL", reason: "x".repeat(300), confirm: "HALT" })).toEqual([]);
  });
  it("an exchange halt names the exchange; a strategy halt names the strategy", () => {
    expect(issues({ scope: "EXCHANGE", reason: "incident", confirm: "HALT" })).toEqual([expect.stringMatching(/^exchange\|exchange: choose/)]);
    expect(issues({ scope: "EXCHANGE", exchange: "KRAKEN", reason: "incident", confirm: "HALT" })[0]).toMatch(/^exchange\|exchange: choose BINANCE or BYBIT/);
    expect(issues({ scope: "STRATEGY", reason: "incident", confirm: "HALT" })).toEqual([expect.stringMatching(/^strategyId\|strategyId: choose/)]);
    expect(issues({ scope: "EXCHANGE", exchange: "BYBIT", reason: "incident", confirm: "HALT" })).toEqual([]);
  });
  it("an unknown scope is refused with the choices", () => {
    expect(issues({ scope: "EVERYTHING", reason: "incident", confirm: "HALT" })[0]).toMatch(/^scope\|scope: choose/);
  });
});
