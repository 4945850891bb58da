"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/trpc/react";
import { ExecutionStatusBadge, PaperTag, explain } from "../../../signals/_components/execution-format";
import { HelpLink } from "~/components/help-link";

/** "Send test alert": the full path, every execution PAPER; then each subscriber's result as it comes. */
export function TestAlertPanel({ strategyId }: { strategyId: string }) {
  const trpc = useTRPC();
  const send = useMutation(trpc.strategies.sendTestAlert.mutationOptions());
  const [signalId, setSignalId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const result = useQuery(
    trpc.strategies.testAlertResult.queryOptions(
      { signalId: signalId ?? "" },
      { enabled: signalId !== null, refetchInterval: (q) => (q.state.data && (q.state.data.status === "DONE" || q.state.data.status === "REJECTED") ? false : 1000) },
    ),
  );

  async function onSend() {
    setError(null);
    setSignalId(null);
    try {
      setSignalId((await send.mutateAsync({ id: strategyId })).signalId);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  const r = result.data;
  return (
    <section aria-labelledby="test-alert-title" className="min-w-0 space-y-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="test-alert-title" className="text-lg font-semibold">Send test alert</h2>
      <p className="text-sm text-slate-600">
        Sends a buy of the first allowed symbol through the whole path (the webhook&apos;s parser, the checks, the fan-out). Every subscriber&apos;s order is PAPER, whatever their mode: nothing reaches an exchange.
      </p>
      <button type="button" disabled={send.isPending} onClick={() => void onSend()} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
        {send.isPending ? "Sending…" : "Send test alert"}
      </button>
      {error ? <p role="alert" className="text-sm text-red-600">{error}</p> : null}
      {r ? (
        <div className="min-w-0 space-y-2" data-testid="test-alert-result" data-status={r.status}>
          <p role="status" className="text-sm text-slate-700">
            {r.status === "REJECTED"
              ? `Rejected: ${r.reasons.map((x) => x.message).join(" ") || "by the checks"}`
              : r.status === "DONE"
                ? `Done: ${r.executions.length} paper execution${r.executions.length === 1 ? "" : "s"}.`
                : "Fanning out…"}
          </p>
          <ul className="space-y-2" aria-label="Test alert executions">
            {r.executions.map((e) => (
              <li key={e.id} data-testid="test-execution" className="min-w-0 rounded-lg border border-slate-200 p-3 text-sm">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="min-w-0 break-all font-medium">{e.userEmail ?? e.id}</span>
                  <span className="text-xs text-slate-500">{e.tier}</span>
                  <ExecutionStatusBadge status={e.status} />
                  {e.paper ? <PaperTag /> : null}
                </div>
                <p className="mt-1 break-words text-slate-700">{explain(e)} <HelpLink help={e.help} /></p>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
