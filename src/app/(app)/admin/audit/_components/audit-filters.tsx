"use client";

import { usePathname, useRouter } from "next/navigation";
import { useRef } from "react";
import { BUTTON, INPUT, OUTCOMES, type FilterKey, type FilterValues, readValues, toQueryString } from "./audit-params";

const FIELDS: { key: FilterKey; label: string; placeholder?: string; type?: string }[] = [
  { key: "user", label: "User (email)", placeholder: "email or user id" },
  { key: "action", label: "Action", placeholder: "e.g. auth.login or admin.*" },
  { key: "outcome", label: "Outcome", type: "select" },
  { key: "targetType", label: "Target type" },
  { key: "targetId", label: "Target id" },
  { key: "ip", label: "IP" },
  { key: "from", label: "From", type: "datetime-local" },
  { key: "to", label: "To", type: "datetime-local" },
  { key: "q", label: "Search", placeholder: "free text", type: "search" },
];

/** Uncontrolled: the parent remounts it (key) whenever the URL's filter changes, so the fields follow the URL. */
export function AuditFilters({ values }: { values: FilterValues }) {
  const router = useRouter();
  const pathname = usePathname();
  const form = useRef<HTMLFormElement>(null);

  function apply(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const qs = toQueryString(readValues((k) => data.get(k)?.toString()));
    router.push(qs ? `${pathname}?${qs}` : pathname);
  }

  function clear() {
    form.current?.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select").forEach((el) => (el.value = ""));
    router.push(pathname);
  }

  return (
    <form ref={form} onSubmit={apply} role="search" aria-label="Audit filters" className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {FIELDS.map((f) => (
          <div key={f.key} className="min-w-0 space-y-1">
            <label htmlFor={`audit-${f.key}`} className="block text-sm font-medium text-slate-700">{f.label}</label>
            {f.type === "select" ? (
              <select id={`audit-${f.key}`} name={f.key} defaultValue={values[f.key] ?? ""} className={INPUT}>
                <option value="">Any</option>
                {OUTCOMES.map((o) => (
                  <option key={o} value={o}>{o}</option>
                ))}
              </select>
            ) : (
              <input id={`audit-${f.key}`} name={f.key} type={f.type ?? "text"} defaultValue={values[f.key] ?? ""} placeholder={f.placeholder} className={INPUT} />
            )}
          </div>
        ))}
      </div>
      <p className="text-xs text-slate-500">Action matches exactly; end it with * to match a prefix (admin.* finds every admin action). Times are in your time zone.</p>
      <div className="flex flex-wrap gap-2">
        <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500">
          Apply filters
        </button>
        <button type="button" onClick={clear} className={BUTTON}>
          Clear
        </button>
      </div>
    </form>
  );
}
