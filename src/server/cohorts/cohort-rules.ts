/**
 * Who may trade live (PERSONAL), as pure rules: everyone, or the users of some tiers, plus the beta
 * list (User.liveAccess) always. ADMIN accounts are not exempt: an operator who wants to trade live
 * puts themself on the beta list like anyone else, so the rule has no hidden case.
 * Also the sentences people read about it (the refusal, the notices), so every path says the same.
 */
import type { Tier } from "~/generated/prisma/enums";

export const TIER_VALUES = ["PRO", "FLEX", "TRIAL"] as const satisfies readonly Tier[];

export interface Cohort {
  everyone: boolean;
  /** Tiers that may trade live when not everyone may (kept in TIER_VALUES order, no duplicates). */
  tiers: Tier[];
}

export const OPEN_TO_EVERYONE: Cohort = { everyone: true, tiers: [] };

export interface LiveCandidate {
  tier: Tier;
  liveAccess: boolean;
}

export function canTradeLive(user: LiveCandidate, cohort: Cohort): boolean {
  return cohort.everyone || cohort.tiers.includes(user.tier) || user.liveAccess;
}

/** Tiers in a stable order, once each. */
export function normaliseTiers(tiers: readonly Tier[]): Tier[] {
  return TIER_VALUES.filter((t) => tiers.includes(t));
}

/** Who live trading is open to, in plain words: "everyone", "PRO and FLEX users and the beta list", "the beta list". */
export function audience(cohort: Cohort): string {
  if (cohort.everyone) return "everyone";
  const tiers = normaliseTiers(cohort.tiers);
  if (tiers.length === 0) return "the beta list";
  const names = tiers.length === 1 ? tiers[0]! : `${tiers.slice(0, -1).join(", ")} and ${tiers.at(-1)!}`;
  return `${names} users and the beta list`;
}

/** One sentence for admins and users: "Live trading is open to PRO users and the beta list." */
export function describeCohort(cohort: Cohort): string {
  return `Live trading is open to ${audience(cohort)}.`;
}

/** Where a user asks for access (the trading mode section of Settings). */
export const ASK_WHERE = "Ask for access in Settings, under Trading mode.";

/** Why PERSONAL is refused to a user outside the cohort, and how to ask. */
export function refusalMessage(cohort: Cohort): string {
  return `Live trading is open to ${audience(cohort)} for now. ${ASK_WHERE}`;
}

/** The notice to a user moved from PERSONAL to PAPER because the cohort (or the beta list) shrank. */
export function movedToPaperMessage(cohort: Cohort): string {
  return `Live trading is now open to ${audience(cohort)} only; your account was switched to PAPER: your strategies keep trading on paper.`;
}

/** A free-text note as the end of a sentence: trimmed, with a full stop unless it has one. */
const asSentence = (note: string) => (/[.!?]$/.test(note.trim()) ? note.trim() : `${note.trim()}.`);

export function grantedMessage(note: string | null): string {
  return `You can now trade live: switch to Personal (live) in Settings when you are ready.${note ? ` Note from the admin: ${asSentence(note)}` : ""}`;
}

export function refusedMessage(cohort: Cohort, note: string | null): string {
  return `Your request for live trading was refused${note ? `: ${asSentence(note)}` : "."} Live trading is open to ${audience(cohort)} for now.`;
}
