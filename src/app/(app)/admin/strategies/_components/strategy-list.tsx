"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { StrategyCard } from "./strategy-card";

export function StrategyList() {
  const trpc = useTRPC();
  const list = useQuery(trpc.strategies.list.queryOptions());

  if (list.isPending) return <p className="text-sm text-slate-500">Loading strategies…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-600">{list.error.message}</p>;
  if (list.data.length === 0) return <p className="text-sm text-slate-500">No strategies yet. Create one above.</p>;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {list.data.map((s) => (
        <StrategyCard key={s.id} strategy={s} />
      ))}
    </div>
  );
}
