"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Segment } from "~/server/admin/metrics";
import { CARD, SrTable, TIER_SERIES, formatValue, shortDay, tierOrder, type Unit } from "./chart-kit";

/** One value per UTC day and segment; null where there was nothing to measure. */
export interface DailyPoint {
  day: string;
  tier: Segment;
  value: number | null;
  /** The basis of the value, e.g. "3 of 4" or "5 samples", for the table and tooltip. */
  detail: string;
}

interface Props {
  id: string;
  testId: string;
  title: string;
  description: string;
  unit: Unit;
  points: DailyPoint[];
  emptyText: string;
}

/** Metrics 3-5: one line per tier plus a dashed "All tiers" line; gaps where a day has no data. */
export function DailyLineChart({ id, testId, title, description, unit, points, emptyText }: Props) {
  const days = [...new Set(points.map((p) => p.day))];
  const at = new Map(points.map((p) => [`${p.day}|${p.tier}`, p]));
  const data = days.map((day) => ({ day, ...Object.fromEntries(TIER_SERIES.map((s) => [s.key, at.get(`${day}|${s.key}`)?.value ?? null])) }));
  const latest = [...days].reverse().find((d) => at.get(`${d}|ALL`)?.value != null);
  const summary = latest
    ? `Latest day with data, ${shortDay(latest)}: ${TIER_SERIES.map((s) => `${s.label} ${formatValue(at.get(`${latest}|${s.key}`)?.value, unit)}`).join(", ")}.`
    : emptyText;
  const range = days.length ? `${shortDay(days[0]!)} to ${shortDay(days.at(-1)!)} (UTC)` : "";

  return (
    <section aria-labelledby={`${id}-title`} data-testid={testId} className={CARD}>
      <h2 id={`${id}-title`} className="text-base font-semibold">{title}</h2>
      <p className="text-sm text-slate-600">{description}</p>
      {!latest && <p className="mt-2 text-sm text-slate-500">{emptyText}</p>}
      <div role="img" aria-label={`Line chart, ${title}, ${range}. ${summary}`} className="mt-4 h-64">
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 800, height: 256 }}>
          <LineChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 0, left: unit === "ms" ? 8 : -16 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="day" tickFormatter={shortDay} tick={{ fontSize: 12 }} minTickGap={16} />
            <YAxis domain={unit === "%" ? [0, 100] : [0, "auto"]} unit={unit === "%" ? "%" : " ms"} tick={{ fontSize: 12 }} />
            <Tooltip
              itemSorter={tierOrder}
              labelFormatter={(d) => (typeof d === "string" ? shortDay(d) : String(d))}
              formatter={(v, _name, item) => {
                const p = at.get(`${String(item.payload?.day)}|${String(item.dataKey)}`);
                return `${formatValue(typeof v === "number" ? v : null, unit)}${p ? ` (${p.detail})` : ""}`;
              }}
            />
            <Legend itemSorter={tierOrder} />
            {TIER_SERIES.map((s) => (
              <Line
                key={s.key}
                type="linear"
                dataKey={s.key}
                name={s.label}
                stroke={s.color}
                strokeWidth={s.key === "ALL" ? 2.5 : 1.75}
                strokeDasharray={s.dash}
                dot={{ r: 3 }}
                connectNulls={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <SrTable
        caption={`${title}, per UTC day`}
        columns={["Day", ...TIER_SERIES.map((s) => s.label)]}
        rows={days.map((day) => ({
          label: day,
          cells: TIER_SERIES.map((s) => {
            const p = at.get(`${day}|${s.key}`);
            return p ? `${formatValue(p.value, unit)} (${p.detail})` : "no data";
          }),
        }))}
      />
    </section>
  );
}
