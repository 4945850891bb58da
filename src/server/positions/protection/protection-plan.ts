/**
 * The protection plan of one position, fixed when it opens (levels as prices), and the protective
 * orders it asks for at the position's current size. Pure: the sync compares these with what is on
 * the exchange. Sizes follow the position: a take-profit closes its share of the position as it was
 * opened, so after a partial close every remaining level shrinks in proportion, and the stop-loss and
 * trailing stop always cover the whole position.
 */
import { dec, decStr } from "~/server/money/decimal";
import { floorToStep } from "~/server/money/exact";
import type { ProtectionSettings } from "~/server/positions/protection/protection-settings";

export type PlanSide = "long" | "short";

export interface ProtectionPlan {
  side: PlanSide;
  /** The entry price the levels were set from. */
  entry: string;
  stopLoss: string | null;
  takeProfits: { level: number; price: string; sharePct: string }[];
  trailingPct: string | null;
  breakEven: boolean;
  /** Take-profit levels that have filled. */
  filledLevels: number[];
  /** The stop-loss has moved to the entry (after the first take-profit). */
  breakEvenDone: boolean;
  /** Why a level from the alert or the settings was left out. */
  notes: string[];
}

export interface DesiredOrder {
  kind: "STOP_LOSS" | "TAKE_PROFIT" | "TRAILING_STOP";
  level: number;
  side: "buy" | "sell";
  amount: string;
  triggerPrice: string | null;
  callbackPct: string | null;
}

export interface PlanInput {
  side: PlanSide;
  entry: string;
  settings: ProtectionSettings | null;
  /** Prices from the alert; they win over the settings' distances. Percent distances from the alert (TradersPost's {"percent": 2}) come next. */
  alert: { stopLoss: string | null; takeProfit: string | null; stopLossPct?: string | null; takeProfitPct?: string | null; trailingStopPct?: string | null };
  priceStep: string | null;
  supportsTrailing: boolean;
}

/** The plan for a position opened at `entry`, or null when nothing protects it. */
export function makePlan(p: PlanInput): ProtectionPlan | null {
  const notes: string[] = [];
  const long = p.side === "long";
  const at = (pct: string, favour: boolean) => {
    const factor = dec(1).plus(dec(pct).div(100).times(favour === long ? 1 : -1));
    return onStep(dec(p.entry).times(factor).toFixed(), p.priceStep);
  };
  const beyond = (price: string, favour: boolean) => (favour === long ? dec(price).gt(p.entry) : dec(price).lt(p.entry));

  let stopLoss: string | null = null;
  if (p.alert.stopLoss) {
    if (beyond(p.alert.stopLoss, false)) stopLoss = onStep(p.alert.stopLoss, p.priceStep);
    else notes.push(`The alert's stop-loss ${p.alert.stopLoss} is not ${long ? "below" : "above"} the entry ${p.entry} of this ${p.side}; it was left out.`);
  }
  if (!stopLoss && p.alert.stopLossPct) stopLoss = at(p.alert.stopLossPct, false);
  if (!stopLoss && p.settings?.stopLossPct) stopLoss = at(p.settings.stopLossPct, false);

  let takeProfits: ProtectionPlan["takeProfits"] = [];
  if (p.alert.takeProfit) {
    if (beyond(p.alert.takeProfit, true)) takeProfits = [{ level: 1, price: onStep(p.alert.takeProfit, p.priceStep), sharePct: "100" }];
    else notes.push(`The alert's take-profit ${p.alert.takeProfit} is not ${long ? "above" : "below"} the entry ${p.entry} of this ${p.side}; it was left out.`);
  }
  if (takeProfits.length === 0 && p.alert.takeProfitPct) takeProfits = [{ level: 1, price: at(p.alert.takeProfitPct, true), sharePct: "100" }];
  if (takeProfits.length === 0 && p.settings) takeProfits = p.settings.takeProfits.map((t, i) => ({ level: i + 1, price: at(t.pct, true), sharePct: t.sharePct }));

  let trailingPct = p.alert.trailingStopPct ?? p.settings?.trailingPct ?? null;
  if (trailingPct && !p.supportsTrailing) {
    notes.push("This exchange takes no percent trailing stop as an order; the trailing stop was left out.");
    trailingPct = null;
  }
  if (!stopLoss && takeProfits.length === 0 && !trailingPct) return notes.length ? { ...empty(p), notes } : null;
  return { side: p.side, entry: p.entry, stopLoss, takeProfits, trailingPct, breakEven: (p.settings?.breakEven ?? false) && stopLoss !== null, filledLevels: [], breakEvenDone: false, notes };
}

function empty(p: PlanInput): ProtectionPlan {
  return { side: p.side, entry: p.entry, stopLoss: null, takeProfits: [], trailingPct: null, breakEven: false, filledLevels: [], breakEvenDone: false, notes: [] };
}

/** A price on the market's price step (toward zero), canonical. */
function onStep(price: string, step: string | null): string {
  return step && dec(step).gt(0) ? decStr(floorToStep(price, step)) : decStr(price);
}

/** The protective orders the plan asks for while the position holds `size` (amounts on the step, none below the minimum). */
export function desiredOrders(plan: ProtectionPlan, size: string, market: { amountStep: string; minAmount: string | null; priceStep: string | null }): DesiredOrder[] {
  const whole = floorToStep(size, market.amountStep);
  if (!dec(whole).gt(0)) return [];
  const side = plan.side === "long" ? "sell" : "buy";
  const enough = (amount: string) => dec(amount).gt(0) && (!market.minAmount || dec(amount).gte(market.minAmount));
  const out: DesiredOrder[] = [];
  if (plan.stopLoss) {
    const trigger = plan.breakEvenDone ? onStep(plan.entry, market.priceStep) : plan.stopLoss;
    if (enough(whole)) out.push({ kind: "STOP_LOSS", level: 0, side, amount: whole, triggerPrice: trigger, callbackPct: null });
  }
  if (plan.trailingPct && enough(whole)) out.push({ kind: "TRAILING_STOP", level: 0, side, amount: whole, triggerPrice: null, callbackPct: plan.trailingPct });
  const filledShare = plan.takeProfits.filter((t) => plan.filledLevels.includes(t.level)).reduce((s, t) => s.plus(t.sharePct), dec(0));
  const open = plan.takeProfits.filter((t) => !plan.filledLevels.includes(t.level));
  const rest = dec(100).minus(filledShare);
  const coversAll = open.reduce((s, t) => s.plus(t.sharePct), dec(0)).eq(rest);
  let given = dec(0);
  open.forEach((t, i) => {
    const last = coversAll && i === open.length - 1;
    const amount = last ? decStr(dec(whole).minus(given)) : floorToStep(dec(whole).times(t.sharePct).div(rest), market.amountStep);
    given = given.plus(amount);
    if (enough(amount)) out.push({ kind: "TAKE_PROFIT", level: t.level, side, amount: decStr(amount), triggerPrice: t.price, callbackPct: null });
  });
  return out;
}
