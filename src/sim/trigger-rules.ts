// Trigger primitives shared by conditional orders (triggers.ts) and position
// TP/SL (trading-stop.ts): when a trigger fires, how a trailing stop follows
// the price, and the per-pair set that price moves are checked against.
import { type Fixed, ZERO, ppm } from "./fixed.ts";
import type { Account, Order, SimState, Trigger } from "./state.ts";

export type TriggerSpec = Omit<Trigger, "active" | "extreme">;

export const isTrailing = (t: Trigger): boolean => t.callbackPpm !== null || t.distance !== null;

function roundToTick(value: Fixed, tick: Fixed, up: boolean): Fixed {
  const rest = value % tick;
  return rest === ZERO ? value : value - rest + (up ? tick : ZERO);
}

/** Moves a trailing stop with the price: activation, best price since, stop level behind it. */
export function trail(t: Trigger, side: "buy" | "sell", price: Fixed, tick: Fixed): void {
  const sell = side === "sell"; // protects a long: follows the price up, fires on the way down
  if (!t.active) {
    if (t.activation !== null && (sell ? price < t.activation : price > t.activation)) return;
    t.active = true;
    t.extreme = price;
  } else if (sell ? price > t.extreme : price < t.extreme) {
    t.extreme = price;
  }
  const gap = t.callbackPpm !== null ? ppm(t.extreme, t.callbackPpm) : (t.distance as Fixed);
  t.price = roundToTick(sell ? t.extreme - gap : t.extreme + gap, tick, !sell);
}

export function fires(t: Trigger, price: Fixed): boolean {
  if (isTrailing(t) && !t.active) return false;
  return t.direction === "rise" ? price >= t.price : price <= t.price;
}

export function arm(state: SimState, account: Account, order: Order): void {
  account.conditionals.add(order);
  const key = order.exchange + ":" + order.market.id;
  let set = state.triggers.get(key);
  if (set === undefined) {
    set = new Set();
    state.triggers.set(key, set);
  }
  set.add(order);
}

