"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "~/trpc/react";

type Banner = RouterOutputs["halts"]["banner"];

/**
 * Red, on every signed-in page while an operator has halted live trading anywhere: first from the
 * server render (no flash), then refreshed every 15 s and when the window regains focus.
 */
export function HaltBanner({ initial }: { initial: Banner }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.halts.banner.queryOptions(), initialData: initial, refetchInterval: 15_000, refetchOnWindowFocus: true });
  const halts = q.data ?? [];
  if (halts.length === 0) return null;
  return (
    <div role="alert" data-testid="halt-banner" className="border-b border-red-800 bg-red-700 text-white">
      <ul className="mx-auto max-w-6xl space-y-0.5 px-4 py-2 text-sm font-semibold">
        {halts.map((h, i) => <li key={i} className="break-words">{h.text}</li>)}
      </ul>
    </div>
  );
}
