"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "~/trpc/react";
import { AttentionCard } from "./attention-card";
import { KeyHealthCard } from "./key-health-card";
import { OnboardingChecklist } from "./onboarding-checklist";
import { RecentActivity } from "./recent-activity";

const MODE = {
  PERSONAL: { label: "LIVE", text: "Signals place real orders on your own exchange keys.", className: "border-red-300 bg-red-50 text-red-900" },
  PAPER: { label: "PAPER", text: "Signals are simulated at the market price; nothing is sent to an exchange.", className: "border-amber-300 bg-amber-50 text-amber-950" },
  OFF: { label: "OFF", text: "No signals are traded for you.", className: "border-slate-300 bg-slate-50 text-slate-800" },
} as const;

/** Onboarding and health in one view; refreshed every few seconds so a new order shows without a reload. */
export function DashboardOverview() {
  const trpc = useTRPC();
  const q = useQuery(trpc.dashboard.overview.queryOptions(undefined, { refetchInterval: 3000 }));
  if (q.isPending) return <p className="text-slate-600">Loading…</p>;
  if (q.isError) return <p role="alert" className="text-red-700">{q.error.message}</p>;
  const data = q.data;
  const mode = MODE[data.tradingMode];
  const allDone = data.checklist.every((s) => s.done);
  return (
    <div className="space-y-4">
      {allDone ? null : <OnboardingChecklist data={data} />}
      <div className="grid gap-4 md:grid-cols-2">
        <section aria-labelledby="mode-card-title" data-testid="mode-card" data-mode={data.tradingMode} className={`rounded-xl border p-5 ${mode.className}`}>
          <h2 id="mode-card-title" className="text-xs font-semibold uppercase tracking-wide">Trading mode</h2>
          <p className="mt-1 text-2xl font-bold">{mode.label}</p>
          <p className="text-sm">{mode.text}</p>
          <Link href="/settings#mode-title" className="mt-2 inline-block text-sm font-medium underline">Change mode</Link>
        </section>
        <AttentionCard data={data} />
      </div>
      <KeyHealthCard data={data} />
      <RecentActivity data={data} />
      {allDone ? <OnboardingChecklist data={data} /> : null}
    </div>
  );
}
