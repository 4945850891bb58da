"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TradingModeRow } from "~/server/admin/metrics";
import { CARD, SrTable, TIERS_ONLY, tierOrder } from "./chart-kit";

const MODES = [
  { key: "PERSONAL", label: "Personal (live)" },
  { key: "PAPER", label: "Paper" },
  { key: "OFF", label: "Off" },
] as const;

/** Metric 2: users by trading mode, one bar per tier in each mode. */
export function TradingModesCard({ rows }: { rows: TradingModeRow[] }) {
  const byTier = new Map(rows.map((r) => [r.tier, r]));
  const all = byTier.get("ALL");
  const data = MODES.map((m) => ({ mode: m.label, ...Object.fromEntries(TIERS_ONLY.map((s) => [s.key, byTier.get(s.key)?.[m.key] ?? 0])) }));
  const summary = MODES.map((m) => `${m.label} ${all?.[m.key] ?? 0} (${TIERS_ONLY.map((s) => `${s.label} ${byTier.get(s.key)?.[m.key] ?? 0}`).join(", ")})`).join("; ");

  return (
    <section aria-labelledby="metric-trading-modes-title" data-testid="metric-trading-modes" className={CARD}>
      <h2 id="metric-trading-modes-title" className="text-base font-semibold">Users by trading mode</h2>
      <p className="text-sm text-slate-600">Enabled accounts by their current mode, per tier.</p>
      <p className="mt-3 text-sm text-slate-700 tabular-nums">
        {MODES.map((m) => `${all?.[m.key] ?? 0} ${m.label.toLowerCase()}`).join(" · ")} of {all?.users ?? 0} users
      </p>
      <div role="img" aria-label={`Bar chart, users by trading mode and tier: ${summary}.`} className="mt-4 h-56">
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 400, height: 224 }}>
          <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="mode" tick={{ fontSize: 12 }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
            <Tooltip itemSorter={tierOrder} />
            <Legend itemSorter={tierOrder} />
            {TIERS_ONLY.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color} radius={[4, 4, 0, 0]} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <SrTable
        caption="Users by trading mode, by tier"
        columns={["Tier", ...MODES.map((m) => m.label), "Total"]}
        rows={rows.map((r) => ({ label: r.tier === "ALL" ? "All tiers" : r.tier, cells: [...MODES.map((m) => String(r[m.key])), String(r.users)] }))}
      />
    </section>
  );
}
