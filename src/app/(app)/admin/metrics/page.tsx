import { api, requireAccount } from "~/trpc/server";
import { ActiveKeysCard } from "./_components/active-keys-card";
import { DailyLineChart } from "./_components/daily-line-chart";
import { DAY_CHOICES, DaysSelector } from "./_components/days-selector";
import { SatisfactionCard } from "./_components/satisfaction-card";
import { TradingModesCard } from "./_components/trading-modes-card";
import { UnprotectedPositionsCard } from "./_components/unprotected-positions-card";

const DEFAULT_DAYS = 14;

function parseDays(raw: string | string[] | undefined): number {
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return (DAY_CHOICES as readonly number[]).includes(n) ? n : DEFAULT_DAYS;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export default async function AdminMetricsPage({ searchParams }: { searchParams: Promise<{ days?: string | string[] }> }) {
  await requireAccount("/admin/metrics", "admin");
  const days = parseDays((await searchParams).days);
  const m = await api.metrics.dashboard({ days }); // audited by the procedure, as when the browser asks
  const unprotected = await api.metrics.unprotected();
  // A year by month whatever the window above: the prompt comes at most monthly, so 7-30 days say little.
  const satisfaction = await api.satisfaction.report({ days: 365 });

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Metrics</h1>
          <p className="text-sm text-slate-600">
            Accounts now, and live trading per UTC day from {m.window.from} to {m.window.to}, split by tier.
          </p>
        </div>
        <DaysSelector days={days} />
      </div>

      <div className="grid gap-6 lg:grid-cols-2">
        <ActiveKeysCard rows={m.activeKeys} />
        <TradingModesCard rows={m.tradingModes} />
      </div>

      <UnprotectedPositionsCard data={unprotected} />

      <SatisfactionCard report={satisfaction} />

      <DailyLineChart
        id="metric-execution-success"
        testId="metric-execution-success"
        title="Live execution success rate"
        description="Live orders (not paper) submitted, filled or partly filled, out of those plus rejected and failed; skipped and in-flight orders are left out. By the day the order was queued."
        unit="%"
        emptyText="No settled live orders in this window."
        points={m.executionSuccess.map((r) => ({ day: r.day, tier: r.tier, value: r.pct, detail: `${r.succeeded} of ${r.total}` }))}
      />
      <DailyLineChart
        id="metric-key-check-failures"
        testId="metric-key-check-failures"
        title="Key verification failure rate"
        description="Failed exchange-key checks out of all checks, by the key owner's current tier."
        unit="%"
        emptyText="No key checks in this window."
        points={m.keyCheckFailures.map((r) => ({ day: r.day, tier: r.tier, value: r.pct, detail: `${r.failed} of ${r.total} failed` }))}
      />
      <DailyLineChart
        id="metric-latency"
        testId="metric-latency"
        title="Median webhook-to-order latency"
        description="Median time from receiving the TradingView alert to the exchange acknowledging the live order, by the day the alert arrived."
        unit="ms"
        emptyText="No acknowledged live orders in this window."
        points={m.latency.map((r) => ({ day: r.day, tier: r.tier, value: r.medianMs, detail: plural(r.samples, "order") }))}
      />
    </div>
  );
}
