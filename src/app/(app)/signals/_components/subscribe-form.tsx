"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FormError } from "~/components/field";
import { type RouterOutputs, useTRPC } from "~/trpc/react";
import { draftOf, errorsUnder, valueOf } from "../../_components/protection-fields";
import { SubscriptionProtection, type ProtectionChoice } from "./subscription-protection";

type Available = RouterOutputs["strategies"]["available"][number];
type SizingMode = "FIXED_QUOTE" | "PERCENT_BALANCE" | "FIXED_BASE" | "CONTRACTS_MULTIPLIER";
export type KeyOption = { id: string; label: string; status: string };
type Errors = Partial<Record<string, string>>;

const SIZING: { value: SizingMode; label: string; hint: string }[] = [
  { value: "FIXED_QUOTE", label: "Fixed quote amount (USDT)", hint: "USDT spent per order." },
  { value: "PERCENT_BALANCE", label: "Percent of available balance", hint: "Percent of your available balance per order, at most 100." },
  { value: "FIXED_BASE", label: "Fixed base quantity", hint: "Quantity of the base coin per order, e.g. 0.01 for 0.01 BTC." },
  { value: "CONTRACTS_MULTIPLIER", label: "Signal contracts × multiplier", hint: "The alert's contracts times this number." },
];

const INPUT = "block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
const BTN = "rounded-md border border-slate-300 px-3 py-2 text-sm font-medium hover:bg-slate-100 disabled:opacity-60";

function errorsOf(err: unknown): { fields: Errors; message: string | null } {
  const d = (err as { data?: { fieldErrors?: Errors | null } }).data;
  if (d?.fieldErrors && Object.keys(d.fieldErrors).length) return { fields: d.fieldErrors, message: null };
  return { fields: {}, message: (err as Error).message || "Something went wrong. Try again." };
}

const SHOWN = new Set(["credentialId", "sizingMode", "sizingValue", "leverageCap", "leverage", "marginMode", "maxNotional"]);
// "protection" and "protection.<field>" are shown by the protective-orders section.
const shownHere = (k: string) => SHOWN.has(k) || k === "protection" || k.startsWith("protection.");
const optionalNumber = (v: string) => (v.trim() === "" ? null : Number(v));

