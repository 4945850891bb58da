"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, type RouterOutputs } from "~/trpc/react";

type Access = RouterOutputs["cohorts"]["myAccess"];

const BUTTON = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 disabled:opacity-60";

/**
 * Beside Personal (live) when the account is outside the live-trading cohort: why it is unavailable,
 * and asking an admin for access (an optional message), then "Request pending" until they answer.
 */
export function LiveAccessNotice({ access, id }: { access: Access; id: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const ask = useMutation(trpc.cohorts.requestAccess.mutationOptions());
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function send() {
    setError(null);
    try {
      await ask.mutateAsync({ message: message.trim() || undefined });
      setOpen(false);
      await qc.invalidateQueries({ queryKey: trpc.cohorts.myAccess.queryKey() });
    } catch (err) {
      setError((err as Error).message);
    }
  }

  const refused = access.lastDecision?.status === "REFUSED" ? access.lastDecision : null;
  return (
    <div id={id} data-testid="live-access" className="ml-7 space-y-2 text-sm">
      <p data-testid="live-access-why" className="text-amber-900">Unavailable: {access.why}</p>
      {refused ? (
        <p data-testid="live-access-refused" className="text-slate-700">
          Your last request was refused{refused.decisionNote ? `: ${refused.decisionNote}` : "."}
        </p>
      ) : null}
      {access.pendingRequest ? (
        <p role="status" data-testid="live-access-pending" className="inline-flex rounded-full bg-amber-100 px-2.5 py-0.5 text-xs font-semibold text-amber-950">
          Request pending: an admin will answer, and you will be notified.
        </p>
      ) : open ? (
        <div className="space-y-2">
          <label htmlFor={`${id}-message`} className="block font-medium text-slate-700">Message to the admins (optional)</label>
          <textarea id={`${id}-message`} value={message} onChange={(e) => setMessage(e.target.value)} maxLength={500} rows={2} className="block w-full max-w-md rounded-md border border-slate-300 px-2 py-1.5 text-sm shadow-sm" />
          <div className="flex flex-wrap gap-2">
            <button type="button" onClick={() => void send()} disabled={ask.isPending} className={`${BUTTON} border-brand-600 bg-brand-600 text-white hover:bg-brand-700`}>
              {ask.isPending ? "Sending…" : "Send request"}
            </button>
            <button type="button" onClick={() => setOpen(false)} className={BUTTON}>Cancel</button>
          </div>
        </div>
      ) : (
        <button type="button" onClick={() => setOpen(true)} className={BUTTON}>Ask for access</button>
      )}
      {error ? <p role="alert" className="text-red-700">{error}</p> : null}
    </div>
  );
}
