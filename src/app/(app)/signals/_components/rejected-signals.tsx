"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { fmtDateTime } from "./execution-format";
import { HelpLink } from "~/components/help-link";

/** Alerts of the strategies you follow that were rejected before any order (stale, symbol not allowed...), and why. */
export function RejectedSignals() {
  const trpc = useTRPC();
  const list = useQuery(trpc.strategies.myRejectedSignals.queryOptions(undefined, { refetchInterval: 5000 }));

  if (list.isPending) return <p className="text-sm text-slate-500">Loading rejected signals…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-600">{list.error.message}</p>;
  if (list.data.length === 0) return <p className="text-sm text-slate-500" data-testid="no-rejected-signals">None: every alert of the strategies you follow passed the checks.</p>;
  return (
    <ul className="space-y-2" aria-label="Rejected signals">
      {list.data.map((s) => (
        <li key={s.id} data-testid="rejected-signal" className="min-w-0 rounded-lg border border-slate-200 bg-white p-3 text-sm">
          <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
            <span className="font-medium">{s.strategyName}</span>
            <span className="font-mono">{s.symbol}</span>
            <span className="capitalize">{s.action}</span>
            {s.test ? <span className="rounded-md bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">test</span> : null}
            <span className="text-slate-600">{fmtDateTime(s.receivedAt)}</span>
          </div>
          <ul className="mt-1 list-disc space-y-0.5 pl-5 break-words text-slate-700" data-testid="rejected-reason">
            {s.reasons.length ? s.reasons.map((r) => <li key={r.code}>{r.message} <HelpLink help={r.help} /></li>) : <li>Rejected by the decision step.</li>}
          </ul>
        </li>
      ))}
    </ul>
  );
}
