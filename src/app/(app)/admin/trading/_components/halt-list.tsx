"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { formatDateTime } from "~/components/time-format";
import { useTRPC, type RouterOutputs } from "~/trpc/react";

type Halt = RouterOutputs["halts"]["list"]["active"][number];
const BUTTON = "rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60";

/** Active halts (each with Resume, which asks first) and the recent lifted ones. */
export function HaltList() {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.halts.list.queryOptions(), refetchInterval: 15_000 });
  if (list.isError) return <p role="alert" className="text-sm text-red-700">Could not load the halts: {list.error.message}</p>;
  const active = list.data?.active ?? [];
  const recent = list.data?.recent ?? [];
  return (
    <div className="space-y-6">
      <section aria-labelledby="active-halts" className="space-y-3">
        <h2 id="active-halts" className="text-lg font-semibold">Active halts</h2>
        {list.isLoading ? <p className="text-sm text-slate-600">Loading…</p> : null}
        {!list.isLoading && active.length === 0 ? <p data-testid="no-active-halts" className="text-sm text-slate-600">None: live trading runs everywhere.</p> : null}
        <ul className="space-y-3">
          {active.map((h) => <ActiveHalt key={h.id} halt={h} />)}
        </ul>
      </section>
      <section aria-labelledby="halt-history" className="space-y-3">
        <h2 id="halt-history" className="text-lg font-semibold">Recent history</h2>
        {recent.length === 0 ? <p className="text-sm text-slate-600">No halt lifted yet.</p> : null}
        <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
          {recent.map((h) => (
            <li key={h.id} data-testid="halt-history-row" className="space-y-0.5 p-4 text-sm">
              <p className="font-medium">{h.target}: “{h.reason}”</p>
              <p className="text-slate-600">
                Halted {formatDateTime(h.createdAt)} by {h.createdBy ?? "the operator CLI"}; resumed {h.liftedAt ? formatDateTime(h.liftedAt) : "—"} by {h.liftedBy ?? "the operator CLI"}
                {h.liftReason ? ` (“${h.liftReason}”)` : ""}
              </p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function ActiveHalt({ halt: h }: { halt: Halt }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const resume = useMutation(trpc.halts.resume.mutationOptions());
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const id = `halt-${h.id}`;

  async function doResume() {
    setError(null);
    try {
      await resume.mutateAsync({ id: h.id, reason: note.trim() || undefined });
      dialog.current?.close();
      await qc.invalidateQueries({ queryKey: trpc.halts.pathKey() });
    } catch (err) {
      setError((err as Error).message || "Could not resume trading.");
    }
  }

  return (
    <li data-testid="active-halt" data-scope={h.scope} className="flex flex-wrap items-start justify-between gap-3 rounded-xl border border-red-200 bg-red-50 p-4">
      <div className="min-w-0 text-sm">
        <p className="font-semibold text-red-900">Halted: {h.target}</p>
        <p className="break-words text-red-900">“{h.reason}”</p>
        <p className="text-slate-600">Since {formatDateTime(h.createdAt)}, by {h.createdBy ?? "the operator CLI"}</p>
      </div>
      <button type="button" aria-haspopup="dialog" aria-label={`Resume trading on ${h.target}`} onClick={() => dialog.current?.showModal()} className={BUTTON}>
        Resume
      </button>
      <dialog ref={dialog} aria-labelledby={`${id}-title`} className="m-auto w-[calc(100%-1.5rem)] max-w-md rounded-xl p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/40">
        <h2 id={`${id}-title`} className="text-lg font-semibold">Resume live trading on {h.target}?</h2>
        <p className="mt-2 text-sm text-slate-600">The next signals place live orders again. Signals received during the halt are not replayed.</p>
        <label htmlFor={`${id}-note`} className="mt-3 block text-sm font-medium">Note (optional)</label>
        <input id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} maxLength={300} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm" />
        {error ? <p role="alert" className="mt-2 text-sm text-red-700">{error}</p> : null}
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" onClick={() => dialog.current?.close()} className={BUTTON}>Cancel</button>
          <button type="button" disabled={resume.isPending} onClick={() => void doResume()} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
            {resume.isPending ? "Resuming…" : "Yes, resume"}
          </button>
        </div>
      </dialog>
    </li>
  );
}
