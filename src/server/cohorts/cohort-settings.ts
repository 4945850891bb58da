/**
 * The live-trading cohort (one LiveCohort row): read it, check a user against it, change it.
 * A change that shrinks it moves every PERSONAL user no longer allowed to PAPER in the same
 * transaction, with an audit row and a notification each: never silently.
 *
 * Locking, so a user cannot slip through while the cohort shrinks: whoever checks the cohort to let
 * someone trade live holds the row FOR SHARE until commit; a change takes it FOR UPDATE first, then
 * moves users. Both take the cohort row before any user row, so they cannot deadlock.
 */
import type { Prisma } from "~/generated/prisma/client";
import type { Tier } from "~/generated/prisma/enums";
import { writeAudit } from "~/server/audit/write-audit";
import { canTradeLive, describeCohort, movedToPaperMessage, normaliseTiers, OPEN_TO_EVERYONE, refusalMessage, type Cohort } from "~/server/cohorts/cohort-rules";
import type { CohortInput } from "~/server/cohorts/cohort-input";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec } from "~/server/jobs/job-types";
import { notifyMany, withNotifications } from "~/server/notifications/notify";

type Tx = Prisma.TransactionClient;

/** Who changes something: an admin (actorId) or the operator CLI (actorId null, actorEmail "operator-cli"). */
export interface CohortActor {
  db: Db;
  jobs: JobSink | null;
  actorId: string | null;
  actorEmail?: string | null;
  meta: RequestMeta | null;
}

export interface CohortView extends Cohort {
  description: string;
  updatedAt: Date | null;
}

const asCohort = (row: { everyone: boolean; tiers: readonly string[] | null } | null | undefined): Cohort =>
  row ? { everyone: row.everyone, tiers: normaliseTiers((row.tiers ?? []) as Tier[]) } : OPEN_TO_EVERYONE;

/** The cohort now; without its row (never expected: the migration adds it) live trading is open to everyone. */
export async function getCohort(db: Pick<Db, "liveCohort">): Promise<CohortView> {
  const row = await db.liveCohort.findUnique({ where: { id: 1 } });
  const cohort = asCohort(row);
  return { ...cohort, description: describeCohort(cohort), updatedAt: row?.updatedAt ?? null };
}

/** The cohort, its row locked until the transaction ends (SHARE: to let someone in; UPDATE: to change it). */
export async function lockCohort(tx: Tx, mode: "SHARE" | "UPDATE"): Promise<Cohort> {
  const rows = await tx.$queryRawUnsafe<{ everyone: boolean; tiers: string[] | null }[]>(
    `SELECT everyone, tiers::text[] AS tiers FROM "LiveCohort" WHERE id = 1 FOR ${mode === "SHARE" ? "SHARE" : "UPDATE"}`,
  );
  return asCohort(rows[0]);
}

/**
 * Throws FORBIDDEN (with the reason and how to ask) unless the user may trade live now. Inside a
 * transaction it locks the cohort and the user (see the header), so the answer holds until commit.
 */
export async function assertMayTradeLive(db: Db | Tx, userId: string, opts: { lock?: boolean } = {}): Promise<void> {
  let cohort: Cohort;
  let user: { tier: Tier; liveAccess: boolean } | undefined;
  if (opts.lock) {
    const tx = db as Tx;
    cohort = await lockCohort(tx, "SHARE");
    const rows = await tx.$queryRawUnsafe<{ tier: Tier; liveAccess: boolean }[]>(`SELECT tier::text AS tier, "liveAccess" FROM "User" WHERE id = $1 FOR UPDATE`, userId);
    user = rows[0];
  } else {
    cohort = await getCohort(db);
    user = (await db.user.findUnique({ where: { id: userId }, select: { tier: true, liveAccess: true } })) ?? undefined;
  }
  if (!user) throw new AppError("NOT_FOUND", "No such user.");
  if (!canTradeLive(user, cohort)) {
    throw new AppError("FORBIDDEN", refusalMessage(cohort), { field: "mode", details: { reason: "outside_live_cohort", cohort: describeCohort(cohort) } });
  }
}

