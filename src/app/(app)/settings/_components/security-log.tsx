"use client";

import { useQuery } from "@tanstack/react-query";
import { formatDateTime } from "~/components/time-format";
import { useTRPC } from "~/trpc/react";

export function SecurityLog() {
  const trpc = useTRPC();
  const log = useQuery(trpc.user.securityLog.queryOptions());
  return (
    <section aria-labelledby="log-title" className="space-y-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="log-title" className="text-lg font-semibold">Security log</h2>
      <p className="text-sm text-slate-600">Everything done with your account: what, when, and from which IP.</p>
      {log.isPending ? <p className="text-slate-500">Loading…</p> : null}
      {log.data ? (
        <div className="overflow-x-auto">
          <table className="min-w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="py-2 pr-4">When</th>
                <th scope="col" className="py-2 pr-4">What</th>
                <th scope="col" className="py-2 pr-4">Result</th>
                <th scope="col" className="py-2">IP</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {log.data.map((r) => (
                <tr key={r.id} data-testid="security-row">
                  <td className="py-2 pr-4 whitespace-nowrap"><time dateTime={r.at.toISOString()}>{formatDateTime(r.at)}</time></td>
                  <td className="py-2 pr-4 font-mono text-xs">{r.action}</td>
                  <td className="py-2 pr-4">{r.outcome}</td>
                  <td className="py-2 font-mono text-xs">{r.ip ?? "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
