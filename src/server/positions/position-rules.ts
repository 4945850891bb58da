/**
 * What one subscriber's orders must be for one alert, from TradingView's position fields and what
 * the strategy holds on that subscriber's account (the ledger). Pure: the table in
 * position-rules.test.ts is the specification.
 *
 * - to flat: close exactly what the strategy holds (never the user's other coins);
 * - a reversal: close, then open the other side (the open waits for the close to fill); spot
 *   cannot be short, so there a reversal is just the close;
 * - a smaller position on the same side: close the same share of the holding (3 -> 1 closes 2/3);
 * - a larger one, or a new one: open / add at the subscriber's own sizing;
 * - no position fields (indicator alerts): buy and sell as sent; exit / close closes the holding,
 *   or the alert's percent of it;
 * - add (TradersPost): add on the side held at the subscriber's sizing; nothing when flat;
 * - breakeven places no order (the fan-out moves the stop-loss: positions/protection/break-even-alert.ts).
 */
import { dec } from "~/server/money/decimal";
import { skipped, type SkipKey } from "~/server/error-catalogue/skip-reasons";

export type Side = "long" | "short";
export type Held = { side: Side | "flat"; size: string };

export interface RuleAlert {
  action: "buy" | "sell" | "exit" | "cancel" | "add" | "breakeven";
  /** close_long / close_short: only that side may be closed. */
  exitSide: Side | null;
  /** {{strategy.market_position}} after the order. */
  marketPosition: Side | "flat" | null;
  /** {{strategy.prev_market_position}} before it. */
  prevMarketPosition: Side | "flat" | null;
  /** {{strategy.market_position_size}} after the order (absolute). */
  positionSize: string | null;
  /** {{strategy.prev_market_position_size}} before it (absolute). */
  prevPositionSize: string | null;
  /** {{strategy.order.contracts}}: the strategy's order size. */
  contracts: string | null;
  /** An explicit share to close, in percent (0, 100], on exit alerts. */
  closePercent: string | null;
}

export type Leg =
  /** Open or add on `side` at the subscriber's sizing. */
  | { kind: "open"; side: Side }
  /** Close `fraction` (0, 1] of what is held on `side`. */
  | { kind: "close"; side: Side; fraction: string };

/** No legs: `reason` in words, `code` its catalogue code (error-catalogue/skip-reasons.ts). */
export type RuleResult = { ok: true; legs: Leg[] } | { ok: false; reason: string; code: string };

const none = (key: SkipKey, message?: string): RuleResult => {
  const r = skipped(key, message);
  return { ok: false, reason: r.message, code: r.code };
};
const legs = (...l: Leg[]): RuleResult => ({ ok: true, legs: l });
const opposite = (s: Side): Side => (s === "long" ? "short" : "long");
const closeAll = (held: Held): Leg => ({ kind: "close", side: held.side as Side, fraction: "1" });

export function positionLegs(input: { marketType: "spot" | "linear"; held: Held; alert: RuleAlert }): RuleResult {
  const { marketType, alert } = input;
  const held: Held = dec(input.held.size).gt(0) ? input.held : { side: "flat", size: "0" };
  const spot = marketType === "spot";

  if (alert.action === "cancel") return none("CANCEL_ALERT");

  if (alert.action === "exit") return exitLegs(held, alert);
  if (alert.action === "breakeven") return none("BREAK_EVEN", "A break-even alert places no order: it moves the stop-loss of an open position to its entry.");
  if (alert.action === "add") {
    if (held.side === "flat") return none("NOTHING_TO_ADD");
    return legs({ kind: "open", side: held.side });
  }

  // With the strategy's position after the order, the position decides; otherwise the action does.
  let next = alert.marketPosition;
  if (next === null) return plainLegs(spot, held, alert);
  if (spot && next === "short") next = "flat"; // spot holds no shorts: going short means leaving the long

  if (next === "flat") {
    if (held.side === "flat") return none("NOTHING_TO_CLOSE", "The strategy went flat and this account holds nothing for it: nothing to close.");
    return legs(closeAll(held));
  }
  if (held.side === opposite(next)) {
    // A reversal: the close first, then (on linear) the new side once the close has filled.
    return spot ? legs(closeAll(held)) : legs(closeAll(held), { kind: "open", side: next });
  }
  const growing = next === "long" ? alert.action === "buy" : alert.action === "sell";
  if (growing) return legs({ kind: "open", side: next });
  // Same side, the strategy reduced it: close the same share of this account's holding.
  if (held.side === "flat") return none("NOTHING_TO_CLOSE", `The strategy reduced its ${next} position and this account holds none for it: nothing to close.`);
  const fraction = reducedShare(alert);
  if (fraction === null) {
    return none("REDUCE_SIZE_UNKNOWN");
  }
  return legs({ kind: "close", side: next, fraction });
}

function exitLegs(held: Held, alert: RuleAlert): RuleResult {
  if (held.side === "flat") return none("NOTHING_TO_CLOSE", "An exit alert, and this account holds nothing for the strategy: nothing to close.");
  if (alert.exitSide && alert.exitSide !== held.side) return none("EXIT_SIDE_MISMATCH", `The alert closes a ${alert.exitSide} position; this account holds a ${held.side} one for the strategy.`);
  const fraction = alert.closePercent === null ? "1" : dec(alert.closePercent).div(100).toFixed();
  if (!(dec(fraction).gt(0) && dec(fraction).lte(1))) return none("CLOSE_PERCENT_INVALID", `A close percentage must be more than 0 and at most 100; it is ${alert.closePercent}.`);
  return legs({ kind: "close", side: held.side, fraction });
}

/** Indicator alerts (no position fields): buy and sell as sent; on spot a sell closes the long it meets. */
function plainLegs(spot: boolean, held: Held, alert: RuleAlert): RuleResult {
  const side: Side = alert.action === "buy" ? "long" : "short";
  if (spot && side === "short") {
    if (held.side === "flat") return none("SPOT_NO_SHORT");
    return legs(closeAll(held));
  }
  return legs({ kind: "open", side });
}

/** (prev - next) / prev, from the sizes the alert carries; null when it cannot be known. */
function reducedShare(alert: RuleAlert): string | null {
  const next = alert.positionSize === null ? null : dec(alert.positionSize).abs();
  let prev = alert.prevPositionSize === null ? null : dec(alert.prevPositionSize).abs();
  if (prev === null && next !== null && alert.contracts !== null) prev = next.plus(dec(alert.contracts).abs());
  if (prev === null || next === null || prev.lte(0) || next.gte(prev)) return null;
  return prev.minus(next).div(prev).toFixed();
}
