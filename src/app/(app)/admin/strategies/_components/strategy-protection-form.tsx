"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FormError } from "~/components/field";
import { type RouterOutputs, useTRPC } from "~/trpc/react";
import { ProtectionFields, draftOf, errorsUnder, isBlank, valueOf } from "../../../_components/protection-fields";

type Strategy = RouterOutputs["strategies"]["list"][number];
type Errors = Partial<Record<string, string>>;

const INPUT = "block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";

/** The strategy's protective-order defaults for its subscribers, and the bounds on their own settings. */
export function StrategyProtectionForm({ strategy: s }: { strategy: Strategy }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const save = useMutation(trpc.strategies.setProtection.mutationOptions());
  const [draft, setDraft] = useState(() => draftOf(s.protection?.defaults));
  const [maxSl, setMaxSl] = useState(s.protection?.maxStopLossPct ?? "");
  const [allowOverride, setAllowOverride] = useState(s.protection?.allowSubscriberOverride ?? true);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const id = (f: string) => `strategy-${s.id}-protection-${f}`;

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    setNotice("");
    try {
      await save.mutateAsync({
        id: s.id,
        protection: { defaults: isBlank(draft) ? null : valueOf(draft), maxStopLossPct: maxSl.trim() || null, allowSubscriberOverride: allowOverride },
      });
      await qc.invalidateQueries({ queryKey: trpc.strategies.pathKey() });
      setNotice("Protection saved. It applies to positions opened from now on.");
    } catch (err) {
      const fields = (err as { data?: { fieldErrors?: Errors | null } }).data?.fieldErrors ?? {};
      const defaults = errorsUnder(fields, "protection.defaults.");
      const own = { ...defaults, ...(fields["protection.maxStopLossPct"] ? { maxStopLossPct: fields["protection.maxStopLossPct"] } : {}) };
      setErrors(own);
      const rest = Object.entries(fields).filter(([k]) => !k.startsWith("protection.defaults.") && k !== "protection.maxStopLossPct").map(([, v]) => v);
      setFormError(rest.length ? rest.join(" ") : Object.keys(own).length ? null : (err as Error).message || "Something went wrong. Try again.");
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Protection of ${s.name}`} className="space-y-3">
      <p className="text-xs text-slate-600">
        Placed on the subscriber&apos;s own account after each entry fills: reduce-only stop and take-profit orders on perpetual (linear) markets; spot strategies get none.
        Trailing stops are Binance-only. An alert&apos;s own <code>stopLoss</code> / <code>takeProfit</code> prices win over these distances.
      </p>
      <FormError message={formError} />
      <ProtectionFields idPrefix={id("defaults")} value={draft} onChange={setDraft} errors={errors} />
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="min-w-0 space-y-1">
          <label htmlFor={id("maxStopLossPct")} className="block text-sm font-medium text-slate-700">Widest stop-loss a subscriber may choose %</label>
          <input
            id={id("maxStopLossPct")}
            type="text"
            inputMode="decimal"
            autoComplete="off"
            value={maxSl}
            onChange={(e) => setMaxSl(e.target.value)}
            aria-invalid={errors.maxStopLossPct ? true : undefined}
            aria-describedby={[id("maxStopLossPct-hint"), errors.maxStopLossPct ? id("maxStopLossPct-error") : null].filter(Boolean).join(" ")}
            className={`${INPUT} ${errors.maxStopLossPct ? "border-red-500" : "border-slate-300"}`}
          />
          <p id={id("maxStopLossPct-hint")} className="text-xs text-slate-500">Subscribers&apos; own settings must then have a stop-loss at most this far. Empty: no bound.</p>
          {errors.maxStopLossPct ? <p id={id("maxStopLossPct-error")} role="alert" className="text-sm text-red-600">{errors.maxStopLossPct}</p> : null}
        </div>
        <label className="flex items-start gap-2 self-center text-sm font-medium text-slate-700">
          <input type="checkbox" checked={allowOverride} onChange={(e) => setAllowOverride(e.target.checked)} className="mt-0.5 h-4 w-4 rounded border-slate-300" />
          <span>Subscribers may set their own protection</span>
        </label>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={save.isPending} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
          {save.isPending ? "Saving…" : "Save protection"}
        </button>
        <p role="status" data-testid="protection-saved" className="min-h-5 text-sm text-green-700">{notice}</p>
      </div>
    </form>
  );
}
