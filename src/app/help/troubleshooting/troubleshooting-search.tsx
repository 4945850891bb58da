"use client";

import { useState } from "react";

type Entry = { code: string; anchor: string; title: string; cause: string; fix: string; where: string };
type Section = { title: string; intro: string; entries: Entry[] };

export function TroubleshootingSearch({ sections }: { sections: Section[] }) {
  const [q, setQ] = useState("");
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (e: Entry) => words.every((w) => `${e.code} ${e.title} ${e.cause} ${e.fix}`.toLowerCase().includes(w));
  return (
    <div className="space-y-8">
      <label className="block text-sm font-medium text-slate-700">
        Search
        <input
          type="search"
          value={q}
          onChange={(ev) => setQ(ev.target.value)}
          placeholder="e.g. -2015, balance, IP"
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-base"
          data-testid="help-search"
        />
      </label>
      {sections.map((s) => {
        const shown = s.entries.filter(matches);
        if (shown.length === 0) return null;
        return (
          <section key={s.title} className="space-y-3">
            <h2 className="text-lg font-semibold text-slate-900">{s.title}</h2>
            <p className="text-sm text-slate-600">{s.intro}</p>
            {shown.map((e) => (
              <article
                key={e.code}
                id={e.anchor}
                data-testid={`help-${e.anchor}`}
                className="scroll-mt-4 space-y-1 rounded-lg border border-slate-200 bg-white p-4 text-sm target:border-brand-500 target:ring-2 target:ring-brand-500"
              >
                <h3 className="font-semibold text-slate-900">{e.title}</h3>
                <p className="font-mono text-xs text-slate-500">{e.code}</p>
                <p><span className="font-medium">Cause: </span>{e.cause}</p>
                <p><span className="font-medium">Fix: </span>{e.fix}</p>
                <p className="text-slate-600"><span className="font-medium">Where: </span>{e.where}</p>
              </article>
            ))}
          </section>
        );
      })}
    </div>
  );
}
