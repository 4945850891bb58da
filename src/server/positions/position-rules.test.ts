import { describe, expect, it } from "vitest";
import { positionLegs, type Held, type RuleAlert, type RuleResult } from "~/server/positions/position-rules";

/** "close long 1 -> open short", "open long", "none". */
function show(r: RuleResult): string {
  if (!r.ok) return "none";
  return r.legs.map((l) => (l.kind === "open" ? `open ${l.side}` : `close ${l.side} ${l.fraction}`)).join(" -> ");
}

const HELD: Record<string, Held> = { flat: { side: "flat", size: "0" }, long: { side: "long", size: "0.3" }, short: { side: "short", size: "0.3" } };

function alert(action: RuleAlert["action"], next: RuleAlert["marketPosition"], over: Partial<RuleAlert> = {}): RuleAlert {
  // A strategy whose order moves it between 3 contracts and the next position's size.
  const sizes = next === null ? {} : { positionSize: next === "flat" ? "0" : "3", prevPositionSize: null, contracts: "3" };
  return { action, exitSide: null, marketPosition: next, prevMarketPosition: null, positionSize: null, prevPositionSize: null, contracts: null, closePercent: null, ...sizes, ...over };
}

// Every (held by this account, the strategy's next position, the alert's side) combination.
// An order that grows the position (buy to long, sell to short) opens or adds; one that shrinks it
// closes a share; "flat" closes all; the other side reverses (linear) or just closes (spot).
const LINEAR: [held: string, next: RuleAlert["marketPosition"], action: RuleAlert["action"], expected: string][] = [
  ["flat", null, "buy", "open long"],
  ["flat", null, "sell", "open short"],
  ["flat", null, "exit", "none"],
  ["long", null, "buy", "open long"],
  ["long", null, "sell", "open short"], // indicator alerts keep today's behaviour: the sell is sized as sent
  ["long", null, "exit", "close long 1"],
  ["short", null, "buy", "open long"],
  ["short", null, "sell", "open short"],
  ["short", null, "exit", "close short 1"],
  ["flat", "flat", "buy", "none"],
  ["flat", "flat", "sell", "none"],
  ["flat", "flat", "exit", "none"],
  ["long", "flat", "buy", "close long 1"],
  ["long", "flat", "sell", "close long 1"],
  ["long", "flat", "exit", "close long 1"],
  ["short", "flat", "buy", "close short 1"],
  ["short", "flat", "sell", "close short 1"],
  ["short", "flat", "exit", "close short 1"],
  ["flat", "long", "buy", "open long"],
  ["flat", "long", "sell", "none"], // the strategy reduced a long this account never held
  ["flat", "long", "exit", "none"],
  ["long", "long", "buy", "open long"], // add
  ["long", "long", "sell", "close long 0.5"], // 6 -> 3 contracts
  ["long", "long", "exit", "close long 1"],
  ["short", "long", "buy", "close short 1 -> open long"], // reversal
  ["short", "long", "sell", "close short 1 -> open long"],
  ["short", "long", "exit", "close short 1"],
  ["flat", "short", "buy", "none"],
  ["flat", "short", "sell", "open short"],
  ["flat", "short", "exit", "none"],
  ["long", "short", "buy", "close long 1 -> open short"],
  ["long", "short", "sell", "close long 1 -> open short"], // reversal
  ["long", "short", "exit", "close long 1"],
  ["short", "short", "buy", "close short 0.5"],
  ["short", "short", "sell", "open short"], // add
  ["short", "short", "exit", "close short 1"],
];

// Spot holds no shorts: "short" means leaving the long, and a sell never opens one.
const SPOT: typeof LINEAR = [
  ["flat", null, "buy", "open long"],
  ["flat", null, "sell", "none"],
  ["flat", null, "exit", "none"],
  ["long", null, "buy", "open long"],
  ["long", null, "sell", "close long 1"],
  ["long", null, "exit", "close long 1"],
  ["flat", "flat", "buy", "none"],
  ["flat", "flat", "sell", "none"],
  ["flat", "flat", "exit", "none"],
  ["long", "flat", "buy", "close long 1"],
  ["long", "flat", "sell", "close long 1"],
  ["long", "flat", "exit", "close long 1"],
  ["flat", "long", "buy", "open long"],
  ["flat", "long", "sell", "none"],
  ["flat", "long", "exit", "none"],
  ["long", "long", "buy", "open long"],
  ["long", "long", "sell", "close long 0.5"],
  ["long", "long", "exit", "close long 1"],
  ["flat", "short", "buy", "none"],
  ["flat", "short", "sell", "none"],
  ["flat", "short", "exit", "none"],
  ["long", "short", "buy", "close long 1"],
  ["long", "short", "sell", "close long 1"], // a flip is just the close
  ["long", "short", "exit", "close long 1"],
];

