"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";

const MODE_TEXT = {
  PERSONAL: "Live: signals trade on your own exchange keys.",
  PAPER: "Paper: signals are simulated and recorded, nothing is sent to an exchange.",
  OFF: "Off: no signals are traded for you.",
} as const;

export function DashboardSummary() {
  const trpc = useTRPC();
  const me = useQuery(trpc.user.me.queryOptions());
  if (me.isPending) return <p className="text-slate-500">Loading…</p>;
  if (me.isError) return <p role="alert" className="text-red-600">{me.error.message}</p>;
  const u = me.data;
  return (
    <section aria-label="Your account" className="grid gap-4 sm:grid-cols-3">
      <Card title="Welcome">
        <p className="text-lg font-semibold" data-testid="user-name">{u.name}</p>
        <p className="text-sm text-slate-500">{u.email}</p>
      </Card>
      <Card title="Plan">
        <p className="text-lg font-semibold" data-testid="user-tier">{u.tier}</p>
        {u.tier === "TRIAL" && u.trialEndsAt ? (
          <p className="text-sm text-slate-500">Trial ends {u.trialEndsAt.toLocaleDateString()}</p>
        ) : null}
      </Card>
      <Card title="Role">
        <p className="text-lg font-semibold" data-testid="user-role">{u.role}</p>
        <p className="text-sm text-slate-500">{MODE_TEXT[u.tradingMode]}</p>
      </Card>
    </section>
  );
}

function Card({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h2>
      {children}
    </div>
  );
}
