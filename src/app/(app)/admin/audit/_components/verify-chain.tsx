"use client";

import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { BUTTON } from "./audit-params";

/** Recomputes the whole hash chain on the server and names the first broken row, if any. */
export function VerifyChain() {
  const trpc = useTRPC();
  const verify = useMutation(trpc.admin.auditVerify.mutationOptions());
  const r = verify.data;
  const text = !r ? "" : r.ok || !r.firstBroken ? `Chain OK: ${r.checked} rows verified` : `Chain broken at row ${r.firstBroken.id} (seq ${r.firstBroken.seq}): ${r.firstBroken.reason}`;

  return (
    <div className="flex min-w-0 flex-wrap items-center gap-3">
      <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending} className={BUTTON}>
        {verify.isPending ? "Verifying…" : "Verify chain"}
      </button>
      <p
        role="status"
        data-testid="chain-result"
        data-ok={r ? String(r.ok) : undefined}
        className={`min-w-0 break-words text-sm font-medium ${r && !r.ok ? "text-red-700" : "text-green-700"}`}
      >
        {verify.isPending ? "" : text}
      </p>
      {verify.isError ? <p role="alert" className="text-sm text-red-600">{verify.error.message}</p> : null}
    </div>
  );
}
