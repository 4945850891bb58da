"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Amounts } from "~/app/(app)/positions/_components/position-format";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

type ModeSummary = RouterOutputs["positions"]["summary"]["live"];

/** Open positions and realized PnL (today, from your midnight, and in total), LIVE and PAPER apart. Self-contained: drop it anywhere. */
export function PositionsCard() {
  const trpc = useTRPC();
  const [todayFrom] = useState(() => {
    const d = new Date();
    d.setHours(0, 0, 0, 0);
    return d;
  });
  const summary = useQuery(trpc.positions.summary.queryOptions({ todayFrom }, { refetchInterval: 30_000 }));
  return (
    <section aria-labelledby="positions-card-title" data-testid="positions-card" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="mb-3 flex items-baseline justify-between gap-2">
        <h2 id="positions-card-title" className="text-xs font-semibold uppercase tracking-wide text-slate-500">Positions</h2>
        <Link href="/positions" className="text-sm font-medium text-brand-700 hover:underline">View positions</Link>
      </div>
      {summary.isPending ? (
        <p className="text-sm text-slate-500">Loading…</p>
      ) : summary.isError ? (
        <p role="alert" className="text-sm text-red-600">{summary.error.message}</p>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2">
          <Mode title="Live" testId="summary-live" s={summary.data.live} />
          <Mode title="Paper" testId="summary-paper" s={summary.data.paper} />
        </div>
      )}
    </section>
  );
}

function Mode({ title, testId, s }: { title: string; testId: string; s: ModeSummary }) {
  const row = (k: string, v: React.ReactNode) => (
    <div className="flex items-start justify-between gap-3">
      <dt className="text-slate-500">{k}</dt>
      <dd className="text-right">{v}</dd>
    </div>
  );
  return (
    <div data-testid={testId}>
      <h3 className="mb-1 text-sm font-semibold">{title}</h3>
      <dl className="space-y-1 text-sm">
        {row("Open positions", <span data-testid="open-count" className="font-mono tabular-nums">{s.openPositions}</span>)}
        {row(
          "Unrealized PnL",
          <>
            <Amounts items={s.unrealizedPnl} testId="unrealized" />
            {s.unpriced > 0 ? <span className="block text-xs text-slate-500">{s.unpriced} without a price, not counted</span> : null}
          </>,
        )}
        {row("Realized today", <Amounts items={s.realizedToday} testId="realized-today" />)}
        {row("Realized in total", <Amounts items={s.realizedTotal} testId="realized-total" />)}
      </dl>
    </div>
  );
}
