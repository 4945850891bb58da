"use client";

import { useState } from "react";

/** A code block that scrolls inside itself (never widens the page) with a copy button. */
export function CopyCode({ code, label }: { code: string; label: string }) {
  const [state, setState] = useState<"copied" | "failed" | null>(null);
  return (
    <div className="min-w-0 space-y-1">
      <div className="flex items-center justify-between gap-2">
        <span className="text-xs font-medium text-slate-600">{label}</span>
        <button
          type="button"
          onClick={() => navigator.clipboard.writeText(code).then(() => setState("copied"), () => setState("failed"))}
          className="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs font-medium hover:bg-slate-100"
        >
          {state === "copied" ? "Copied" : "Copy"}
        </button>
      </div>
      <pre data-testid="help-code" className="max-w-full overflow-x-auto rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100"><code>{code}</code></pre>
      {state === "failed" ? <p role="status" className="text-xs text-slate-600">Copy blocked by the browser: select the text instead.</p> : null}
    </div>
  );
}