export function SubscribeForm({ strategy: s, keyOptions }: { strategy: Available; keyOptions: KeyOption[] }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const sub = s.subscription;
  const initialKey = sub ? (keyOptions.some((k) => k.id === sub.credentialId) ? (sub.credentialId ?? "") : "") : (keyOptions.find((k) => k.status === "ACTIVE")?.id ?? "");
  const [credentialId, setCredentialId] = useState(initialKey);
  const [sizingMode, setSizingMode] = useState<SizingMode>(sub?.sizingMode ?? "FIXED_QUOTE");
  const [size, setSize] = useState(sub ? String(sub.sizingValue) : "");
  const [leverage, setLeverage] = useState(sub?.leverageCap != null ? String(sub.leverageCap) : "");
  const [ownLeverage, setOwnLeverage] = useState(sub?.leverage != null ? String(sub.leverage) : "");
  const [marginMode, setMarginMode] = useState<"" | "ISOLATED" | "CROSS">(sub?.marginMode ?? "");
  const [maxNotional, setMaxNotional] = useState(sub?.maxNotional != null ? String(sub.maxNotional) : "");
  // Own settings the strategy no longer allows are not offered again: the strategy's apply.
  const [choice, setChoice] = useState<ProtectionChoice>(sub?.protection && (s.protection?.allowSubscriberOverride ?? true) ? "own" : "strategy");
  const [draft, setDraft] = useState(() => draftOf(sub?.protection ?? s.protection?.defaults));
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState("");

  const save = useMutation(trpc.strategies.subscribe.mutationOptions());
  const pause = useMutation(trpc.strategies.setPaused.mutationOptions());
  const remove = useMutation(trpc.strategies.unsubscribe.mutationOptions());
  const busy = save.isPending || pause.isPending || remove.isPending;
  const id = (f: string) => `sub-${s.id}-${f}`;
  const linear = s.marketType === "LINEAR";

  async function run(action: () => Promise<unknown>, done: string) {
    setErrors({});
    setFormError(null);
    setNotice("");
    try {
      await action();
      await qc.invalidateQueries({ queryKey: trpc.strategies.pathKey() });
      setNotice(done);
    } catch (err) {
      const e = errorsOf(err);
      const unshown = Object.entries(e.fields).filter(([k]) => !shownHere(k)).map(([, v]) => v);
      setErrors(e.fields);
      setFormError(e.message ?? (unshown.length ? unshown.join(" ") : null));
    }
  }

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (size.trim() === "") {
      setErrors({ sizingValue: "Enter a size greater than 0." });
      setNotice("");
      return;
    }
    void run(
      () =>
        save.mutateAsync({
          strategyId: s.id,
          credentialId: credentialId || null,
          sizingMode,
          sizingValue: Number(size),
          leverageCap: linear ? optionalNumber(leverage) : null,
          leverage: linear ? optionalNumber(ownLeverage) : null,
          marginMode: linear && marginMode ? marginMode : null,
          maxNotional: optionalNumber(maxNotional),
          paused: sub?.paused ?? false,
          // Spot strategies get no protective orders: leave whatever is stored alone.
          protection: linear ? (choice === "own" ? valueOf(draft) : null) : undefined,
        }),
      sub ? "Saved." : "Subscribed.",
    );
  }

  const field = (f: string, label: string, control: React.ReactNode, hint?: string) => (
    <div className="min-w-0 space-y-1">
      <label htmlFor={id(f)} className="block text-sm font-medium text-slate-700">{label}</label>
      {control}
      {hint ? <p id={id(`${f}-hint`)} className="text-xs text-slate-500">{hint}</p> : null}
      {errors[f] ? <p id={id(`${f}-error`)} role="alert" className="text-sm text-red-600">{errors[f]}</p> : null}
    </div>
  );
  const aria = (f: string, hint = false) => ({
    id: id(f),
    "aria-invalid": errors[f] ? true : undefined,
    "aria-describedby": [errors[f] ? id(`${f}-error`) : null, hint ? id(`${f}-hint`) : null].filter(Boolean).join(" ") || undefined,
    className: `${INPUT} ${errors[f] ? "border-red-500" : "border-slate-300"}`,
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Subscription to ${s.name}`} className="space-y-3">
      <FormError message={formError} />
      {field(
        "credentialId",
        "Exchange key",
        <select {...aria("credentialId")} value={credentialId} onChange={(e) => setCredentialId(e.target.value)}>
          <option value="">No key (paper trading only)</option>
          {keyOptions.map((k) => (
            <option key={k.id} value={k.id}>{k.label}</option>
          ))}
        </select>,
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        {field(
          "sizingMode",
          "Sizing",
          <select {...aria("sizingMode")} value={sizingMode} onChange={(e) => setSizingMode(e.target.value as SizingMode)}>
            {SIZING.map((o) => (
              <option key={o.value} value={o.value}>{o.label}</option>
            ))}
          </select>,
        )}
        {field(
          "sizingValue",
          "Size",
          <input {...aria("sizingValue", true)} type="number" inputMode="decimal" min={0} step="any" value={size} onChange={(e) => setSize(e.target.value)} />,
          SIZING.find((o) => o.value === sizingMode)?.hint,
        )}
        {linear
          ? field(
              "leverageCap",
              "Leverage cap",
              <input {...aria("leverageCap", true)} type="number" inputMode="numeric" min={1} max={125} step={1} value={leverage} onChange={(e) => setLeverage(e.target.value)} />,
              "Highest leverage used, 1 to 125. Empty: the signal's own.",
            )
          : null}
        {linear
          ? field(
              "leverage",
              "Leverage",
              <input {...aria("leverage", true)} type="number" inputMode="numeric" min={1} max={125} step={1} value={ownLeverage} onChange={(e) => setOwnLeverage(e.target.value)} />,
              "Used when the alert names none, set on your account before each entry. Empty: your account's own.",
            )
          : null}
        {linear
          ? field(
              "marginMode",
              "Margin mode",
              <select {...aria("marginMode", true)} value={marginMode} onChange={(e) => setMarginMode(e.target.value as "" | "ISOLATED" | "CROSS")}>
                <option value="">Your account&apos;s own</option>
                <option value="ISOLATED">Isolated</option>
                <option value="CROSS">Cross</option>
              </select>,
              "Set before each entry (on Bybit unified accounts, for the whole account).",
            )
          : null}
        {field(
          "maxNotional",
          "Max order value (optional)",
          <input {...aria("maxNotional", true)} type="number" inputMode="decimal" min={0} step="any" value={maxNotional} onChange={(e) => setMaxNotional(e.target.value)} />,
          "In USDT. Larger orders are not placed.",
        )}
      </div>
      <SubscriptionProtection
        strategy={s}
        choice={choice}
        onChoice={setChoice}
        draft={draft}
        onDraft={setDraft}
        errors={errorsUnder(errors, "protection.")}
        error={errors.protection}
      />
      <div className="flex flex-wrap gap-2">
        <button type="submit" disabled={busy} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
          {sub ? "Save" : "Subscribe"}
        </button>
        {sub ? (
          <>
            <button type="button" disabled={busy} className={BTN} onClick={() => void run(() => pause.mutateAsync({ subscriptionId: sub.id, paused: !sub.paused }), sub.paused ? "Resumed." : "Paused.")}>
              {sub.paused ? "Resume" : "Pause"}
            </button>
            <button type="button" disabled={busy} className={`${BTN} border-red-300 text-red-700 hover:bg-red-50`} onClick={() => void run(() => remove.mutateAsync({ subscriptionId: sub.id }), "Unsubscribed.")}>
              Unsubscribe
            </button>
          </>
        ) : null}
      </div>
      <p role="status" data-testid="subscription-message" className="min-h-5 text-sm text-green-700">{notice}</p>
    </form>
  );
}
