"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type RouterOutputs, useTRPC } from "~/trpc/react";
import { SubscribeForm, type KeyOption } from "./subscribe-form";
import { EXCHANGE_NAMES } from "./execution-format";

type Available = RouterOutputs["strategies"]["available"][number];

export function StrategySubscriptions() {
  const trpc = useTRPC();
  const available = useQuery(trpc.strategies.available.queryOptions());
  const keys = useQuery(trpc.keys.allStatus.queryOptions());

  if (available.isPending || keys.isPending) return <p className="text-sm text-slate-500">Loading strategies…</p>;
  if (available.isError) return <p role="alert" className="text-sm text-red-600">{available.error.message}</p>;
  if (keys.isError) return <p role="alert" className="text-sm text-red-600">{keys.error.message}</p>;

  const keyOptions: KeyOption[] = keys.data.exchanges.flatMap((ex) =>
    ex.keys.map((k) => ({
      id: k.id,
      status: k.status,
      label: `${EXCHANGE_NAMES[k.exchange]} ${k.environment} · ${k.apiKeyMasked} (${k.status})`,
    })),
  );
  const mode = keys.data.tradingMode;

  return (
    <div className="space-y-4">
      {mode === "OFF" ? (
        <p role="note" data-testid="trading-mode-off" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Your trading mode is OFF: set it in{" "}
          <Link href="/settings" className="font-medium underline">
            Settings
          </Link>
          . No orders are placed for you until then.
        </p>
      ) : mode === "PAPER" ? (
        <p role="note" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
          Your trading mode is PAPER: orders are simulated at the market price and nothing is sent to an exchange.
        </p>
      ) : null}
      {available.data.length === 0 ? (
        <p className="text-sm text-slate-500">No strategies are published yet.</p>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          {available.data.map((s) => (
            <StrategyCard key={s.id} strategy={s} keyOptions={keyOptions} />
          ))}
        </div>
      )}
    </div>
  );
}

function StrategyCard({ strategy: s, keyOptions }: { strategy: Available; keyOptions: KeyOption[] }) {
  const sub = s.subscription;
  const state = !sub ? "Not subscribed" : sub.paused ? "Paused" : "Subscribed";
  const stateStyle = !sub ? "bg-slate-100 text-slate-600" : sub.paused ? "bg-amber-100 text-amber-900" : "bg-green-100 text-green-800";
  return (
    <section
      aria-labelledby={`sub-${s.id}-title`}
      data-testid="subscribe-card"
      data-subscribed={sub ? "true" : "false"}
      className="min-w-0 space-y-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 id={`sub-${s.id}-title`} className="truncate text-lg font-semibold">{s.name}</h3>
          <p className="text-sm text-slate-600">
            {s.marketType === "LINEAR" ? "Linear perpetual" : "Spot"} · <span className="font-mono">{s.allowedSymbols.join(", ")}</span>
          </p>
          {s.description ? <p className="mt-1 break-words text-sm text-slate-700">{s.description}</p> : null}
        </div>
        <div className="flex flex-wrap gap-1.5">
          {s.archived ? <span className="rounded-full bg-slate-200 px-2.5 py-0.5 text-xs font-semibold text-slate-800">Archived: no new alerts</span> : !s.enabled ? <span className="rounded-full bg-red-100 px-2.5 py-0.5 text-xs font-semibold text-red-800">Stopped by admin</span> : null}
          <span data-testid="subscription-state" className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${stateStyle}`}>{state}</span>
        </div>
      </div>
      <SubscribeForm strategy={s} keyOptions={keyOptions} />
    </section>
  );
}
