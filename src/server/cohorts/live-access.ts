/**
 * The beta list and access requests: admins (or the CLI) add and remove users; a user outside the
 * cohort asks, an admin approves (the user joins the beta list) or refuses. Each change is audited
 * in its transaction and the user is told (LIVE_ACCESS_CHANGED). Removing a live user who is then
 * outside the cohort moves them to PAPER, like a shrinking cohort does.
 */
import { Prisma } from "~/generated/prisma/client";
import type { LiveAccessRequestStatus } from "~/generated/prisma/enums";
import { writeAudit } from "~/server/audit/write-audit";
import { canTradeLive, describeCohort, grantedMessage, refusalMessage, refusedMessage } from "~/server/cohorts/cohort-rules";
import { getCohort, lockCohort, recordMovedToPaper, type CohortActor } from "~/server/cohorts/cohort-settings";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import type { JobSink } from "~/server/jobs/job-sink";
import { notify, withNotifications } from "~/server/notifications/notify";
import { notifyAdmins } from "~/server/notifications/notify-admins";

export interface AccessChange {
  userId: string;
  email: string;
  liveAccess: boolean;
  changed: boolean;
  movedToPaper: boolean;
}

/** Adds a user to the beta list or removes them (by id, or by email for the CLI). Unchanged: no audit row, no notice. */
export async function setUserLiveAccess(ctx: CohortActor, input: { userId?: string; email?: string; allowed: boolean }): Promise<AccessChange> {
  return withNotifications(ctx.db, ctx.jobs, async (tx, after) => {
    const cohort = await lockCohort(tx, "SHARE");
    const where = input.userId ? { id: input.userId } : { email: (input.email ?? "").trim().toLowerCase() };
    const user = await tx.user.findUnique({ where, select: { id: true, email: true, tier: true, liveAccess: true, tradingMode: true } });
    if (!user) throw new AppError("NOT_FOUND", input.userId ? "No such user." : `No user with the email ${input.email ?? ""}.`, { field: input.userId ? "userId" : "email" });
    if (user.liveAccess === input.allowed) return { userId: user.id, email: user.email, liveAccess: user.liveAccess, changed: false, movedToPaper: false };
    const leaves = !input.allowed && user.tradingMode === "PERSONAL" && !canTradeLive({ tier: user.tier, liveAccess: false }, cohort);
    await tx.user.update({ where: { id: user.id }, data: { liveAccess: input.allowed, ...(leaves ? { tradingMode: "PAPER" as const } : {}) } });
    await writeAudit(tx, {
      action: "cohort.user_access",
      outcome: "SUCCESS",
      actorId: ctx.actorId,
      actorEmail: ctx.actorEmail ?? null,
      targetType: "user",
      targetId: user.id,
      meta: ctx.meta,
      details: { liveAccess: { from: user.liveAccess, to: input.allowed }, movedToPaper: leaves },
    });
    if (leaves) after.push(...(await recordMovedToPaper(tx, ctx, [user], cohort, "beta_list_removed")));
    else if (input.allowed) after.push(...(await notify(tx, ctx.jobs, { userId: user.id, kind: "LIVE_ACCESS_CHANGED", message: grantedMessage(null), details: { liveAccess: true } })).after);
    return { userId: user.id, email: user.email, liveAccess: input.allowed, changed: true, movedToPaper: leaves };
  });
}

const requestView = {
  id: true,
  message: true,
  status: true,
  decisionNote: true,
  decidedAt: true,
  createdAt: true,
} as const;

/** What the user's Settings page shows: may they trade live, why not, and their open (or last) request. */
export async function myLiveAccess(db: Db, userId: string) {
  const [cohort, user, last] = await Promise.all([
    getCohort(db),
    db.user.findUniqueOrThrow({ where: { id: userId }, select: { tier: true, liveAccess: true } }),
    db.liveAccessRequest.findFirst({ where: { userId }, orderBy: { createdAt: "desc" }, select: requestView }),
  ]);
  const allowed = canTradeLive(user, cohort);
  return {
    allowed,
    cohort: describeCohort(cohort),
    why: allowed ? null : refusalMessage(cohort),
    onBetaList: user.liveAccess,
    pendingRequest: last?.status === "PENDING" ? last : null,
    lastDecision: last && last.status !== "PENDING" ? last : null,
  };
}

