/**
 * Admin metrics, each one SQL aggregate (GROUP BY / ROLLUP / GROUPING SETS, COUNT FILTER,
 * percentile_cont, date_trunc) so no rows are loaded into memory, and each split by tier with an
 * extra "ALL" segment for the whole population.
 *
 * - Metrics 1 and 2 are snapshots of the current accounts (disabled accounts left out).
 * - Metrics 3, 4 and 5 are per UTC day over a window of `days` days ending with the UTC day of
 *   `asOf`. The window is zero-filled with generate_series: every day x segment row exists, counts
 *   are 0 where nothing happened, and the rate / median is null there (undefined, not 0 %).
 *
 * Timestamps are TIMESTAMP(3) without time zone holding UTC, so date_trunc('day', col) is the UTC
 * day; window bounds are passed as ISO strings and turned into UTC timestamps in SQL.
 */
import { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/db";
import { ATTEMPTED, sqlList, SUCCEEDED } from "~/server/engine/execution-state";
import { AppError } from "~/server/errors";

export const TIERS = ["PRO", "FLEX", "TRIAL"] as const;
export const SEGMENTS = [...TIERS, "ALL"] as const;
export type Tier = (typeof TIERS)[number];
/** A tier, or "ALL" for every tier together. */
export type Segment = (typeof SEGMENTS)[number];

export const MIN_DAYS = 1;
export const MAX_DAYS = 90;
const DAY_MS = 86_400_000;

export interface ActiveKeyRow {
  tier: Segment;
  users: number;
  withActiveKey: number;
  /** 0..100; null when the segment has no users. */
  pct: number | null;
}

export interface TradingModeRow {
  tier: Segment;
  users: number;
  PERSONAL: number;
  PAPER: number;
  OFF: number;
}

export interface ExecutionSuccessRow {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  tier: Segment;
  succeeded: number;
  /** Attempted live orders: succeeded + refused or failed (execution-state.ts ATTEMPTED). */
  total: number;
  /** 0..100; null when total is 0. */
  pct: number | null;
}

export interface KeyCheckFailureRow {
  day: string;
  tier: Segment;
  failed: number;
  total: number;
  /** 0..100; null when total is 0. */
  pct: number | null;
}

export interface LatencyRow {
  day: string;
  tier: Segment;
  samples: number;
  /** Median of ackAt - signal receivedAt in milliseconds; null when there are no samples. */
  medianMs: number | null;
}

export interface MetricsWindow {
  days: number;
  /** First UTC midnight in the window (inclusive). */
  from: Date;
  /** The UTC midnight after the last day (exclusive). */
  to: Date;
}

export interface MetricsDashboard {
  window: { days: number; from: string; to: string };
  activeKeys: ActiveKeyRow[];
  tradingModes: TradingModeRow[];
  executionSuccess: ExecutionSuccessRow[];
  keyCheckFailures: KeyCheckFailureRow[];
  latency: LatencyRow[];
}

/** [from, to): `days` whole UTC days, the last one being asOf's UTC day. */
export function metricsWindow(days: number, asOf: Date = new Date()): MetricsWindow {
  if (!Number.isInteger(days) || days < MIN_DAYS || days > MAX_DAYS) {
    throw new AppError("BAD_INPUT", `days must be a whole number from ${MIN_DAYS} to ${MAX_DAYS}.`, { field: "days" });
  }
  const today = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate());
  return { days, from: new Date(today - (days - 1) * DAY_MS), to: new Date(today + DAY_MS) };
}

/** COUNT(*) comes back as bigint; float8 as number; NULL stays null. */
function num(v: bigint | number | null | undefined): number {
  return v == null ? 0 : Number(v);
}
function numOrNull(v: bigint | number | null | undefined): number | null {
  return v == null ? null : Number(v);
}

// 1. Share of (enabled) users with at least one ACTIVE key, any exchange or environment.
export async function activeKeyShare(db: Db): Promise<ActiveKeyRow[]> {
  const rows = await db.$queryRaw<{ tier: Segment; users: bigint; with_active_key: bigint; pct: number | null }[]>`
    SELECT CASE WHEN GROUPING(t.tier) = 1 THEN 'ALL' ELSE t.tier::text END AS tier,
           COUNT(u.id) AS users,
           COUNT(k."userId") AS with_active_key,
           COUNT(k."userId")::float8 * 100 / NULLIF(COUNT(u.id), 0) AS pct
    FROM unnest(enum_range(NULL::"Tier")) AS t(tier)
    LEFT JOIN "User" u ON u.tier = t.tier AND u."disabledAt" IS NULL
    LEFT JOIN (SELECT DISTINCT "userId" FROM "ExchangeCredential" WHERE status = 'ACTIVE') k ON k."userId" = u.id
    GROUP BY ROLLUP (t.tier)
    ORDER BY GROUPING(t.tier), t.tier`;
  return rows.map((r) => ({ tier: r.tier, users: num(r.users), withActiveKey: num(r.with_active_key), pct: numOrNull(r.pct) }));
}

