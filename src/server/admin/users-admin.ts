/** Admin operations on accounts: list with key status and last activity, tier changes, disable. */
import { z } from "zod";
import { writeAudit } from "~/server/audit/write-audit";
import { canTradeLive } from "~/server/cohorts/cohort-rules";
import { lockCohort, recordMovedToPaper } from "~/server/cohorts/cohort-settings";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import type { JobSink } from "~/server/jobs/job-sink";
import { withNotifications } from "~/server/notifications/notify";

export const usersListInput = z.object({ q: z.string().trim().max(254).optional(), cursor: z.string().nullish(), limit: z.number().int().min(1).max(200).default(50) });

export async function listUsers(db: Db, input: z.infer<typeof usersListInput>) {
  const where = input.q ? { OR: [{ email: { contains: input.q, mode: "insensitive" as const } }, { name: { contains: input.q, mode: "insensitive" as const } }] } : {};
  const users = await db.user.findMany({
    where,
    orderBy: { createdAt: "desc" },
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    include: { credentials: { select: { exchange: true, environment: true, status: true } } },
  });
  const page = users.slice(0, input.limit);
  const ids = page.map((u) => u.id);
  const activity = ids.length
    ? await db.$queryRawUnsafe<{ actorId: string; last: Date }[]>(`SELECT "actorId", max("createdAt") AS last FROM "AuditLog" WHERE "actorId" = ANY($1::text[]) GROUP BY 1`, ids)
    : [];
  const last = new Map(activity.map((a) => [a.actorId, a.last]));
  return {
    items: page.map((u) => ({
      id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      tier: u.tier,
      trialEndsAt: u.trialEndsAt,
      tradingMode: u.tradingMode,
      liveAccess: u.liveAccess,
      disabled: u.disabledAt !== null,
      createdAt: u.createdAt,
      lastActivityAt: last.get(u.id) ?? null,
      keys: u.credentials.map((c) => ({ exchange: c.exchange, environment: c.environment, status: c.status })),
    })),
    nextCursor: users.length > input.limit ? page.at(-1)!.id : null,
  };
}

export const setTierInput = z.object({
  userId: z.string(),
  tier: z.enum(["PRO", "FLEX", "TRIAL"]),
  trialEndsAt: z.coerce.date({ error: "trialEndsAt must be a date" }).nullable().optional(),
});

/** Changes a tier (audited); a live user the new tier leaves outside the live-trading cohort is moved to PAPER and told. */
export async function setTier(db: Db, actor: { id: string; meta: RequestMeta | null; jobs?: JobSink | null }, input: z.infer<typeof setTierInput>) {
  if (input.tier === "TRIAL" && !input.trialEndsAt) throw new AppError("BAD_INPUT", "A TRIAL needs an end date.", { field: "trialEndsAt" });
  const jobs = actor.jobs ?? null;
  return withNotifications(db, jobs, async (tx, after) => {
    const cohort = await lockCohort(tx, "SHARE");
    const before = await tx.user.findUnique({ where: { id: input.userId }, select: { tier: true, trialEndsAt: true, tradingMode: true, liveAccess: true } });
    if (!before) throw new AppError("NOT_FOUND", "No such user.");
    const trialEndsAt = input.tier === "TRIAL" ? input.trialEndsAt! : null;
    const leaves = before.tradingMode === "PERSONAL" && !canTradeLive({ tier: input.tier, liveAccess: before.liveAccess }, cohort);
    await tx.user.update({ where: { id: input.userId }, data: { tier: input.tier, trialEndsAt, ...(leaves ? { tradingMode: "PAPER" as const } : {}) } });
    await writeAudit(tx, {
      action: "admin.user.tier",
      outcome: "SUCCESS",
      actorId: actor.id,
      targetType: "user",
      targetId: input.userId,
      meta: actor.meta,
      details: { from: before.tier, to: input.tier, trialEndsAt: trialEndsAt?.toISOString() ?? null, ...(leaves ? { movedToPaper: true } : {}) },
    });
    if (leaves) after.push(...(await recordMovedToPaper(tx, { jobs, actorId: actor.id, meta: actor.meta }, [{ id: input.userId }], cohort, "tier_changed")));
    return { id: input.userId, tier: input.tier, trialEndsAt };
  });
}

export async function setDisabled(db: Db, actor: { id: string; meta: RequestMeta | null }, input: { userId: string; disabled: boolean }) {
  if (input.userId === actor.id && input.disabled) throw new AppError("BAD_INPUT", "You cannot disable your own account.", { field: "userId" });
  return db.$transaction(async (tx) => {
    const r = await tx.user.updateMany({ where: { id: input.userId }, data: { disabledAt: input.disabled ? new Date() : null } });
    if (r.count === 0) throw new AppError("NOT_FOUND", "No such user.");
    await writeAudit(tx, { action: input.disabled ? "admin.user.disable" : "admin.user.enable", outcome: "SUCCESS", actorId: actor.id, targetType: "user", targetId: input.userId, meta: actor.meta });
    return { id: input.userId, disabled: input.disabled };
  });
}