/** A user outside the cohort asks to trade live; refused when they already may, or already asked. */
/** A user asks for live trading: the request is kept, audited, and every admin is told (bell, and email by default). */
export async function requestLiveAccess(ctx: { db: Db; userId: string; meta: RequestMeta | null; jobs?: JobSink | null }, input: { message: string | null }) {
  const refuse = async (reason: string, message: string): Promise<never> => {
    await writeAudit(ctx.db, { action: "cohort.request", outcome: "DENIED", actorId: ctx.userId, targetType: "user", targetId: ctx.userId, meta: ctx.meta, details: { reason } });
    throw new AppError("CONFLICT", message);
  };
  const access = await myLiveAccess(ctx.db, ctx.userId);
  if (access.allowed) return refuse("already_allowed", "You can already trade live: switch to Personal (live) under Trading mode.");
  if (access.pendingRequest) return refuse("already_pending", "Your request is already waiting for an admin; you will be notified of the answer.");
  try {
    return await withNotifications(ctx.db, ctx.jobs ?? null, async (tx, after) => {
      const row = await tx.liveAccessRequest.create({ data: { userId: ctx.userId, message: input.message }, select: requestView });
      await writeAudit(tx, {
        action: "cohort.request",
        outcome: "SUCCESS",
        actorId: ctx.userId,
        targetType: "live_access_request",
        targetId: row.id,
        meta: ctx.meta,
        details: { hasMessage: input.message !== null },
      });
      const asker = await tx.user.findUniqueOrThrow({ where: { id: ctx.userId }, select: { email: true, tier: true } });
      const said = input.message ? `: "${input.message}"` : ".";
      const told = await notifyAdmins(tx, ctx.jobs ?? null, {
        kind: "LIVE_ACCESS_REQUESTED",
        message: `${asker.email} (${asker.tier}) asks for live trading${said} Approve or refuse it on Admin → Users.`,
        details: { requestId: row.id, userId: ctx.userId },
      });
      after.push(...told.after);
      return row;
    });
  } catch (err) {
    // Two clicks at once: the partial unique index keeps one PENDING request per user.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return refuse("already_pending", "Your request is already waiting for an admin; you will be notified of the answer.");
    throw err;
  }
}

export async function listAccessRequests(db: Db, input: { status: LiveAccessRequestStatus; limit: number }) {
  const rows = await db.liveAccessRequest.findMany({
    where: { status: input.status },
    orderBy: { createdAt: input.status === "PENDING" ? "asc" : "desc" },
    take: input.limit,
    select: { ...requestView, user: { select: { id: true, email: true, name: true, tier: true, tradingMode: true } } },
  });
  return rows.map(({ user, ...r }) => ({ ...r, userId: user.id, email: user.email, name: user.name, tier: user.tier, tradingMode: user.tradingMode }));
}

/** Approve (the user joins the beta list) or refuse a PENDING request; the user is told either way, with the note. */
export async function decideAccessRequest(ctx: CohortActor, input: { requestId: string; decision: "approve" | "refuse"; note: string | null }) {
  return withNotifications(ctx.db, ctx.jobs, async (tx, after) => {
    const cohort = await lockCohort(tx, "SHARE");
    const locked = await tx.$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM "LiveAccessRequest" WHERE id = $1 FOR UPDATE`, input.requestId);
    if (locked.length === 0) throw new AppError("NOT_FOUND", "No such request.", { field: "requestId" });
    const req = await tx.liveAccessRequest.findUniqueOrThrow({ where: { id: input.requestId }, select: { id: true, userId: true, status: true } });
    if (req.status !== "PENDING") throw new AppError("CONFLICT", `This request was already ${req.status.toLowerCase()}.`, { field: "requestId" });
    const status = input.decision === "approve" ? ("APPROVED" as const) : ("REFUSED" as const);
    const decided = await tx.liveAccessRequest.update({
      where: { id: req.id },
      data: { status, decidedById: ctx.actorId, decidedAt: new Date(), decisionNote: input.note },
      select: requestView,
    });
    if (status === "APPROVED") await tx.user.update({ where: { id: req.userId }, data: { liveAccess: true } });
    await writeAudit(tx, {
      action: "cohort.decide",
      outcome: "SUCCESS",
      actorId: ctx.actorId,
      actorEmail: ctx.actorEmail ?? null,
      targetType: "live_access_request",
      targetId: req.id,
      meta: ctx.meta,
      details: { userId: req.userId, decision: status, note: input.note, cohort: describeCohort(cohort) },
    });
    const message = status === "APPROVED" ? grantedMessage(input.note) : refusedMessage(cohort, input.note);
    after.push(...(await notify(tx, ctx.jobs, { userId: req.userId, kind: "LIVE_ACCESS_CHANGED", message, details: { request: status, note: input.note } })).after);
    return { ...decided, userId: req.userId };
  });
}