// 2. Enabled users by trading mode, per tier.
export async function tradingModeCounts(db: Db): Promise<TradingModeRow[]> {
  const rows = await db.$queryRaw<{ tier: Segment; users: bigint; personal: bigint; paper: bigint; off: bigint }[]>`
    SELECT CASE WHEN GROUPING(t.tier) = 1 THEN 'ALL' ELSE t.tier::text END AS tier,
           COUNT(u.id) AS users,
           COUNT(u.id) FILTER (WHERE u."tradingMode" = 'PERSONAL') AS personal,
           COUNT(u.id) FILTER (WHERE u."tradingMode" = 'PAPER') AS paper,
           COUNT(u.id) FILTER (WHERE u."tradingMode" = 'OFF') AS off
    FROM unnest(enum_range(NULL::"Tier")) AS t(tier)
    LEFT JOIN "User" u ON u.tier = t.tier AND u."disabledAt" IS NULL
    GROUP BY ROLLUP (t.tier)
    ORDER BY GROUPING(t.tier), t.tier`;
  return rows.map((r) => ({ tier: r.tier, users: num(r.users), PERSONAL: num(r.personal), PAPER: num(r.paper), OFF: num(r.off) }));
}

// 3. Live execution success rate per UTC day of queuedAt, by the tier recorded on the execution:
//    SUCCEEDED out of ATTEMPTED (skipped and in-flight executions are left out).
const attempted = Prisma.raw(sqlList(ATTEMPTED));
const succeeded = Prisma.raw(sqlList(SUCCEEDED));

export async function executionSuccessByDay(db: Db, w: MetricsWindow): Promise<ExecutionSuccessRow[]> {
  const from = w.from.toISOString();
  const to = w.to.toISOString();
  const rows = await db.$queryRaw<{ day: string; tier: Segment; succeeded: bigint; total: bigint; pct: number | null }[]>`
    WITH bounds AS (
      SELECT (${from}::timestamptz AT TIME ZONE 'UTC') AS lo, (${to}::timestamptz AT TIME ZONE 'UTC') AS hi
    ),
    grid AS (
      SELECT d AS day, s.segment, s.ord
      FROM bounds, generate_series(bounds.lo, bounds.hi - interval '1 day', interval '1 day') AS d
      CROSS JOIN unnest(ARRAY['PRO', 'FLEX', 'TRIAL', 'ALL']) WITH ORDINALITY AS s(segment, ord)
    ),
    settled AS (
      SELECT date_trunc('day', e."queuedAt") AS day, e.tier, e.status
      FROM "Execution" e, bounds
      WHERE NOT e.paper
        AND e.status IN ${attempted}
        AND e."queuedAt" >= bounds.lo AND e."queuedAt" < bounds.hi
    ),
    agg AS (
      SELECT day,
             CASE WHEN GROUPING(tier) = 1 THEN 'ALL' ELSE tier::text END AS segment,
             COUNT(*) FILTER (WHERE status IN ${succeeded}) AS succeeded,
             COUNT(*) AS total
      FROM settled
      GROUP BY GROUPING SETS ((day, tier), (day))
    )
    SELECT to_char(g.day, 'YYYY-MM-DD') AS day, g.segment AS tier,
           COALESCE(a.succeeded, 0) AS succeeded, COALESCE(a.total, 0) AS total,
           a.succeeded::float8 * 100 / NULLIF(a.total, 0) AS pct
    FROM grid g LEFT JOIN agg a ON a.day = g.day AND a.segment = g.segment
    ORDER BY g.day, g.ord`;
  return rows.map((r) => ({ day: r.day, tier: r.tier, succeeded: num(r.succeeded), total: num(r.total), pct: numOrNull(r.pct) }));
}

