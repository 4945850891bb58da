import Link from "next/link";
import type { RouterOutputs } from "~/trpc/react";

type Overview = RouterOutputs["dashboard"]["overview"];

/** Disabled or rejected keys, failed orders, positions without a stop: each with where to fix it. */
export function AttentionCard({ data }: { data: Overview }) {
  if (data.attention.length === 0)
    return (
      <section aria-labelledby="attention-title" data-testid="attention" className="rounded-xl border border-green-200 bg-green-50 p-5">
        <h2 id="attention-title" className="text-xs font-semibold uppercase tracking-wide text-green-900">Needs attention</h2>
        <p className="mt-1 text-sm text-green-900">Nothing needs your attention.</p>
      </section>
    );
  return (
    <section aria-labelledby="attention-title" data-testid="attention" className="rounded-xl border border-red-200 bg-red-50 p-5">
      <h2 id="attention-title" className="text-xs font-semibold uppercase tracking-wide text-red-900">Needs attention ({data.attention.length})</h2>
      <ul className="mt-2 space-y-2">
        {data.attention.map((a, i) => (
          <li key={`${a.kind}-${i}`} data-testid="attention-item" data-kind={a.kind} className="flex flex-wrap items-baseline justify-between gap-2 text-sm text-red-950">
            <span className="min-w-0 flex-1 break-words">{a.message}</span>
            <Link href={a.href} className="font-medium text-red-900 underline">Fix</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
