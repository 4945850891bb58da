/** Shared pieces of the metrics charts: tier colours, number formats and the screen-reader table. */
import type { Segment } from "~/server/admin/metrics";

export const TIER_SERIES: readonly { key: Segment; label: string; color: string; dash?: string }[] = [
  { key: "PRO", label: "PRO", color: "#1d4ed8" },
  { key: "FLEX", label: "FLEX", color: "#b45309" },
  { key: "TRIAL", label: "TRIAL", color: "#047857" },
  { key: "ALL", label: "All tiers", color: "#334155", dash: "5 4" },
];
export const TIERS_ONLY = TIER_SERIES.filter((s) => s.key !== "ALL");

/** Legend and tooltip items in tier order (PRO, FLEX, TRIAL, All) rather than recharts' alphabetical default. */
export function tierOrder(item: { dataKey?: unknown }): number {
  return TIER_SERIES.findIndex((s) => s.key === item.dataKey);
}

export const CARD = "rounded-xl border border-slate-200 bg-white p-5 shadow-sm";

const pctFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const msFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export type Unit = "%" | "ms";

export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v == null) return "no data";
  return unit === "%" ? `${pctFormat.format(v)}%` : `${msFormat.format(v)} ms`;
}

/** "Mar 08" from "2026-03-08" (UTC day, no time-zone shift). */
export function shortDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return d.toLocaleDateString("en-US", { month: "short", day: "2-digit", timeZone: "UTC" });
}

/** The numbers behind a chart, for screen readers (the chart itself is an image to them). */
export function SrTable({ caption, columns, rows }: { caption: string; columns: string[]; rows: { label: string; cells: string[] }[] }) {
  return (
    <table className="sr-only">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.label}</th>
            {r.cells.map((c, i) => (
              <td key={i}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
