"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ActiveKeyRow } from "~/server/admin/metrics";
import { CARD, SrTable, TIERS_ONLY, formatValue, tierOrder } from "./chart-kit";

/** Metric 1: share of users with at least one ACTIVE key, overall and one bar per tier. */
export function ActiveKeysCard({ rows }: { rows: ActiveKeyRow[] }) {
  const byTier = new Map(rows.map((r) => [r.tier, r]));
  const all = byTier.get("ALL");
  const data = [{ name: "Users with an ACTIVE key", ...Object.fromEntries(TIERS_ONLY.map((s) => [s.key, byTier.get(s.key)?.pct ?? null])) }];
  const summary = [
    `Overall ${formatValue(all?.pct, "%")} of ${all?.users ?? 0} users`,
    ...TIERS_ONLY.map((s) => `${s.label} ${formatValue(byTier.get(s.key)?.pct, "%")}`),
  ].join(", ");

  return (
    <section aria-labelledby="metric-active-key-title" data-testid="metric-active-key-pct" className={CARD}>
      <h2 id="metric-active-key-title" className="text-base font-semibold">Users with an ACTIVE key</h2>
      <p className="text-sm text-slate-600">Enabled accounts with at least one verified, ACTIVE exchange key (current state).</p>
      <p className="mt-3 text-3xl font-semibold tabular-nums" data-testid="metric-active-key-pct-value">
        {formatValue(all?.pct, "%")}
        <span className="ml-2 text-sm font-normal text-slate-500">
          {all?.withActiveKey ?? 0} of {all?.users ?? 0} users
        </span>
      </p>
      <div role="img" aria-label={`Bar chart, users with an ACTIVE key by tier: ${summary}.`} className="mt-4 h-56">
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 400, height: 224 }}>
          <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="name" tick={{ fontSize: 12 }} />
            <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} />
            <Tooltip itemSorter={tierOrder} formatter={(v) => formatValue(typeof v === "number" ? v : null, "%")} />
            <Legend itemSorter={tierOrder} />
            {TIERS_ONLY.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color} radius={[4, 4, 0, 0]} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <SrTable
        caption="Users with an ACTIVE key, by tier"
        columns={["Tier", "Users", "With an ACTIVE key", "Share"]}
        rows={rows.map((r) => ({ label: r.tier === "ALL" ? "All tiers" : r.tier, cells: [String(r.users), String(r.withActiveKey), formatValue(r.pct, "%")] }))}
      />
    </section>
  );
}