export const isCohortRefusal = (err: unknown): err is AppError => err instanceof AppError && err.code === "FORBIDDEN" && err.details?.reason === "outside_live_cohort";

export type MoveReason = "cohort_changed" | "beta_list_removed" | "tier_changed";

/**
 * For users just moved from PERSONAL to PAPER: one user.trading_mode audit row and one notification
 * each (kind LIVE_ACCESS_CHANGED). Returns the delivery jobs to hand to `jobs.afterCommit`.
 */
export async function recordMovedToPaper(tx: Tx, actor: Omit<CohortActor, "db">, users: readonly { id: string }[], cohort: Cohort, reason: MoveReason): Promise<JobSpec[]> {
  if (users.length === 0) return [];
  for (const u of users) {
    await writeAudit(tx, {
      action: "user.trading_mode",
      outcome: "SUCCESS",
      actorId: actor.actorId,
      actorEmail: actor.actorEmail ?? null,
      targetType: "user",
      targetId: u.id,
      meta: actor.meta,
      details: { from: "PERSONAL", to: "PAPER", reason, cohort: describeCohort(cohort) },
    });
  }
  const message = movedToPaperMessage(cohort);
  const n = await notifyMany(
    tx,
    actor.jobs,
    users.map((u) => ({ userId: u.id, kind: "LIVE_ACCESS_CHANGED" as const, message, details: { from: "PERSONAL", to: "PAPER", reason } })),
  );
  return n.after;
}

/** The PERSONAL users a cohort would leave out (for the admin's confirmation: "N live users would be moved to PAPER"). */
export function outsideWhere(cohort: Cohort): Prisma.UserWhereInput | null {
  if (cohort.everyone) return null;
  return { tradingMode: "PERSONAL", liveAccess: false, tier: { notIn: cohort.tiers } };
}

export async function previewCohort(db: Pick<Db, "user">, input: CohortInput): Promise<{ description: string; wouldMoveToPaper: number }> {
  const next = cohortOf(input);
  const where = outsideWhere(next);
  return { description: describeCohort(next), wouldMoveToPaper: where ? await db.user.count({ where }) : 0 };
}

const cohortOf = (input: CohortInput): Cohort => (input.everyone ? OPEN_TO_EVERYONE : { everyone: false, tiers: normaliseTiers(input.tiers) });

export interface CohortChange {
  before: Cohort;
  cohort: CohortView;
  movedToPaper: { id: string; email: string }[];
}

/** Sets the cohort (audited); every PERSONAL user it leaves out is moved to PAPER and told, in the same transaction. */
export async function updateCohort(ctx: CohortActor, input: CohortInput): Promise<CohortChange> {
  const next = cohortOf(input);
  return withNotifications(ctx.db, ctx.jobs, async (tx, after) => {
    const before = await lockCohort(tx, "UPDATE");
    const row = await tx.liveCohort.upsert({
      where: { id: 1 },
      create: { id: 1, everyone: next.everyone, tiers: next.tiers, updatedById: ctx.actorId },
      update: { everyone: next.everyone, tiers: next.tiers, updatedById: ctx.actorId },
    });
    const where = outsideWhere(next);
    const moved = where ? await tx.user.updateManyAndReturn({ where, data: { tradingMode: "PAPER" }, select: { id: true, email: true } }) : [];
    after.push(...(await recordMovedToPaper(tx, ctx, moved, next, "cohort_changed")));
    await writeAudit(tx, {
      action: "cohort.update",
      outcome: "SUCCESS",
      actorId: ctx.actorId,
      actorEmail: ctx.actorEmail ?? null,
      targetType: "live_cohort",
      targetId: "1",
      meta: ctx.meta,
      details: { from: { ...before }, to: { ...next }, description: describeCohort(next), movedToPaper: moved.length, movedUserIds: moved.slice(0, 500).map((u) => u.id) },
    });
    return { before, cohort: { ...next, description: describeCohort(next), updatedAt: row.updatedAt }, movedToPaper: moved };
  });
}
