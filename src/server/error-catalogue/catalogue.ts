/**
 * The error catalogue (issue #19): every error a user or admin can see, as data, with a stable code,
 * its cause in plain words, the fix and where to click. docs/troubleshooting.md is generated from it
 * (`npm run docs:troubleshooting`) and a test keeps the two equal. Sections: exchange errors (by
 * kind and by each exchange code the mapping reads), key verification, why no order was placed
 * (skips and sizing), webhook refusals and signal rejections, positions and protection, account,
 * sign-in and API errors.
 */
import { anchorOf } from "~/server/error-catalogue/anchor";
import type { CatalogueEntry } from "~/server/error-catalogue/catalogue-entry";
import { EXCHANGE_CODE_ENTRIES, EXCHANGE_KIND_ENTRIES } from "~/server/error-catalogue/exchange-errors";
import { KEY_ENTRIES } from "~/server/error-catalogue/key-errors";
import { API_ENTRIES, LINK_ENTRIES, SIGN_IN_ENTRIES } from "~/server/error-catalogue/account-errors";
import { POSITION_ENTRIES } from "~/server/error-catalogue/position-errors";
import { SIZING_ENTRIES, SKIP_ENTRIES } from "~/server/error-catalogue/skip-reasons";
import { SIGNAL_ENTRIES, WEBHOOK_ENTRIES } from "~/server/error-catalogue/webhook-errors";

export interface CatalogueSection {
  title: string;
  intro: string;
  entries: readonly CatalogueEntry[];
}

export const CATALOGUE: readonly CatalogueSection[] = [
  {
    title: "Exchange errors",
    intro: "What an exchange's refusal means, recorded on the order (Signals page) or on the key (Keys page). Each code below is also shown with the exchange's own words.",
    entries: Object.values(EXCHANGE_KIND_ENTRIES),
  },
  {
    title: "Key verification",
    intro: "Why a key was refused or disabled when it was verified, beyond the exchange's own errors above.",
    entries: Object.values(KEY_ENTRIES),
  },
  {
    title: "Why no order was placed",
    intro: "An order row that says SKIPPED placed nothing on the exchange; the row gives the reason in words, and each reason is one of these.",
    entries: [...Object.values(SKIP_ENTRIES), ...Object.values(SIZING_ENTRIES)],
  },
  {
    title: "Webhook answers",
    intro: "What the TradingView webhook answers when it refuses a call (shown in the strategy's delivery log with the code), and why a received signal can be rejected before any order.",
    entries: [...Object.values(WEBHOOK_ENTRIES), ...Object.values(SIGNAL_ENTRIES)],
  },
  {
    title: "Exchange error codes",
    intro: "The exchanges' own codes KeyRelay reads, one entry each, with the kind it records them as.",
    entries: EXCHANGE_CODE_ENTRIES,
  },
  {
    title: "Positions and protection",
    intro: "Notes the Positions page shows on a position or on its stop-loss and take-profit orders.",
    entries: Object.values(POSITION_ENTRIES),
  },
  {
    title: "Account and sign-in",
    intro: "What the sign-in, two-factor and password-reset screens can answer.",
    entries: [...Object.values(SIGN_IN_ENTRIES), ...Object.values(LINK_ENTRIES)],
  },
  {
    title: "API answers",
    intro: "The errors the REST API (and the app's own calls) answer with, by HTTP status. The message in the answer says what exactly; these say what to do.",
    entries: Object.values(API_ENTRIES),
  },
];

export function allEntries(): CatalogueEntry[] {
  return CATALOGUE.flatMap((s) => s.entries);
}

export { anchorOf };

/** Entries by what is recorded: an exchange error kind ("AUTH"), a key outcome ("VAULT"), or a code itself ("SKIP_COOLDOWN"). */
const BY_KIND: ReadonlyMap<string, CatalogueEntry> = new Map<string, CatalogueEntry>([
  ...allEntries().map((e) => [e.code, e] as const),
  ...Object.entries(KEY_ENTRIES),
  ...Object.entries(EXCHANGE_KIND_ENTRIES),
]);

/** The entry of an error kind or code recorded on a key, an order or a webhook call (null: none, or not in the catalogue). */
export function entryForKind(kind: string | null | undefined): CatalogueEntry | null {
  return kind ? (BY_KIND.get(kind) ?? null) : null;
}

/** The help anchor of an error kind recorded on a key or an order (null: none, or a kind not in the catalogue). */
export function helpAnchorForKind(kind: string | null | undefined): string | null {
  const entry = entryForKind(kind);
  return entry ? anchorOf(entry.code) : null;
}

/** What a screen shows beside an error: the entry's title and its link. */
export interface HelpLink {
  anchor: string;
  title: string;
}

const linkTo = (entry: CatalogueEntry | null | undefined): HelpLink | null => (entry ? { anchor: anchorOf(entry.code), title: entry.title } : null);

export function helpLinkForKind(kind: string | null | undefined): HelpLink | null {
  return linkTo(entryForKind(kind));
}

/** A signal's rejection reason (signals/decision.ts ReasonCode) with its entry's link. */
export function withSignalHelp<R extends { code: string }>(reason: R): R & { help: HelpLink | null } {
  return { ...reason, help: linkTo((SIGNAL_ENTRIES as Record<string, CatalogueEntry>)[reason.code]) };
}

export function renderTroubleshooting(): string {
  const out = [
    "# Troubleshooting",
    "",
    "<!-- Generated from src/server/error-catalogue by `npm run docs:troubleshooting`; do not edit by hand. -->",
    "",
    "Every error KeyRelay shows has an entry here: what it means, what to do, and where to look. Search this page for the code or for the exchange's number.",
    "",
  ];
  for (const section of CATALOGUE) {
    out.push(`## ${section.title}`, "", section.intro, "");
    for (const e of section.entries) {
      out.push(`### ${e.title}`, `<a id="${anchorOf(e.code)}"></a>Code \`${e.code}\``, "", `- **Cause:** ${e.cause}`, `- **Fix:** ${e.fix}`, `- **Where:** ${e.where}`, "");
    }
  }
  return out.join("\n");
}
