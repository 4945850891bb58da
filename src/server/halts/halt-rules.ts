/**
 * Operator halts of live trading, as pure data and rules: what an admin's input must be, and which
 * halt (if any) stops one live order and what its execution then says. Safe to import anywhere
 * (the engine, the router, client components).
 */
import { z } from "zod";

export const HALT_SCOPES = ["ALL", "EXCHANGE", "STRATEGY"] as const;
export type HaltScope = (typeof HALT_SCOPES)[number];
export const HALT_EXCHANGES = ["BINANCE", "BYBIT"] as const;
export type HaltExchange = (typeof HALT_EXCHANGES)[number];
export const EXCHANGE_LABELS: { readonly [K in HaltExchange]: string } = { BINANCE: "Binance", BYBIT: "Bybit" };

/** The word an admin types to confirm a halt. */
export const HALT_CONFIRM_WORD = "HALT";
/** In the platform-wide case, exactly the issue's words: operators and users search for them. */
export const HALT_PREFIX = "trading halted by the operator";

/** An active halt, as the engine and the banner read it. */
export interface ActiveHalt {
  id: string;
  scope: HaltScope;
  exchange: HaltExchange | null;
  strategyId: string | null;
  reason: string;
  /** The strategy's name, for the banner and the admin list (scope STRATEGY). */
  strategyName?: string | null;
}

const reason = z
  .string({ error: "reason: say why trading is halted (3 to 300 characters)" })
  .trim()
  .min(3, "reason: at least 3 characters: say why trading is halted")
  .max(300, "reason: at most 300 characters");

export const haltInput = z
  .object({
    scope: z.enum(HALT_SCOPES, { error: "scope: choose the whole platform (ALL), one exchange (EXCHANGE) or one strategy (STRATEGY)" }),
    exchange: z.enum(HALT_EXCHANGES, { error: "exchange: choose BINANCE or BYBIT" }).nullish(),
    strategyId: z.string().trim().max(100).nullish(),
    reason,
    confirm: z.string({ error: `confirm: type ${HALT_CONFIRM_WORD} to confirm` }).trim(),
  })
  .superRefine((v, ctx) => {
    if (v.scope === "EXCHANGE" && !v.exchange) ctx.addIssue({ code: "custom", path: ["exchange"], message: "exchange: choose the exchange to halt (BINANCE or BYBIT)" });
    if (v.scope === "STRATEGY" && !v.strategyId) ctx.addIssue({ code: "custom", path: ["strategyId"], message: "strategyId: choose the strategy to halt" });
    if (v.confirm !== HALT_CONFIRM_WORD) ctx.addIssue({ code: "custom", path: ["confirm"], message: `confirm: type ${HALT_CONFIRM_WORD} (in capitals) to confirm the halt` });
  });
export type HaltInput = z.infer<typeof haltInput>;

export const resumeInput = z.object({
  id: z.string({ error: "id: the halt to lift" }).min(1, "id: the halt to lift"),
  reason: z.string().trim().max(300, "reason: at most 300 characters").optional(),
});
export type ResumeInput = z.infer<typeof resumeInput>;

/** The target an input names, normalised: the fields other scopes do not use are null. */
export function haltTarget(input: Pick<HaltInput, "scope" | "exchange" | "strategyId">): { scope: HaltScope; exchange: HaltExchange | null; strategyId: string | null } {
  return {
    scope: input.scope,
    exchange: input.scope === "EXCHANGE" ? (input.exchange ?? null) : null,
    strategyId: input.scope === "STRATEGY" ? (input.strategyId ?? null) : null,
  };
}

/** What a halt stops, in words: "the whole platform", "Bybit", "strategy “Trend”". */
export function haltTargetLabel(h: Pick<ActiveHalt, "scope" | "exchange" | "strategyId" | "strategyName">): string {
  if (h.scope === "ALL") return "the whole platform";
  if (h.scope === "EXCHANGE") return h.exchange ? EXCHANGE_LABELS[h.exchange] : "an exchange";
  return `strategy “${h.strategyName ?? h.strategyId ?? "?"}”`;
}

/** A skipped execution's message for this halt. */
export function haltMessage(h: Pick<ActiveHalt, "scope" | "exchange" | "reason">): string {
  if (h.scope === "EXCHANGE" && h.exchange) return `trading on ${EXCHANGE_LABELS[h.exchange]} halted by the operator: ${h.reason}`;
  if (h.scope === "STRATEGY") return `trading of this strategy halted by the operator: ${h.reason}`;
  return `${HALT_PREFIX}: ${h.reason}`;
}

/** The banner's line for one active halt. */
export function haltBannerText(h: Pick<ActiveHalt, "scope" | "exchange" | "reason" | "strategyId" | "strategyName">): string {
  if (h.scope === "ALL") return `Live trading halted by the operator: ${h.reason}`;
  if (h.scope === "EXCHANGE") return `Live trading on ${haltTargetLabel(h)} halted by the operator: ${h.reason}`;
  return `Live trading of ${haltTargetLabel(h)} halted by the operator: ${h.reason}`;
}

/**
 * Why a live order on this exchange, for this strategy, may not go now; null when nothing halts it.
 * The platform-wide halt first, then the exchange's, then the strategy's. `exchange` null (no key):
 * only the platform and strategy halts can apply.
 */
export function haltReasonFor(halts: readonly ActiveHalt[], target: { exchange: string | null; strategyId: string | null }): string | null {
  const all = halts.find((h) => h.scope === "ALL");
  if (all) return haltMessage(all);
  const ex = target.exchange ? halts.find((h) => h.scope === "EXCHANGE" && h.exchange === target.exchange) : undefined;
  if (ex) return haltMessage(ex);
  const st = target.strategyId ? halts.find((h) => h.scope === "STRATEGY" && h.strategyId === target.strategyId) : undefined;
  return st ? haltMessage(st) : null;
}
