"use client";

import { useEffect } from "react";
import { fmtAmount } from "~/components/decimal-format";
import type { RouterOutputs } from "~/trpc/react";
import { ModeChip, Pnl } from "./position-format";

type Position = RouterOutputs["positions"]["open"][number];

/** "Are you sure?" before a market order that closes the whole position. Escape or Cancel leaves it open. */
export function ClosePositionDialog(props: { position: Position; pending: boolean; error: string | null; onCancel: () => void; onConfirm: () => void }) {
  const p = props.position;
  const { onCancel } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onCancel();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onCancel]);
  const base = p.symbol.split("/")[0];
  const what = p.side === "LONG" ? `sells the ${fmtAmount(p.size)} ${base} this strategy holds` : `buys back the ${fmtAmount(p.size)} ${base} this strategy is short`;
  return (
    <div className="fixed inset-0 z-50 flex items-end justify-center bg-slate-900/40 p-4 sm:items-center" onClick={props.onCancel}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="close-position-title"
        aria-describedby="close-position-text"
        data-testid="close-position-dialog"
        onClick={(e) => e.stopPropagation()}
        className="w-full max-w-md space-y-4 rounded-xl bg-white p-5 shadow-xl"
      >
        <h2 id="close-position-title" className="text-lg font-semibold">
          Close {p.symbol} <span className="text-slate-500">({p.strategyName})</span>?
        </h2>
        <div id="close-position-text" className="space-y-2 text-sm text-slate-700">
          <p>
            A market order {what}
            {p.paper ? " on your paper book" : " on your exchange account"}; nothing else you hold is touched. <ModeChip paper={p.paper} />
          </p>
          <p>
            Unrealized PnL now: <Pnl value={p.unrealizedPnl} currency={p.quote} />. The final figure is what the order fills at, fees included.
          </p>
        </div>
        {props.error ? (
          <p role="alert" className="text-sm text-red-600">
            {props.error}
          </p>
        ) : null}
        <div className="flex flex-wrap justify-end gap-2">
          <button type="button" onClick={props.onCancel} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500">
            Cancel
          </button>
          <button
            type="button"
            onClick={props.onConfirm}
            disabled={props.pending}
            autoFocus
            className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 disabled:opacity-60"
          >
            {props.pending ? "Closing…" : "Close position"}
          </button>
        </div>
      </div>
    </div>
  );
}
