"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "~/trpc/react";

/** Contrast (text on background), WCAG AA needs 4.5:1: white on red-700 6.5:1, amber-950 on amber-200 12:1, slate-800 on slate-200 11:1. */
const MODE = {
  PERSONAL: { text: "LIVE", title: "Live: signals place real orders on your own exchange keys", className: "bg-red-700 text-white" },
  PAPER: { text: "PAPER", title: "Paper: signals are simulated, nothing is sent to an exchange", className: "bg-amber-200 text-amber-950" },
  OFF: { text: "OFF", title: "Off: no signals are traded for you", className: "bg-slate-200 text-slate-800" },
} as const;

/** The trading mode in the header, on every signed-in page; a link to where it is changed. */
export function ModeBadge() {
  const trpc = useTRPC();
  const me = useQuery(trpc.user.me.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (!me.data) return null;
  const m = MODE[me.data.tradingMode];
  return (
    <Link
      href="/settings#mode-title"
      data-testid="mode-badge"
      data-mode={me.data.tradingMode}
      title={m.title}
      aria-label={`Trading mode: ${m.text}. Change it in Settings.`}
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-bold tracking-wide ${m.className}`}
    >
      {me.data.tradingMode === "PERSONAL" ? <span aria-hidden="true" className="h-2 w-2 rounded-full bg-white" /> : null}
      {m.text}
    </Link>
  );
}
