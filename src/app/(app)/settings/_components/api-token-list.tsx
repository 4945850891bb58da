"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { FormError } from "~/components/field";
import { formatDateTime } from "~/components/time-format";
import { useTRPC, type RouterOutputs } from "~/trpc/react";

type TokenRow = RouterOutputs["tokens"]["list"][number];


const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

const STATUS_STYLE: Record<TokenRow["status"], string> = {
  active: "bg-green-50 text-green-800 ring-green-600/20",
  expired: "bg-amber-50 text-amber-800 ring-amber-600/20",
  revoked: "bg-slate-100 text-slate-600 ring-slate-500/20",
};

/** The user's tokens: status, last use, revoke. */
export function TokenList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.tokens.list.queryOptions());
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions());
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [pending, setPending] = useState<TokenRow | null>(null);
  const [error, setError] = useState<string | null>(null);

  function askRevoke(row: TokenRow) {
    setError(null);
    setPending(row);
    dialogRef.current?.showModal();
  }

  async function confirmRevoke() {
    if (!pending) return;
    try {
      await revoke.mutateAsync({ tokenId: pending.id });
      dialogRef.current?.close();
    } catch (err) {
      setError((err as Error).message || "Could not revoke the token. Try again.");
      dialogRef.current?.close();
    } finally {
      await queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
    }
  }

  let body: React.ReactNode;
  if (list.isPending) body = <p className="text-sm text-slate-500">Loading tokens…</p>;
  else if (list.isError)
    body = (
      <p role="alert" className="text-sm text-red-600">
        {list.error.message}
      </p>
    );
  else if (list.data.length === 0) body = <p className="text-sm text-slate-500">You have no API tokens yet.</p>;
  else
    body = (
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200" aria-label="Your API tokens">
        {list.data.map((t) => (
          <li key={t.id} className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center sm:justify-between" data-testid="api-token-row">
            <div className="min-w-0 space-y-1">
              <div className="flex flex-wrap items-center gap-2">
                <span className="truncate font-medium">{t.name}</span>
                <span className={`inline-flex rounded-full px-2 capitalize py-0.5 text-xs font-medium ring-1 ring-inset ${STATUS_STYLE[t.status]}`}>
                  <span className="sr-only">Status: </span>
                  {t.status}
                </span>
              </div>
              <dl className="grid grid-cols-1 gap-x-4 text-xs text-slate-600 sm:grid-cols-3">
                <div className="flex gap-1">
                  <dt>Created</dt>
                  <dd>{dateFmt.format(t.createdAt)}</dd>
                </div>
                <div className="flex gap-1">
                  <dt>{t.status === "expired" ? "Expired" : "Expires"}</dt>
                  <dd>{dateFmt.format(t.expiresAt)}</dd>
                </div>
                <div className="flex gap-1">
                  <dt>Last used</dt>
                  <dd>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : "never"}</dd>
                </div>
              </dl>
            </div>
            {t.status === "active" ? (
              <button
                type="button"
                onClick={() => askRevoke(t)}
                aria-label={`Revoke ${t.name}`}
                className="self-start rounded-md border border-red-300 px-3 py-1.5 text-sm font-semibold text-red-700 hover:bg-red-50 sm:self-auto"
              >
                Revoke
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    );

  return (
    <div className="space-y-3">
      <h3 className="text-sm font-semibold text-slate-700">Your tokens</h3>
      <FormError message={error} />
      {body}
      <dialog
        ref={dialogRef}
        aria-labelledby="revoke-token-title"
        aria-describedby="revoke-token-desc"
        onClose={() => setPending(null)}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        <div className="space-y-4 p-5">
          <h4 id="revoke-token-title" className="text-base font-semibold">
            Revoke “{pending?.name}”?
          </h4>
          <p id="revoke-token-desc" className="text-sm text-slate-600">
            Anything using this token stops working immediately. This cannot be undone.
          </p>
          <div className="flex justify-end gap-2">
            <button
              type="button"
              autoFocus
              onClick={() => dialogRef.current?.close()}
              className="rounded-md border border-slate-300 px-4 py-2 text-sm font-semibold text-slate-700 hover:bg-slate-50"
            >
              Cancel
            </button>
            <button
              type="button"
              onClick={confirmRevoke}
              disabled={revoke.isPending}
              className="rounded-md bg-red-600 px-4 py-2 text-sm font-semibold text-white hover:bg-red-700 disabled:opacity-60"
            >
              {revoke.isPending ? "Revoking…" : "Yes, revoke"}
            </button>
          </div>
        </div>
      </dialog>
    </div>
  );
}
