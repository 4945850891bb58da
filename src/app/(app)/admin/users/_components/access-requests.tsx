"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, type RouterOutputs } from "~/trpc/react";
import { BUTTON, INPUT, fmtDateTime } from "./user-format";

type Request = RouterOutputs["cohorts"]["listRequests"][number];

/** Pending requests for live trading, oldest first: approve (the user joins the beta list) or refuse, with an optional note. */
export function AccessRequests() {
  const trpc = useTRPC();
  const list = useQuery(trpc.cohorts.listRequests.queryOptions({}));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const rows = list.data ?? [];
  return (
    <section aria-labelledby="requests-title" data-testid="access-requests" className="space-y-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="requests-title" className="text-lg font-semibold">Live access requests{rows.length ? ` (${rows.length})` : ""}</h2>
      {list.isPending ? (
        <p className="text-sm text-slate-500">Loading requests…</p>
      ) : list.isError ? (
        <p role="alert" className="text-sm text-red-600">{list.error.message}</p>
      ) : rows.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="requests-empty">No pending requests.</p>
      ) : (
        <ul className="divide-y divide-slate-200">
          {rows.map((r) => (
            <RequestItem key={r.id} request={r} onDone={setMessage} />
          ))}
        </ul>
      )}
      {message ? (
        <p role={message.ok ? "status" : "alert"} data-testid="requests-message" className={`text-sm ${message.ok ? "text-green-700" : "text-red-700"}`}>{message.text}</p>
      ) : null}
    </section>
  );
}

function RequestItem({ request: r, onDone }: { request: Request; onDone: (m: { ok: boolean; text: string }) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const decide = useMutation(trpc.cohorts.decide.mutationOptions());
  const [note, setNote] = useState("");

  async function answer(decision: "approve" | "refuse") {
    try {
      await decide.mutateAsync({ requestId: r.id, decision, note: note.trim() || undefined });
      await Promise.all([qc.invalidateQueries({ queryKey: trpc.cohorts.pathKey() }), qc.invalidateQueries({ queryKey: trpc.admin.users.pathKey() })]);
      onDone({ ok: true, text: decision === "approve" ? `Approved: ${r.email} is on the beta list and was notified.` : `Refused: ${r.email} was notified.` });
    } catch (err) {
      onDone({ ok: false, text: (err as Error).message });
    }
  }

  const noteId = `request-${r.id}-note`;
  return (
    <li data-testid="access-request" data-email={r.email} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="min-w-0 text-sm">
        <p className="truncate font-medium" title={r.email}>{r.email}</p>
        <p className="text-xs text-slate-600">{r.tier} · asked {fmtDateTime(r.createdAt)}</p>
        {r.message ? <p className="mt-1 whitespace-pre-wrap break-words text-slate-700">“{r.message}”</p> : null}
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={noteId} className="sr-only">{`Note for ${r.email} (optional)`}</label>
        <input id={noteId} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} placeholder="Note (optional)" className={INPUT} />
        <button type="button" aria-label={`Approve ${r.email}`} onClick={() => void answer("approve")} disabled={decide.isPending} className={`${BUTTON} border-green-300 text-green-800 hover:bg-green-50`}>Approve</button>
        <button type="button" aria-label={`Refuse ${r.email}`} onClick={() => void answer("refuse")} disabled={decide.isPending} className={`${BUTTON} border-red-300 text-red-700 hover:bg-red-50`}>Refuse</button>
      </div>
    </li>
  );
}
