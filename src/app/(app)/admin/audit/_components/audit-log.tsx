"use client";

import { useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { AuditFilters } from "./audit-filters";
import { csvHref, readValues, toFilter, toQueryString, useInBrowser } from "./audit-params";
import { AuditTable } from "./audit-table";
import { VerifyChain } from "./verify-chain";

/** The filter lives in the URL (shareable, survives reload); the form, the table and the export all read it from there. */
export function AuditLog() {
  const params = useSearchParams();
  const inBrowser = useInBrowser();
  const values = useMemo(() => readValues((k) => params.get(k)), [params]);
  const qs = toQueryString(values);
  const filter = useMemo(() => toFilter(values), [values]);

  return (
    <div className="space-y-4">
      <AuditFilters key={qs} values={values} />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <VerifyChain />
        <a
          href={csvHref(values, inBrowser)}
          download
          className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
        >
          Export CSV
        </a>
      </div>
      <AuditTable filter={filter} />
    </div>
  );
}
