"use client";

import { useState } from "react";
import type { RouterOutputs } from "~/trpc/react";
import { CopyField } from "./copy-field";

type Template = RouterOutputs["strategies"]["list"][number]["templates"][number];

/** The strategy alert template and, beside it, the indicator and manual buy / sell / close ones. */
export function AlertTemplates(props: { strategyId: string; templates: Template[] }) {
  const [kind, setKind] = useState<Template["kind"]>("strategy");
  const current = props.templates.find((t) => t.kind === kind) ?? props.templates[0];
  if (!current) return null;
  return (
    <div className="min-w-0 space-y-2">
      <div role="group" aria-label="Alert message templates" className="flex flex-wrap gap-1.5">
        {props.templates.map((t) => (
          <button
            key={t.kind}
            type="button"
            aria-pressed={t.kind === current.kind}
            onClick={() => setKind(t.kind)}
            className={`rounded-full px-3 py-1 text-xs font-medium ring-1 ring-inset ${t.kind === current.kind ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <CopyField id={`template-${props.strategyId}`} label={`TradingView alert message (${current.label.toLowerCase()})`} value={current.message} buttonLabel="Copy alert message" testId="alert-template" multiline rows={current.kind === "strategy" ? 11 : 8} />
      <p className="text-xs text-slate-600">{current.hint}</p>
    </div>
  );
}
