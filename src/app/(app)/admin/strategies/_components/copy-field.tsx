"use client";

import { useEffect, useRef, useState } from "react";

/** A read-only input or textarea with a copy button; falls back to selecting the text. */
export function CopyField(props: { id: string; label: string; value: string; buttonLabel: string; testId: string; multiline?: boolean; rows?: number }) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [state, setState] = useState<"copied" | "select" | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function copy() {
    clearTimeout(timer.current);
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(props.value);
      setState("copied");
    } catch {
      // No clipboard API (e.g. plain http): select the text so it can be copied by hand.
      ref.current?.focus();
      ref.current?.select();
      let copied = false;
      try {
        copied = document.execCommand("copy");
      } catch {
        copied = false;
      }
      setState(copied ? "copied" : "select");
    }
    timer.current = setTimeout(() => setState(null), 3000);
  }

  const cls = "block w-full min-w-0 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
  const common = {
    id: props.id,
    ref,
    readOnly: true,
    value: props.value,
    spellCheck: false,
    "data-testid": props.testId,
    onFocus: (e: React.FocusEvent<HTMLInputElement | HTMLTextAreaElement>) => e.currentTarget.select(),
  };
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={props.id} className="block text-sm font-medium text-slate-700">{props.label}</label>
      {props.multiline ? <textarea {...common} rows={props.rows ?? 6} wrap="off" className={`${cls} resize-y`} /> : <input {...common} type="text" autoComplete="off" className={cls} />}
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" onClick={() => void copy()} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
          {props.buttonLabel}
        </button>
        <span aria-live="polite" className="min-h-5 text-xs text-slate-600">
          {state === "copied" ? "Copied" : state === "select" ? "Selected: press Ctrl+C (⌘C) to copy." : ""}
        </span>
      </div>
    </div>
  );
}
