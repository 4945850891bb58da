"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

type Strategy = RouterOutputs["strategies"]["list"][number];

const BUTTON = "rounded-md border px-3 py-1.5 text-sm font-medium disabled:opacity-60";

/** Enable / disable (disabling asks first) and archive (asks first): the webhook refuses both with a clear 4xx. */
export function StrategyStateControls({ strategy: s }: { strategy: Strategy }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const update = useMutation(trpc.strategies.update.mutationOptions());
  const archive = useMutation(trpc.strategies.archive.mutationOptions());
  const disableDialog = useRef<HTMLDialogElement>(null);
  const archiveDialog = useRef<HTMLDialogElement>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function run(fn: () => Promise<unknown>, ok: string, dialog?: HTMLDialogElement | null) {
    setMessage(null);
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: trpc.strategies.pathKey() });
      setMessage({ ok: true, text: ok });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      dialog?.close();
    }
  }

  if (s.archivedAt) {
    return <p className="text-sm text-slate-600" data-testid="strategy-archived-note">Archived: its webhook refuses alerts (410) and users no longer see it; its signals, orders and positions are kept.</p>;
  }
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        {s.enabled ? (
          <button type="button" onClick={() => disableDialog.current?.showModal()} className={`${BUTTON} border-amber-400 text-amber-900 hover:bg-amber-50`}>
            Disable…
          </button>
        ) : (
          <button type="button" disabled={update.isPending} onClick={() => void run(() => update.mutateAsync({ id: s.id, enabled: true }), "Enabled: alerts are accepted again.")} className={`${BUTTON} border-green-500 text-green-800 hover:bg-green-50`}>
            Enable
          </button>
        )}
        <button type="button" onClick={() => archiveDialog.current?.showModal()} className={`${BUTTON} border-red-300 text-red-700 hover:bg-red-50`}>
          Archive…
        </button>
      </div>
      <p role={message?.ok === false ? "alert" : "status"} className={`min-h-5 text-sm ${message?.ok === false ? "text-red-700" : "text-green-700"}`}>{message?.text ?? ""}</p>
      <dialog ref={disableDialog} aria-labelledby={`disable-${s.id}-title`} className="m-auto max-w-md rounded-xl p-6 shadow-xl backdrop:bg-slate-900/40">
        <h4 id={`disable-${s.id}-title`} className="text-lg font-semibold">Disable {s.name}?</h4>
        <p className="mt-2 text-sm text-slate-600">
          Its webhook answers 409 to every alert until you enable it again: {s.subscriberCount} subscriber{s.subscriberCount === 1 ? "" : "s"} stop trading it. Nothing already sent is cancelled.
        </p>
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" onClick={() => disableDialog.current?.close()} className={`${BUTTON} border-slate-300`}>Cancel</button>
          <button type="button" disabled={update.isPending} onClick={() => void run(() => update.mutateAsync({ id: s.id, enabled: false }), "Disabled: alerts are refused.", disableDialog.current)} className="rounded-md bg-amber-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-amber-700 disabled:opacity-60">
            Yes, disable
          </button>
        </div>
      </dialog>
      <dialog ref={archiveDialog} aria-labelledby={`archive-${s.id}-title`} className="m-auto max-w-md rounded-xl p-6 shadow-xl backdrop:bg-slate-900/40">
        <h4 id={`archive-${s.id}-title`} className="text-lg font-semibold">Archive {s.name}?</h4>
        <p className="mt-2 text-sm text-slate-600">
          The webhook stops accepting alerts for good (410) and users no longer see it to subscribe. Its signals, orders, positions and delivery log are kept. This cannot be undone.
        </p>
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" onClick={() => archiveDialog.current?.close()} className={`${BUTTON} border-slate-300`}>Cancel</button>
          <button type="button" disabled={archive.isPending} onClick={() => void run(() => archive.mutateAsync({ id: s.id }), "Archived.", archiveDialog.current)} className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700 disabled:opacity-60">
            Yes, archive
          </button>
        </div>
      </dialog>
    </div>
  );
}
