"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { PermissionChips, StatusBadge } from "../_components/key-badges";
import { formatDateTime } from "~/components/time-format";

export function KeyHistory() {
  const trpc = useTRPC();
  const history = useQuery(trpc.keys.history.queryOptions());
  if (history.isPending) return <p className="text-slate-500">Loading…</p>;
  if (history.isError) return <p role="alert" className="text-red-600">{history.error.message}</p>;
  if (history.data.length === 0) return <p className="text-slate-600">No keys connected yet.</p>;
  return (
    <div className="space-y-6">
      {history.data.map(({ credential: c, checks }) => (
        <section key={c.id} aria-label={`${c.exchange} ${c.environment}`} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <div className="flex flex-wrap items-center gap-3">
            <h2 className="text-lg font-semibold">{c.exchange === "BINANCE" ? "Binance" : "Bybit"} · {c.environment}</h2>
            <StatusBadge status={c.status} />
            <span className="font-mono text-sm text-slate-500">{c.apiKeyMasked}</span>
          </div>
          <div className="mt-3 overflow-x-auto">
            <table className="min-w-full text-left text-sm">
              <caption className="sr-only">Verification results, newest first</caption>
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-4">When</th>
                  <th scope="col" className="py-2 pr-4">Result</th>
                  <th scope="col" className="py-2 pr-4">Permissions</th>
                  <th scope="col" className="py-2 pr-4">Message</th>
                  <th scope="col" className="py-2">Took</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {checks.map((k) => (
                  <tr key={k.id} data-testid="check-row">
                    <td className="py-2 pr-4 whitespace-nowrap">{formatDateTime(k.at)}</td>
                    <td className="py-2 pr-4"><StatusBadge status={k.status} /></td>
                    <td className="py-2 pr-4"><PermissionChips permissions={k.permissions} known={readKey(k.errorKind)} ipRestricted={readKey(k.errorKind) ? k.ipRestricted : undefined} /></td>
                    <td className="py-2 pr-4 text-slate-700">{k.message ?? "OK"}</td>
                    <td className="py-2 whitespace-nowrap text-slate-500">{k.durationMs} ms</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </div>
  );
}

/** Whether the check got the key's own settings from the exchange (else its permissions are unknown). */
function readKey(errorKind: string | null): boolean {
  return errorKind === null || errorKind === "PERMISSION" || errorKind === "IP_RESTRICTION";
}
