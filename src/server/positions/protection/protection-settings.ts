/**
 * Protection settings: what a strategy offers its subscribers by default (and the bounds it sets),
 * what a subscriber chooses within them, and the plan a position is opened with. Levels are percent
 * distances from the entry fill, or prices from the alert (`stopLoss`, `takeProfit`), which win.
 */
import { z } from "zod";
import { dec } from "~/server/money/decimal";

const PERCENT = /^\d{1,3}(\.\d{1,4})?$/;
const percent = (what: string, max: number) =>
  z
    .string({ error: `${what} must be a percentage such as "2" or "1.5"` })
    .trim()
    .regex(PERCENT, `${what} must be a percentage such as "2" or "1.5" (at most 4 decimals)`)
    // (the regex has already reported text that is not a percentage)
    .refine((v) => !PERCENT.test(v) || (dec(v).gt(0) && dec(v).lte(max)), `${what} must be more than 0 and at most ${max} %`);

export const takeProfitLevel = z.object({
  /** Distance from the entry, in percent (in the position's favour). */
  pct: percent("A take-profit's distance", 1000),
  /** The share of the position this level closes, in percent of the position at the entry. */
  sharePct: percent("A take-profit's share", 100),
});

export const protectionSettings = z
  .object({
    /** Stop-loss distance from the entry, in percent (against the position). */
    stopLossPct: percent("The stop-loss distance", 99).nullish(),
    takeProfits: z.array(takeProfitLevel).max(5, "At most 5 take-profit levels").default([]),
    /** Trailing stop callback in percent, 0.1 to 10 (Binance's bounds; Binance only). */
    trailingPct: percent("The trailing stop's callback", 10)
      .refine((v) => !PERCENT.test(v) || dec(v).gte("0.1"), "The trailing stop's callback must be at least 0.1 %")
      .nullish(),
    /** After the first take-profit fills, move the stop-loss to the entry price. */
    breakEven: z.boolean().default(false),
  })
  .strict()
  .superRefine((s, ctx) => {
    const total = s.takeProfits.reduce((sum, t) => sum.plus(t.sharePct), dec(0));
    if (total.gt(100)) ctx.addIssue({ code: "custom", path: ["takeProfits"], message: `The take-profit shares add up to ${total.toFixed()} %; they must add up to at most 100 %.` });
    const pcts = s.takeProfits.map((t) => dec(t.pct));
    if (pcts.some((p, i) => i > 0 && !p.gt(pcts[i - 1]!))) ctx.addIssue({ code: "custom", path: ["takeProfits"], message: "Take-profit levels must be in order, each farther from the entry than the one before." });
    if (s.breakEven && s.takeProfits.length === 0) ctx.addIssue({ code: "custom", path: ["breakEven"], message: "Break-even moves the stop-loss after the first take-profit: add a take-profit level." });
    if (s.breakEven && !s.stopLossPct) ctx.addIssue({ code: "custom", path: ["breakEven"], message: "Break-even moves the stop-loss: set a stop-loss distance." });
  });
export type ProtectionSettings = z.infer<typeof protectionSettings>;

/** A strategy's defaults, plus the widest stop-loss a subscriber may choose. */
export const strategyProtection = z
  .object({
    defaults: protectionSettings.nullish(),
    /** A subscriber's own stop-loss may not be farther than this (percent); null: no bound. */
    maxStopLossPct: percent("The widest stop-loss", 99).nullish(),
    /** Whether subscribers may set their own protection (within maxStopLossPct). */
    allowSubscriberOverride: z.boolean().default(true),
  })
  .strict();
export type StrategyProtection = z.infer<typeof strategyProtection>;

/** Reads a stored JSON value; a row that no longer parses counts as "no protection" (never throws on the trading path). */
export function readSettings<T>(schema: z.ZodType<T>, stored: unknown): T | null {
  if (stored === null || stored === undefined) return null;
  const r = schema.safeParse(stored);
  return r.success ? r.data : null;
}

/** A subscriber's settings against the strategy's bounds: the message naming what is wrong, or null. */
export function checkAgainstStrategy(own: ProtectionSettings, strategy: StrategyProtection | null): string | null {
  if (strategy && !strategy.allowSubscriberOverride) return "This strategy does not let subscribers set their own protection; its defaults apply.";
  const max = strategy?.maxStopLossPct;
  if (max && own.stopLossPct && dec(own.stopLossPct).gt(max)) return `stopLossPct: this strategy allows a stop-loss at most ${max} % from the entry.`;
  if (max && !own.stopLossPct && !own.trailingPct) return `stopLossPct: this strategy requires a stop-loss (at most ${max} % from the entry).`;
  return null;
}

/** The settings that apply to a subscription: its own when the strategy allows them, else the strategy's defaults. */
export function effectiveSettings(strategyStored: unknown, subscriptionStored: unknown): ProtectionSettings | null {
  const strategy = readSettings(strategyProtection, strategyStored);
  const own = readSettings(protectionSettings, subscriptionStored);
  if (own && checkAgainstStrategy(own, strategy) === null) return own;
  return strategy?.defaults ?? null;
}
