"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { describeSize } from "~/components/sizing-format";
import { useTRPC } from "~/trpc/react";

const NAMES = { BINANCE: "Binance", BYBIT: "Bybit" } as const;

/**
 * Asked before PERSONAL: what will start trading live, at what size, on which of the user's keys.
 * Cancel (or Escape) leaves the mode as it was.
 */
export function GoLiveDialog({ open, onCancel, onConfirm }: { open: boolean; onCancel: () => void; onConfirm: () => void }) {
  const trpc = useTRPC();
  const dialog = useRef<HTMLDialogElement>(null);
  const preview = useQuery(trpc.dashboard.goLivePreview.queryOptions(undefined, { enabled: open, staleTime: 0 }));

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const subs = preview.data?.subscriptions ?? [];
  const trading = subs.filter((s) => s.willTrade);
  return (
    <dialog
      ref={dialog}
      onClose={() => open && onCancel()}
      aria-labelledby="go-live-title"
      aria-describedby="go-live-desc"
      data-testid="go-live-dialog"
      className="m-auto w-[min(36rem,calc(100vw-2rem))] rounded-xl p-0 shadow-xl backdrop:bg-slate-900/50"
    >
      <div className="space-y-4 p-5">
        <h2 id="go-live-title" className="text-lg font-semibold">Switch to live trading?</h2>
        <p id="go-live-desc" className="text-sm text-slate-700">
          From now on, every signal of these strategies places <strong>real orders</strong> on your own exchange account with your own key.
        </p>
        {preview.isPending ? (
          <p className="text-sm text-slate-600">Loading your subscriptions…</p>
        ) : preview.isError ? (
          <p role="alert" className="text-sm text-red-700">{preview.error.message}</p>
        ) : (
          <>
            {preview.data.activeKeys === 0 ? (
              <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-900">You have no ACTIVE exchange key: connect and verify one on the Keys page first.</p>
            ) : null}
            {subs.length === 0 ? (
              <p className="text-sm text-slate-700">You follow no strategy yet: nothing trades until you subscribe to one.</p>
            ) : (
              <ul aria-label="What will trade live" className="divide-y divide-slate-200 rounded-lg border border-slate-200 text-sm">
                {subs.map((s) => (
                  <li key={s.id} data-testid="go-live-subscription" data-will-trade={s.willTrade} className="space-y-0.5 p-3">
                    <p className="font-medium">{s.strategyName}</p>
                    <p className="text-slate-700">{describeSize(s)}</p>
                    <p data-testid="go-live-key" className="text-slate-700">
                      {s.key ? `${NAMES[s.key.exchange]}${s.key.environment === "LIVE" ? "" : ` ${s.key.environment}`} key ${s.key.apiKeyMasked} (${s.key.status})` : "No exchange key chosen"}
                    </p>
                    {s.willTrade ? (
                      <p className="font-semibold text-red-800">Will trade live</p>
                    ) : (
                      <p className="text-slate-700">Will not trade: {s.paused ? "paused" : s.key === null ? "choose a key on the Signals page" : s.key.status !== "ACTIVE" ? `its key is ${s.key.status}` : "the strategy is disabled"}</p>
                    )}
                  </li>
                ))}
              </ul>
            )}
            <p className="text-sm text-slate-700" data-testid="go-live-count">
              {trading.length} of {subs.length} subscription{subs.length === 1 ? "" : "s"} will trade live.
            </p>
          </>
        )}
        <div className="flex flex-wrap justify-end gap-2">
          <button type="button" onClick={onCancel} className="rounded-md border border-slate-300 px-4 py-2 text-sm font-semibold text-slate-800 hover:bg-slate-50">
            Cancel
          </button>
          <button type="button" onClick={onConfirm} disabled={preview.isPending} className="rounded-md bg-red-700 px-4 py-2 text-sm font-semibold text-white hover:bg-red-800 disabled:opacity-60">
            Go live
          </button>
        </div>
      </div>
    </dialog>
  );
}
