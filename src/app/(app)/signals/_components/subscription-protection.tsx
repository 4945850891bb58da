"use client";

import type { RouterOutputs } from "~/trpc/react";
import { ProtectionFields, describeProtection, type ProtectionDraft } from "../../_components/protection-fields";

type Available = RouterOutputs["strategies"]["available"][number];
type Errors = Partial<Record<string, string>>;
export type ProtectionChoice = "strategy" | "own";

/**
 * A subscriber's protective orders: the strategy's (shown read-only) or their own, within the
 * strategy's bounds (checked by the server; its errors arrive by field). Linear strategies only.
 */
export function SubscriptionProtection({
  strategy: s,
  choice,
  onChoice,
  draft,
  onDraft,
  errors,
  error,
}: {
  strategy: Available;
  choice: ProtectionChoice;
  onChoice: (c: ProtectionChoice) => void;
  draft: ProtectionDraft;
  onDraft: (d: ProtectionDraft) => void;
  errors: Errors;
  error: string | undefined;
}) {
  const id = (f: string) => `sub-${s.id}-protection-${f}`;
  const p = s.protection;
  const mayOverride = p?.allowSubscriberOverride ?? true;
  if (s.marketType !== "LINEAR") {
    return (
      <p className="text-xs text-slate-500" data-testid="protection-spot-note">
        Protective orders (stop-loss, take-profit) are placed on perpetual (linear) markets only; this spot strategy gets none.
      </p>
    );
  }
  const radio = (value: ProtectionChoice, label: string, disabled = false) => (
    <label className={`flex items-start gap-2 text-sm ${disabled ? "text-slate-400" : "text-slate-700"}`}>
      <input type="radio" name={id("choice")} value={value} checked={choice === value} disabled={disabled} onChange={() => onChoice(value)} className="mt-0.5 h-4 w-4 border-slate-300" />
      <span>{label}</span>
    </label>
  );
  return (
    <fieldset className="space-y-3 rounded-lg border border-slate-200 p-3" aria-describedby={id("about")}>
      <legend className="px-1 text-sm font-semibold text-slate-800">Protective orders</legend>
      <p id={id("about")} className="text-xs text-slate-600">
        After each entry fills, KeyRelay places reduce-only stop-loss and take-profit orders on your own account, on perpetual (linear) markets, and keeps them there
        while the position is open. Trailing stops are Binance-only. Prices an alert carries win over these distances.
      </p>
      <div className="rounded-md bg-slate-50 px-3 py-2 text-xs text-slate-700" data-testid="strategy-protection-defaults">
        <span className="font-medium">The strategy&apos;s protection:</span> {describeProtection(p?.defaults)}
        {p?.maxStopLossPct ? <span className="block">Your own stop-loss may be at most {p.maxStopLossPct} % from the entry, and is required.</span> : null}
        {!mayOverride ? <span className="block">This strategy does not let subscribers set their own.</span> : null}
      </div>
      <div className="space-y-1">
        {radio("strategy", "Use the strategy's protection")}
        {radio("own", "My own settings", !mayOverride)}
      </div>
      {error ? <p id={id("error")} role="alert" className="text-sm text-red-600">{error}</p> : null}
      {choice === "own" ? <ProtectionFields idPrefix={id("own")} value={draft} onChange={onDraft} errors={errors} /> : null}
    </fieldset>
  );
}
