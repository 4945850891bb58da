import { describe, expect, it } from "vitest";
import { desiredOrders, makePlan, type PlanInput } from "~/server/positions/protection/protection-plan";
import { checkAgainstStrategy, effectiveSettings, protectionSettings } from "~/server/positions/protection/protection-settings";

const market = { amountStep: "0.001", minAmount: "0.001", priceStep: "0.1" };
const base = (over: Partial<PlanInput> = {}): PlanInput => ({
  side: "long", entry: "50000", alert: { stopLoss: null, takeProfit: null }, priceStep: "0.1", supportsTrailing: true,
  settings: protectionSettings.parse({ stopLossPct: "2", takeProfits: [{ pct: "2", sharePct: "50" }, { pct: "4", sharePct: "50" }], breakEven: true }),
  ...over,
});

describe("protection plan", () => {
  it("a long: stop-loss below, take-profits above the entry, each level's share of the position; the last takes the rest", () => {
    const plan = makePlan(base())!;
    expect([plan.stopLoss, plan.takeProfits]).toEqual(["49000", [{ level: 1, price: "51000", sharePct: "50" }, { level: 2, price: "52000", sharePct: "50" }]]);
    expect(desiredOrders(plan, "0.031", market)).toEqual([
      { kind: "STOP_LOSS", level: 0, side: "sell", amount: "0.031", triggerPrice: "49000", callbackPct: null },
      { kind: "TAKE_PROFIT", level: 1, side: "sell", amount: "0.015", triggerPrice: "51000", callbackPct: null },
      { kind: "TAKE_PROFIT", level: 2, side: "sell", amount: "0.016", triggerPrice: "52000", callbackPct: null },
    ]);
  });

  it("after the first take-profit: the rest is protected at break-even and the next level closes its share of what is left", () => {
    const plan = { ...makePlan(base())!, filledLevels: [1], breakEvenDone: true };
    expect(desiredOrders(plan, "0.015", market)).toEqual([
      { kind: "STOP_LOSS", level: 0, side: "sell", amount: "0.015", triggerPrice: "50000", callbackPct: null },
      { kind: "TAKE_PROFIT", level: 2, side: "sell", amount: "0.015", triggerPrice: "52000", callbackPct: null },
    ]);
  });

  it("shares under 100 %: a partial close shrinks every level in proportion; the rest is left to the strategy", () => {
    const plan = makePlan(base({ settings: protectionSettings.parse({ takeProfits: [{ pct: "1", sharePct: "25" }, { pct: "3", sharePct: "25" }] }) }))!;
    expect(desiredOrders(plan, "0.04", market).map((o) => o.amount)).toEqual(["0.01", "0.01"]);
    expect(desiredOrders({ ...plan, filledLevels: [1] }, "0.03", market).map((o) => [o.level, o.amount])).toEqual([[2, "0.01"]]);
  });

  it("a short: stop-loss above and take-profit below; the alert's prices win over the distances", () => {
    const plan = makePlan(base({ side: "short", alert: { stopLoss: "51234.56", takeProfit: "45000" } }))!;
    expect([plan.stopLoss, plan.takeProfits]).toEqual(["51234.5", [{ level: 1, price: "45000", sharePct: "100" }]]);
    expect(desiredOrders(plan, "0.01", market).map((o) => [o.kind, o.side, o.triggerPrice])).toEqual([["STOP_LOSS", "buy", "51234.5"], ["TAKE_PROFIT", "buy", "45000"]]);
  });

  it("an alert's percent distances (TradersPost's {\"percent\": 2}) come after its prices and before the settings'", () => {
    const plan = makePlan(base({ side: "short", alert: { stopLoss: null, takeProfit: null, stopLossPct: "1", takeProfitPct: "3" } }))!;
    expect([plan.stopLoss, plan.takeProfits]).toEqual(["50500", [{ level: 1, price: "48500", sharePct: "100" }]]);
    const priced = makePlan(base({ alert: { stopLoss: "48000", takeProfit: null, stopLossPct: "1", takeProfitPct: null } }))!;
    expect([priced.stopLoss, priced.takeProfits.length]).toEqual(["48000", 2]);
    expect(makePlan(base({ settings: null, alert: { stopLoss: null, takeProfit: null, takeProfitPct: "2" } }))!.takeProfits).toEqual([{ level: 1, price: "51000", sharePct: "100" }]);
  });

  it("an alert's stop-loss on the wrong side of the entry is left out, with a note, and the distance applies", () => {
    const plan = makePlan(base({ alert: { stopLoss: "51000", takeProfit: null } }))!;
    expect(plan.stopLoss).toBe("49000");
    expect(plan.notes[0]).toContain("not below the entry 50000");
  });

  it("an alert's trailing stop wins over the settings' and is left out, with a note, where the exchange takes none", () => {
    const settings = protectionSettings.parse({ trailingPct: "1" });
    expect(makePlan(base({ settings, alert: { stopLoss: null, takeProfit: null, trailingStopPct: "2.5" } }))!.trailingPct).toBe("2.5");
    const plan = makePlan(base({ settings: null, alert: { stopLoss: null, takeProfit: null, trailingStopPct: "2.5" } }))!;
    expect(desiredOrders(plan, "0.01", market).map((o) => [o.kind, o.callbackPct])).toEqual([["TRAILING_STOP", "2.5"]]);
    const bybit = makePlan(base({ settings: null, supportsTrailing: false, alert: { stopLoss: null, takeProfit: null, trailingStopPct: "2.5" } }))!;
    expect([bybit.trailingPct, bybit.notes[0]]).toEqual([null, expect.stringContaining("no percent trailing stop")]);
  });

  it("trailing stop only where the exchange takes one; amounts below the market minimum are not placed", () => {
    const settings = protectionSettings.parse({ trailingPct: "1" });
    expect(makePlan(base({ settings }))!.trailingPct).toBe("1");
    const bybit = makePlan(base({ settings, supportsTrailing: false }))!;
    expect([bybit.trailingPct, bybit.notes.length]).toEqual([null, 1]);
    expect(desiredOrders(makePlan(base())!, "0.0009", market)).toEqual([]);
    expect(makePlan(base({ settings: null }))).toBeNull();
  });
});

