/**
 * The admins' view of the satisfaction prompt: average score and NPS over time and per tier, the
 * response rate and the latest comments. SQL aggregates (like admin/metrics.ts); buckets are UTC
 * weeks (Monday) for ranges up to WEEKLY_UP_TO_DAYS, else UTC months, zero-filled so a quiet
 * period shows as "no answers" rather than disappearing.
 *
 * NPS = % promoters (9-10) - % detractors (0-6), over answers (dismissals are not answers); null
 * where there are no answers. The response rate is answers / (answers + dismissals): a prompt that
 * was neither answered nor dismissed is not recorded, so it cannot be counted.
 */
import { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";

export const REPORT_MIN_DAYS = 7;
export const REPORT_MAX_DAYS = 730;
export const WEEKLY_UP_TO_DAYS = 90;
export const LATEST_COMMENTS = 50;
const DAY_MS = 86_400_000;

export type Segment = "PRO" | "FLEX" | "TRIAL" | "ALL";

export interface ScoreStats {
  answers: number;
  dismissals: number;
  /** Mean score, or null without answers. */
  average: number | null;
  promoters: number;
  detractors: number;
  /** -100..100, or null without answers. */
  nps: number | null;
}

export interface SatisfactionReport {
  window: { days: number; from: string; to: string; bucket: "week" | "month" };
  overTime: (ScoreStats & { start: string })[];
  perTier: (ScoreStats & { tier: Segment })[];
  /** answers / (answers + dismissals) in %, or null when nobody was asked. */
  responseRate: number | null;
  comments: { id: string; score: number; comment: string; tier: "PRO" | "FLEX" | "TRIAL"; createdAt: Date; userEmail: string }[];
}

type Row = { answers: bigint; dismissals: bigint; average: number | null; promoters: bigint; detractors: bigint };

const num = (v: bigint | number | null) => (v == null ? 0 : Number(v));

function stats(r: Row): ScoreStats {
  const answers = num(r.answers);
  const promoters = num(r.promoters);
  const detractors = num(r.detractors);
  return {
    answers,
    dismissals: num(r.dismissals),
    average: r.average == null ? null : Number(r.average),
    promoters,
    detractors,
    nps: answers ? ((promoters - detractors) * 100) / answers : null,
  };
}

const AGGREGATES = Prisma.sql`
  COUNT(r.id) FILTER (WHERE NOT r.dismissed) AS answers,
  COUNT(r.id) FILTER (WHERE r.dismissed) AS dismissals,
  AVG(r.score)::float8 AS average,
  COUNT(r.id) FILTER (WHERE r.score >= 9) AS promoters,
  COUNT(r.id) FILTER (WHERE r.score <= 6) AS detractors`;

export async function satisfactionReport(db: Db, opts: { days: number; asOf?: Date }): Promise<SatisfactionReport> {
  const { days } = opts;
  if (!Number.isInteger(days) || days < REPORT_MIN_DAYS || days > REPORT_MAX_DAYS)
    throw new AppError("BAD_INPUT", `days must be a whole number from ${REPORT_MIN_DAYS} to ${REPORT_MAX_DAYS}.`, { field: "days" });
  const asOf = opts.asOf ?? new Date();
  const today = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate());
  const from = new Date(today - (days - 1) * DAY_MS);
  const to = new Date(today + DAY_MS);
  const bucket = days <= WEEKLY_UP_TO_DAYS ? "week" : "month";
  // Literal units only (never user text) go into the SQL.
  const unit = Prisma.raw(`'${bucket}'`);
  const step = Prisma.raw(`'1 ${bucket}'`);
  const fromTs = Prisma.sql`${from.toISOString()}::timestamptz AT TIME ZONE 'UTC'`;
  const toTs = Prisma.sql`${to.toISOString()}::timestamptz AT TIME ZONE 'UTC'`;

  const [overTime, perTier, comments] = await Promise.all([
    db.$queryRaw<(Row & { start: string })[]>`
      SELECT to_char(b.start, 'YYYY-MM-DD') AS start, ${AGGREGATES}
      FROM generate_series(date_trunc(${unit}, ${fromTs}), date_trunc(${unit}, ${toTs} - interval '1 millisecond'), ${step}::interval) AS b(start)
      LEFT JOIN "SatisfactionResponse" r
        ON date_trunc(${unit}, r."createdAt") = b.start AND r."createdAt" >= ${fromTs} AND r."createdAt" < ${toTs}
      GROUP BY b.start
      ORDER BY b.start`,
    db.$queryRaw<(Row & { tier: Segment })[]>`
      SELECT CASE WHEN GROUPING(t.tier) = 1 THEN 'ALL' ELSE t.tier::text END AS tier, ${AGGREGATES}
      FROM unnest(enum_range(NULL::"Tier")) AS t(tier)
      LEFT JOIN "SatisfactionResponse" r ON r.tier = t.tier AND r."createdAt" >= ${fromTs} AND r."createdAt" < ${toTs}
      GROUP BY ROLLUP (t.tier)
      ORDER BY GROUPING(t.tier), t.tier`,
    db.satisfactionResponse.findMany({
      where: { comment: { not: null }, dismissed: false, createdAt: { gte: from, lt: to } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: LATEST_COMMENTS,
      select: { id: true, score: true, comment: true, tier: true, createdAt: true, user: { select: { email: true } } },
    }),
  ]);

  const tiers = perTier.map((r) => ({ tier: r.tier, ...stats(r) }));
  const all = tiers.find((t) => t.tier === "ALL");
  const asked = (all?.answers ?? 0) + (all?.dismissals ?? 0);
  return {
    window: { days, from: from.toISOString().slice(0, 10), to: new Date(to.getTime() - DAY_MS).toISOString().slice(0, 10), bucket },
    overTime: overTime.map((r) => ({ start: r.start, ...stats(r) })),
    perTier: tiers,
    responseRate: asked ? ((all?.answers ?? 0) * 100) / asked : null,
    comments: comments.map((c) => ({ id: c.id, score: c.score ?? 0, comment: c.comment ?? "", tier: c.tier, createdAt: c.createdAt, userEmail: c.user.email })),
  };
}
