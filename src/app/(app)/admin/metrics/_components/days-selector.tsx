import Link from "next/link";

export const DAY_CHOICES = [7, 14, 30] as const;

/** Plain links (?days=N), so the window is in the URL and works without JavaScript. */
export function DaysSelector({ days }: { days: number }) {
  return (
    <nav aria-label="Time window" data-testid="metrics-days">
      <ul className="inline-flex rounded-lg border border-slate-300 bg-white p-0.5 text-sm">
        {DAY_CHOICES.map((d) => {
          const current = d === days;
          return (
            <li key={d}>
              <Link
                href={`/admin/metrics?days=${d}`}
                aria-current={current ? "page" : undefined}
                className={`block rounded-md px-3 py-1.5 font-medium focus:outline-none focus:ring-2 focus:ring-brand-500 ${current ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100"}`}
              >
                {d} days
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
