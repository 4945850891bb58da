import type { Metadata } from "next";
import { anchorOf, CATALOGUE } from "~/server/error-catalogue/catalogue";
import { HelpHeader } from "../_components/help-header";
import { TroubleshootingSearch } from "./troubleshooting-search";

export const metadata: Metadata = { title: "Troubleshooting · KeyRelay" };

/** Public (no sign-in): every error the app shows, from the error catalogue, searchable; entries are anchors the app's errors link to. */
export default function TroubleshootingPage() {
  const sections = CATALOGUE.map((s) => ({ ...s, entries: s.entries.map((e) => ({ ...e, anchor: anchorOf(e.code) })) }));
  return (
    <main className="mx-auto max-w-3xl space-y-6 px-4 py-8">
      <header className="space-y-2">
        <HelpHeader current="Troubleshooting" />
        <h1 className="text-2xl font-semibold text-slate-900">Troubleshooting</h1>
        <p className="text-sm text-slate-600">
          What each error means, what to do, and where to look. Search by words, by the code shown beside an error, or by an exchange&apos;s number (e.g. -2015, 110007).
        </p>
      </header>
      <TroubleshootingSearch sections={sections} />
    </main>
  );
}
