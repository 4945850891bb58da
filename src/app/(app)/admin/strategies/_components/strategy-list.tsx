"use client";

import { useQuery } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";
import { useTRPC } from "~/trpc/react";
import { StrategyCard } from "./strategy-card";

const noSubscribe = () => () => {};

export function StrategyList() {
  const trpc = useTRPC();
  const list = useQuery(trpc.strategies.list.queryOptions());
  // The origin is only known in the browser; the server snapshot is empty so hydration matches.
  const origin = useSyncExternalStore(noSubscribe, () => window.location.origin, () => "");

  if (list.isPending) return <p className="text-sm text-slate-500">Loading strategies…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-600">{list.error.message}</p>;
  if (list.data.length === 0) return <p className="text-sm text-slate-500">No strategies yet. Create one above.</p>;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {list.data.map((s) => (
        <StrategyCard key={s.id} strategy={s} origin={origin} />
      ))}
    </div>
  );
}
