"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTRPC, type RouterOutputs } from "~/trpc/react";
import { BUTTON, TIERS } from "./user-format";

type Tier = (typeof TIERS)[number];
type Choice = "everyone" | "tiers" | "beta";
type Saved = RouterOutputs["cohorts"]["get"];
type Message = { ok: boolean; text: string };

const CHOICES: { value: Choice; label: string }[] = [
  { value: "everyone", label: "Everyone" },
  { value: "tiers", label: "Chosen tiers (and the beta list)" },
  { value: "beta", label: "The beta list only" },
];

/**
 * Who may switch to Personal (live). Saving asks first, saying how many live users the change would
 * move to PAPER (they are notified); widening it moves nobody.
 */
export function CohortPanel() {
  const trpc = useTRPC();
  const cohort = useQuery(trpc.cohorts.get.queryOptions());
  // Kept here: the form below is remounted after a save, its outcome must outlive it.
  const [message, setMessage] = useState<Message | null>(null);
  return (
    <section aria-labelledby="cohort-title" data-testid="cohort-panel" className="space-y-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div>
        <h2 id="cohort-title" className="text-lg font-semibold">Live trading cohort</h2>
        <p className="text-sm text-slate-600" data-testid="cohort-now">{cohort.data?.description ?? "Loading…"} Others keep Paper and Off, and can ask for access.</p>
      </div>
      {cohort.isError ? <p role="alert" className="text-sm text-red-600">{cohort.error.message}</p> : null}
      {/* Keyed by the saved version: the form starts from what is stored, again after each save. */}
      {cohort.data ? <CohortForm key={String(cohort.data.updatedAt?.getTime())} saved={cohort.data} setMessage={setMessage} /> : null}
      {message ? (
        <p role={message.ok ? "status" : "alert"} data-testid="cohort-message" className={`text-sm ${message.ok ? "text-green-700" : "text-red-700"}`}>{message.text}</p>
      ) : null}
    </section>
  );
}

function CohortForm({ saved, setMessage }: { saved: Saved; setMessage: (m: Message | null) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const update = useMutation(trpc.cohorts.update.mutationOptions());
  const dialog = useRef<HTMLDialogElement>(null);
  const [choice, setChoice] = useState<Choice>(saved.everyone ? "everyone" : saved.tiers.length ? "tiers" : "beta");
  const [tiers, setTiers] = useState<Tier[]>(saved.tiers);
  const [confirm, setConfirm] = useState<{ text: string } | null>(null);

  const input = () => (choice === "everyone" ? { everyone: true, tiers: [] } : { everyone: false, tiers: choice === "tiers" ? tiers : [] });

  async function review() {
    setMessage(null);
    if (choice === "tiers" && tiers.length === 0) return setMessage({ ok: false, text: "Pick at least one tier, or choose the beta list only." });
    try {
      const p = await qc.fetchQuery(trpc.cohorts.preview.queryOptions(input(), { staleTime: 0 }));
      const moved = p.wouldMoveToPaper === 0 ? "No live user would be moved." : `${p.wouldMoveToPaper} live user${p.wouldMoveToPaper === 1 ? "" : "s"} would be moved to PAPER and notified.`;
      setConfirm({ text: `${p.description} ${moved}` });
      dialog.current?.showModal();
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    }
  }

  async function save() {
    try {
      const r = await update.mutateAsync(input());
      await Promise.all([qc.invalidateQueries({ queryKey: trpc.cohorts.pathKey() }), qc.invalidateQueries({ queryKey: trpc.admin.users.pathKey() })]);
      const n = r.movedToPaper.length;
      setMessage({ ok: true, text: `Saved. ${r.cohort.description}${n ? ` ${n} user${n === 1 ? "" : "s"} moved to PAPER.` : ""}` });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      dialog.current?.close();
    }
  }

  return (
    <>
      <fieldset className="space-y-2" disabled={update.isPending}>
        <legend className="text-sm font-medium text-slate-700">Live trading is open to</legend>
        {CHOICES.map((c) => (
          <label key={c.value} className="flex items-center gap-2 text-sm">
            <input type="radio" name="cohort-choice" value={c.value} checked={choice === c.value} onChange={() => setChoice(c.value)} />
            {c.label}
          </label>
        ))}
        <div className="ml-6 flex flex-wrap gap-4">
          {TIERS.map((tier) => (
            <label key={tier} className={`flex items-center gap-1.5 text-sm ${choice === "tiers" ? "" : "text-slate-400"}`}>
              <input
                type="checkbox"
                checked={tiers.includes(tier)}
                disabled={choice !== "tiers"}
                onChange={(e) => setTiers((cur) => (e.target.checked ? [...cur, tier] : cur.filter((x) => x !== tier)))}
              />
              {tier}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" onClick={() => void review()} disabled={update.isPending} className={BUTTON}>Save cohort</button>
      </div>
      <dialog ref={dialog} aria-labelledby="cohort-confirm-title" aria-describedby="cohort-confirm-text" className="m-auto w-[calc(100%-1.5rem)] max-w-md rounded-xl p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/40">
        <h2 id="cohort-confirm-title" className="text-lg font-semibold">Change who may trade live?</h2>
        <p id="cohort-confirm-text" data-testid="cohort-confirm-text" className="mt-2 text-sm text-slate-600">{confirm?.text}</p>
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" onClick={() => dialog.current?.close()} className={BUTTON}>Cancel</button>
          <button type="button" onClick={() => void save()} disabled={update.isPending} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
            {update.isPending ? "Saving…" : "Save"}
          </button>
        </div>
      </dialog>
    </>
  );
}
