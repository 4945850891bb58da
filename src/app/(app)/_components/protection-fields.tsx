"use client";

/**
 * The protective-order settings as a form (the strategy's defaults on Admin -> Strategies, a
 * subscriber's own on Signals): stop-loss %, up to 5 take-profit levels (distance % and share of the
 * position %), trailing stop callback %, break-even. Values stay strings (percentages are decimals);
 * the server validates them and its errors come back by field ("takeProfits.1.sharePct").
 */

export const MAX_TAKE_PROFITS = 5;

export interface ProtectionDraft {
  stopLossPct: string;
  takeProfits: { pct: string; sharePct: string }[];
  trailingPct: string;
  breakEven: boolean;
}

export interface ProtectionValue {
  stopLossPct?: string | null;
  takeProfits?: { pct: string; sharePct: string }[];
  trailingPct?: string | null;
  breakEven?: boolean;
}

type Errors = Partial<Record<string, string>>;

export function draftOf(v: ProtectionValue | null | undefined): ProtectionDraft {
  return { stopLossPct: v?.stopLossPct ?? "", takeProfits: v?.takeProfits?.map((t) => ({ ...t })) ?? [], trailingPct: v?.trailingPct ?? "", breakEven: v?.breakEven ?? false };
}

export function valueOf(d: ProtectionDraft) {
  const text = (s: string) => (s.trim() === "" ? null : s.trim());
  return { stopLossPct: text(d.stopLossPct), takeProfits: d.takeProfits.map((t) => ({ pct: t.pct.trim(), sharePct: t.sharePct.trim() })), trailingPct: text(d.trailingPct), breakEven: d.breakEven };
}

export const isBlank = (d: ProtectionDraft) => !d.stopLossPct.trim() && d.takeProfits.length === 0 && !d.trailingPct.trim() && !d.breakEven;

/** One line: "Stop-loss 2 % · take-profits 2 % (50 %), 4 % (50 %) · trailing 1 % · break-even". */
export function describeProtection(v: ProtectionValue | null | undefined): string {
  if (!v) return "None";
  const parts: string[] = [];
  if (v.stopLossPct) parts.push(`Stop-loss ${v.stopLossPct} %`);
  if (v.takeProfits?.length) parts.push(`take-profit${v.takeProfits.length > 1 ? "s" : ""} ${v.takeProfits.map((t) => `${t.pct} % (closes ${t.sharePct} %)`).join(", ")}`);
  if (v.trailingPct) parts.push(`trailing stop ${v.trailingPct} %`);
  if (v.breakEven) parts.push("stop-loss to break-even after the first take-profit");
  if (parts.length === 0) return "None";
  const text = parts.join(" · ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Server field keys under `prefix` (e.g. "protection.defaults."), with the prefix taken off. */
export function errorsUnder(errors: Errors, prefix: string): Errors {
  return Object.fromEntries(Object.entries(errors).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

const INPUT = "block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500 disabled:bg-slate-50";

export function ProtectionFields({ idPrefix, value, onChange, errors, disabled = false }: { idPrefix: string; value: ProtectionDraft; onChange: (d: ProtectionDraft) => void; errors: Errors; disabled?: boolean }) {
  const id = (f: string) => `${idPrefix}-${f}`;
  const set = (patch: Partial<ProtectionDraft>) => onChange({ ...value, ...patch });
  const setLevel = (i: number, patch: Partial<{ pct: string; sharePct: string }>) => set({ takeProfits: value.takeProfits.map((t, j) => (j === i ? { ...t, ...patch } : t)) });
  const error = (f: string) => (errors[f] ? <p id={id(`${f}-error`)} role="alert" className="text-sm text-red-600">{errors[f]}</p> : null);
  const input = (f: string, v: string, on: (v: string) => void, hint?: string) => (
    <input
      id={id(f)}
      type="text"
      inputMode="decimal"
      autoComplete="off"
      value={v}
      disabled={disabled}
      onChange={(e) => on(e.target.value)}
      aria-invalid={errors[f] ? true : undefined}
      aria-describedby={[errors[f] ? id(`${f}-error`) : null, hint ? id(`${f}-hint`) : null].filter(Boolean).join(" ") || undefined}
      className={`${INPUT} ${errors[f] ? "border-red-500" : "border-slate-300"}`}
    />
  );
  const labelled = (f: string, label: string, control: React.ReactNode, hint?: string) => (
    <div className="min-w-0 space-y-1">
      <label htmlFor={id(f)} className="block text-sm font-medium text-slate-700">{label}</label>
      {control}
      {hint ? <p id={id(`${f}-hint`)} className="text-xs text-slate-500">{hint}</p> : null}
      {error(f)}
    </div>
  );
  const slHint = "Distance below the entry for a long (above for a short), e.g. 2. Empty: no stop-loss.";
  const trailHint = "0.1 to 10. Binance only; Bybit positions get no trailing stop.";

  return (
    <div className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-2">
        {labelled("stopLossPct", "Stop-loss %", input("stopLossPct", value.stopLossPct, (v) => set({ stopLossPct: v }), slHint), slHint)}
        {labelled("trailingPct", "Trailing stop callback %", input("trailingPct", value.trailingPct, (v) => set({ trailingPct: v }), trailHint), trailHint)}
      </div>
      <fieldset className="space-y-2" aria-describedby={errors.takeProfits ? id("takeProfits-error") : undefined}>
        <legend className="text-sm font-medium text-slate-700">Take-profit levels</legend>
        <p className="text-xs text-slate-500">Each closes a share of the position at a distance from the entry, nearest first; the shares add up to at most 100 %.</p>
        {value.takeProfits.map((t, i) => (
          <div key={i} data-testid="take-profit-level" className="grid grid-cols-[1fr_1fr_auto] items-start gap-2">
            {labelled(`takeProfits.${i}.pct`, `Take-profit ${i + 1} distance %`, input(`takeProfits.${i}.pct`, t.pct, (v) => setLevel(i, { pct: v })))}
            {labelled(`takeProfits.${i}.sharePct`, `Take-profit ${i + 1} share %`, input(`takeProfits.${i}.sharePct`, t.sharePct, (v) => setLevel(i, { sharePct: v })))}
            <button
              type="button"
              disabled={disabled}
              onClick={() => set({ takeProfits: value.takeProfits.filter((_, j) => j !== i) })}
              aria-label={`Remove take-profit ${i + 1}`}
              className="mt-6 rounded-md border border-slate-300 px-2 py-2 text-sm hover:bg-slate-100 disabled:opacity-60"
            >
              Remove
            </button>
          </div>
        ))}
        {error("takeProfits")}
        {value.takeProfits.length < MAX_TAKE_PROFITS ? (
          <button
            type="button"
            disabled={disabled}
            onClick={() => set({ takeProfits: [...value.takeProfits, { pct: "", sharePct: "" }] })}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60"
          >
            Add take-profit level
          </button>
        ) : null}
      </fieldset>
      <div className="space-y-1">
        <label className="flex items-start gap-2 text-sm font-medium text-slate-700">
          <input
            id={id("breakEven")}
            type="checkbox"
            checked={value.breakEven}
            disabled={disabled}
            onChange={(e) => set({ breakEven: e.target.checked })}
            aria-describedby={errors.breakEven ? id("breakEven-error") : undefined}
            className="mt-0.5 h-4 w-4 rounded border-slate-300"
          />
          <span>Move the stop-loss to the entry (break-even) after the first take-profit fills</span>
        </label>
        {error("breakEven")}
      </div>
    </div>
  );
}