describe("positionLegs: every (held, next position, side) combination", () => {
  it.each(LINEAR)("linear: holding %s, strategy -> %s, %s => %s", (held, next, action, expected) => {
    expect(show(positionLegs({ marketType: "linear", held: HELD[held]!, alert: alert(action, next, sizesFor(held, next, action)) }))).toBe(expected);
  });
  it.each(SPOT)("spot: holding %s, strategy -> %s, %s => %s", (held, next, action, expected) => {
    expect(show(positionLegs({ marketType: "spot", held: HELD[held]!, alert: alert(action, next, sizesFor(held, next, action)) }))).toBe(expected);
  });
});

/** Sizes as TradingView reports them: a reduce on the same side goes 6 -> 3. */
function sizesFor(held: string, next: RuleAlert["marketPosition"], action: RuleAlert["action"]): Partial<RuleAlert> {
  const reducing = next !== null && next !== "flat" && held === next && ((next === "long" && action === "sell") || (next === "short" && action === "buy"));
  return reducing ? { positionSize: "3", contracts: "3" } : {};
}

describe("positionLegs: shares and refusals", () => {
  const long = HELD.long!;
  it("3 -> 1 contracts closes 2/3 of the holding, from prev and next sizes", () => {
    const r = positionLegs({ marketType: "linear", held: long, alert: alert("sell", "long", { positionSize: "1", prevPositionSize: "3", contracts: null }) });
    expect(r.ok && r.legs[0]!.kind === "close" && r.legs[0]!.fraction.startsWith("0.6666666")).toBe(true);
  });
  it("without prev size, prev is next + the order's contracts", () => {
    expect(show(positionLegs({ marketType: "linear", held: long, alert: alert("sell", "long", { positionSize: "1", contracts: "3" }) }))).toBe("close long 0.75");
  });
  it("a reduce the alert cannot size is refused with the fields to send", () => {
    const r = positionLegs({ marketType: "linear", held: long, alert: alert("sell", "long", { positionSize: null, contracts: null }) });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/strategy.market_position_size/) });
  });
  it("an exit with a percent closes that share", () => {
    expect(show(positionLegs({ marketType: "spot", held: long, alert: alert("exit", null, { closePercent: "25" }) }))).toBe("close long 0.25");
  });
  it("close_short does not flatten a long", () => {
    expect(positionLegs({ marketType: "linear", held: long, alert: alert("exit", null, { exitSide: "short" }) })).toMatchObject({ ok: false });
  });
  it("a zero-size holding counts as flat", () => {
    expect(show(positionLegs({ marketType: "linear", held: { side: "long", size: "0" }, alert: alert("exit", null) }))).toBe("none");
  });
  it("cancel is recorded only", () => {
    expect(positionLegs({ marketType: "linear", held: long, alert: alert("cancel", null) })).toMatchObject({ ok: false });
  });
  it("add (TradersPost) adds on the side held, long or short, and does nothing when flat", () => {
    expect(show(positionLegs({ marketType: "linear", held: long, alert: alert("add", null) }))).toBe("open long");
    expect(show(positionLegs({ marketType: "linear", held: HELD.short!, alert: alert("add", null) }))).toBe("open short");
    expect(show(positionLegs({ marketType: "spot", held: long, alert: alert("add", null) }))).toBe("open long");
    expect(positionLegs({ marketType: "linear", held: { side: "flat", size: "0" }, alert: alert("add", null) })).toMatchObject({ ok: false, reason: expect.stringMatching(/nothing to add to/) });
  });
  it("breakeven places no order", () => {
    expect(positionLegs({ marketType: "linear", held: long, alert: alert("breakeven", null) })).toMatchObject({ ok: false, reason: expect.stringMatching(/moves the stop-loss/) });
  });
});
