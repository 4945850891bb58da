/** The audit filter as it lives in the URL query string, and its translations for tRPC and the CSV export. */
import { useSyncExternalStore } from "react";
import type { RouterInputs } from "~/trpc/react";

export const FILTER_KEYS = ["user", "action", "outcome", "targetType", "targetId", "ip", "from", "to", "q"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type FilterValues = Partial<Record<FilterKey, string>>;
export const OUTCOMES = ["SUCCESS", "FAILURE", "DENIED"] as const;
type Outcome = (typeof OUTCOMES)[number];
type AuditFilter = NonNullable<RouterInputs["admin"]["auditList"]["filter"]>;

/** Non-empty, trimmed filter values from URL params or form data. */
export function readValues(get: (key: FilterKey) => string | null | undefined): FilterValues {
  const out: FilterValues = {};
  for (const k of FILTER_KEYS) {
    const v = get(k)?.trim();
    if (v) out[k] = v;
  }
  if (out.outcome && !(OUTCOMES as readonly string[]).includes(out.outcome)) delete out.outcome;
  return out;
}

export function toQueryString(values: FilterValues): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) if (values[k]) p.set(k, values[k]);
  return p.toString();
}

/**
 * A datetime-local value ("2026-01-31T14:05") read in the browser's time zone. "To" covers its whole
 * minute, since the input cannot name seconds: To 14:05 includes an event at 14:05:30.
 */
export function localDate(v: string | undefined, endOfMinute = false): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return undefined;
  return endOfMinute && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? new Date(d.getTime() + 59_999) : d;
}

export function toFilter(v: FilterValues): AuditFilter {
  return {
    user: v.user,
    action: v.action,
    outcome: v.outcome as Outcome | undefined,
    targetType: v.targetType,
    targetId: v.targetId,
    ip: v.ip,
    from: localDate(v.from),
    to: localDate(v.to, true),
    q: v.q,
  };
}

/** The CSV export of the same filter; dates go out as ISO instants once the browser's time zone is known. */
export function csvHref(v: FilterValues, inBrowser: boolean): string {
  const out = { ...v };
  if (inBrowser) {
    out.from = localDate(v.from)?.toISOString();
    out.to = localDate(v.to, true)?.toISOString();
  }
  const qs = toQueryString(out);
  return `/api/admin/audit.csv${qs ? `?${qs}` : ""}`;
}

const noSubscribe = () => () => {};
/** False during server render and hydration, true after: keeps time-zone-dependent output out of the HTML. */
export function useInBrowser(): boolean {
  return useSyncExternalStore(noSubscribe, () => true, () => false);
}

export const INPUT = "block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
export const BUTTON = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 disabled:opacity-60";