// 4. Key verification failure rate per UTC day of the check, by the key owner's current tier.
export async function keyCheckFailuresByDay(db: Db, w: MetricsWindow): Promise<KeyCheckFailureRow[]> {
  const from = w.from.toISOString();
  const to = w.to.toISOString();
  const rows = await db.$queryRaw<{ day: string; tier: Segment; failed: bigint; total: bigint; pct: number | null }[]>`
    WITH bounds AS (
      SELECT (${from}::timestamptz AT TIME ZONE 'UTC') AS lo, (${to}::timestamptz AT TIME ZONE 'UTC') AS hi
    ),
    grid AS (
      SELECT d AS day, s.segment, s.ord
      FROM bounds, generate_series(bounds.lo, bounds.hi - interval '1 day', interval '1 day') AS d
      CROSS JOIN unnest(ARRAY['PRO', 'FLEX', 'TRIAL', 'ALL']) WITH ORDINALITY AS s(segment, ord)
    ),
    checks AS (
      SELECT date_trunc('day', c."createdAt") AS day, u.tier, c.ok
      FROM "CredentialCheck" c JOIN "User" u ON u.id = c."userId", bounds
      WHERE c."createdAt" >= bounds.lo AND c."createdAt" < bounds.hi
    ),
    agg AS (
      SELECT day,
             CASE WHEN GROUPING(tier) = 1 THEN 'ALL' ELSE tier::text END AS segment,
             COUNT(*) FILTER (WHERE NOT ok) AS failed,
             COUNT(*) AS total
      FROM checks
      GROUP BY GROUPING SETS ((day, tier), (day))
    )
    SELECT to_char(g.day, 'YYYY-MM-DD') AS day, g.segment AS tier,
           COALESCE(a.failed, 0) AS failed, COALESCE(a.total, 0) AS total,
           a.failed::float8 * 100 / NULLIF(a.total, 0) AS pct
    FROM grid g LEFT JOIN agg a ON a.day = g.day AND a.segment = g.segment
    ORDER BY g.day, g.ord`;
  return rows.map((r) => ({ day: r.day, tier: r.tier, failed: num(r.failed), total: num(r.total), pct: numOrNull(r.pct) }));
}

// 5. Median webhook-to-order latency (ackAt - Signal.receivedAt) of live executions, per UTC day
//    the signal was received, by the tier recorded on the execution.
export async function latencyByDay(db: Db, w: MetricsWindow): Promise<LatencyRow[]> {
  const from = w.from.toISOString();
  const to = w.to.toISOString();
  const rows = await db.$queryRaw<{ day: string; tier: Segment; samples: bigint; median_ms: number | null }[]>`
    WITH bounds AS (
      SELECT (${from}::timestamptz AT TIME ZONE 'UTC') AS lo, (${to}::timestamptz AT TIME ZONE 'UTC') AS hi
    ),
    grid AS (
      SELECT d AS day, s.segment, s.ord
      FROM bounds, generate_series(bounds.lo, bounds.hi - interval '1 day', interval '1 day') AS d
      CROSS JOIN unnest(ARRAY['PRO', 'FLEX', 'TRIAL', 'ALL']) WITH ORDINALITY AS s(segment, ord)
    ),
    acked AS (
      SELECT date_trunc('day', s."receivedAt") AS day, e.tier,
             (EXTRACT(EPOCH FROM (e."ackAt" - s."receivedAt")) * 1000)::float8 AS ms
      FROM "Execution" e JOIN "Signal" s ON s.id = e."signalId", bounds
      WHERE NOT e.paper AND e."ackAt" IS NOT NULL
        AND s."receivedAt" >= bounds.lo AND s."receivedAt" < bounds.hi
    ),
    agg AS (
      SELECT day,
             CASE WHEN GROUPING(tier) = 1 THEN 'ALL' ELSE tier::text END AS segment,
             COUNT(*) AS samples,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median_ms
      FROM acked
      GROUP BY GROUPING SETS ((day, tier), (day))
    )
    SELECT to_char(g.day, 'YYYY-MM-DD') AS day, g.segment AS tier,
           COALESCE(a.samples, 0) AS samples, a.median_ms
    FROM grid g LEFT JOIN agg a ON a.day = g.day AND a.segment = g.segment
    ORDER BY g.day, g.ord`;
  return rows.map((r) => ({ day: r.day, tier: r.tier, samples: num(r.samples), medianMs: numOrNull(r.median_ms) }));
}

/** Every metric for the dashboard; the five queries run concurrently. */
export async function getMetricsDashboard(db: Db, opts: { days: number; asOf?: Date }): Promise<MetricsDashboard> {
  const w = metricsWindow(opts.days, opts.asOf);
  const [activeKeys, tradingModes, executionSuccess, keyCheckFailures, latency] = await Promise.all([
    activeKeyShare(db),
    tradingModeCounts(db),
    executionSuccessByDay(db, w),
    keyCheckFailuresByDay(db, w),
    latencyByDay(db, w),
  ]);
  return {
    window: { days: w.days, from: w.from.toISOString().slice(0, 10), to: new Date(w.to.getTime() - DAY_MS).toISOString().slice(0, 10) },
    activeKeys,
    tradingModes,
    executionSuccess,
    keyCheckFailures,
    latency,
  };
}
