/**
 * The error catalogue (issue #19): every error a user or admin can see, as data, with a stable code,
 * its cause in plain words, the fix and where to click. docs/troubleshooting.md is generated from it
 * (`npm run docs:troubleshooting`) and a test keeps the two equal. Sections so far: exchange errors
 * (by kind and by each exchange code the mapping reads) and key verification.
 */
import type { CatalogueEntry } from "~/server/error-catalogue/catalogue-entry";
import { EXCHANGE_CODE_ENTRIES, EXCHANGE_KIND_ENTRIES } from "~/server/error-catalogue/exchange-errors";
import { KEY_ENTRIES } from "~/server/error-catalogue/key-errors";

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
    title: "Exchange error codes",
    intro: "The exchanges' own codes KeyRelay reads, one entry each, with the kind it records them as.",
    entries: EXCHANGE_CODE_ENTRIES,
  },
];

export function allEntries(): CatalogueEntry[] {
  return CATALOGUE.flatMap((s) => s.entries);
}

/** The anchor of an entry in docs/troubleshooting.md (and, later, in the in-app help). */
export function anchorOf(code: string): string {
  return code.toLowerCase().replace(/_/g, "-");
}

/** The help anchor of an error kind recorded on a key or an order (null: none, or a kind not in the catalogue). */
export function helpAnchorForKind(kind: string | null): string | null {
  if (!kind) return null;
  const entry = (EXCHANGE_KIND_ENTRIES as Record<string, CatalogueEntry>)[kind] ?? (KEY_ENTRIES as Record<string, CatalogueEntry>)[kind];
  return entry ? anchorOf(entry.code) : null;
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