describe("protection settings", () => {
  it("refuses shares over 100 %, levels out of order, break-even without a stop, a callback outside 0.1..10, naming the field", () => {
    const issues = (v: unknown) => protectionSettings.safeParse(v).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(issues({ takeProfits: [{ pct: "1", sharePct: "60" }, { pct: "2", sharePct: "50" }] })).toEqual(["takeProfits: The take-profit shares add up to 110 %; they must add up to at most 100 %."]);
    expect(issues({ takeProfits: [{ pct: "2", sharePct: "50" }, { pct: "1", sharePct: "50" }] })[0]).toContain("in order");
    expect(issues({ takeProfits: [{ pct: "2", sharePct: "50" }], breakEven: true })).toEqual(["breakEven: Break-even moves the stop-loss: set a stop-loss distance."]);
    expect(issues({ trailingPct: "0.05" })[0]).toContain("trailingPct: The trailing stop's callback must be at least 0.1 %");
    expect(issues({ stopLossPct: "abc" })[0]).toMatch(/^stopLossPct: The stop-loss distance must be a percentage/);
    expect(issues({ stopLossPct: "2", extra: 1 })[0]).toContain("extra");
  });

  it("a subscriber's own settings apply within the strategy's bounds, else the strategy's defaults", () => {
    const strategy = { defaults: { stopLossPct: "3" }, maxStopLossPct: "5", allowSubscriberOverride: true };
    expect(effectiveSettings(strategy, { stopLossPct: "4" })?.stopLossPct).toBe("4");
    expect(effectiveSettings(strategy, { stopLossPct: "8" })?.stopLossPct).toBe("3");
    expect(effectiveSettings(strategy, null)?.stopLossPct).toBe("3");
    expect(checkAgainstStrategy(protectionSettings.parse({ stopLossPct: "8" }), { ...strategy, defaults: null })).toContain("at most 5 %");
    expect(effectiveSettings({ ...strategy, allowSubscriberOverride: false }, { stopLossPct: "4" })?.stopLossPct).toBe("3");
  });
});
