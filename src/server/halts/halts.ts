/**
 * Halting and resuming live trading (#18), platform-wide, per exchange or per strategy. The
 * database is the one source of truth: the engine reads the active halts at each fan-out and again
 * before each batch's sends (engine/fan-out.ts, engine/send-order.ts), so a halt committed by any
 * web process (or the CLI) is seen by every worker at once; nothing is cached in a process.
 *
 * What a halt does not stop: signals are still received, recorded and decided; paper executions
 * and test alerts still run (they place nothing on an exchange); protective orders already on the
 * exchange stay, and the protection watch keeps maintaining the stops of open positions (they
 * reduce risk); a user's own "Close position" stays allowed (a reduce-only order, their decision).
 */
import { writeAudit } from "~/server/audit/write-audit";
import type { Db, SqlClient } from "~/server/db";
import { AppError } from "~/server/errors";
import { haltInput, haltTarget, haltTargetLabel, resumeInput, type ActiveHalt, type HaltExchange, type HaltInput, type HaltScope, type ResumeInput } from "~/server/halts/halt-rules";
import type { RequestMeta } from "~/server/http/request-meta";
import type { JobSink } from "~/server/jobs/job-sink";
import { notifyAdmins } from "~/server/notifications/notify-admins";
import { withNotifications } from "~/server/notifications/notify";

/** Serialises halts, so two admins halting the same target at once cannot both succeed. */
const HALT_LOCK = 727018;

/** Who acts: an admin (id, email, request), or the operator CLI (id null). */
export interface HaltActor {
  id: string | null;
  email?: string | null;
  meta?: RequestMeta | null;
}

type HaltDeps = { db: Db; jobs: JobSink | null };

/**
 * The halts in force now as one JSON array of ActiveHalt (an SQL expression): one indexed read
 * (liftedAt IS NULL), which the engine's claim statement carries too, so a batch reads its halts in
 * the round trip that claims it.
 */
export const ACTIVE_HALTS_JSON = `(SELECT coalesce(json_agg(json_build_object('id', h.id, 'scope', h.scope::text, 'exchange', h.exchange::text,
      'strategyId', h."strategyId", 'reason', h.reason, 'strategyName', s.name) ORDER BY h."createdAt", h.id), '[]'::json)
   FROM "TradingHalt" h LEFT JOIN "Strategy" s ON s.id = h."strategyId" WHERE h."liftedAt" IS NULL)`;

/** The halts in force now (the fan-out reads them once per signal; the banner on every page). */
export async function activeHalts(db: SqlClient): Promise<ActiveHalt[]> {
  const [row] = await db.$queryRawUnsafe<{ halts: ActiveHalt[] }[]>(`SELECT ${ACTIVE_HALTS_JSON} AS halts`);
  return row?.halts ?? [];
}

/** Active halts and the most recent lifted ones, for the admin page. */
export async function haltHistory(db: Pick<Db, "tradingHalt">, limit = 20) {
  const select = {
    id: true, scope: true, exchange: true, strategyId: true, reason: true, createdAt: true, liftedAt: true, liftReason: true,
    strategy: { select: { name: true } }, createdBy: { select: { email: true } }, liftedBy: { select: { email: true } },
  } as const;
  const [active, recent] = await Promise.all([
    db.tradingHalt.findMany({ where: { liftedAt: null }, orderBy: { createdAt: "desc" }, select }),
    db.tradingHalt.findMany({ where: { liftedAt: { not: null } }, orderBy: { liftedAt: "desc" }, take: limit, select }),
  ]);
  const shape = (r: (typeof active)[number]) => ({
    id: r.id, scope: r.scope, exchange: r.exchange, strategyId: r.strategyId, strategyName: r.strategy?.name ?? null, reason: r.reason,
    target: haltTargetLabel({ ...r, strategyName: r.strategy?.name ?? null }),
    createdAt: r.createdAt, createdBy: r.createdBy?.email ?? null, liftedAt: r.liftedAt, liftedBy: r.liftedBy?.email ?? null, liftReason: r.liftReason,
  });
  return { active: active.map(shape), recent: recent.map(shape) };
}

export async function haltTrading(deps: HaltDeps, actor: HaltActor, raw: HaltInput) {
  const input = haltInput.parse(raw);
  const target = haltTarget(input);
  return withNotifications(deps.db, deps.jobs, async (tx, after) => {
    await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${HALT_LOCK})::text`);
    let strategyName: string | null = null;
    if (target.strategyId) {
      const s = await tx.strategy.findUnique({ where: { id: target.strategyId }, select: { name: true } });
      if (!s) throw new AppError("NOT_FOUND", "strategyId: no such strategy; reload the page and choose one from the list.", { field: "strategyId" });
      strategyName = s.name;
    }
    const label = haltTargetLabel({ ...target, strategyName });
    const existing = await tx.tradingHalt.findFirst({ where: { liftedAt: null, scope: target.scope, exchange: target.exchange, strategyId: target.strategyId }, select: { id: true, reason: true } });
    if (existing) {
      throw new AppError("CONFLICT", `Trading on ${label} is already halted (“${existing.reason}”): resume that halt first to change its reason.`, { field: "scope", details: { haltId: existing.id } });
    }
    const halt = await tx.tradingHalt.create({ data: { ...target, reason: input.reason, createdById: actor.id } });
    const details = { scope: target.scope, exchange: target.exchange, strategyId: target.strategyId, reason: input.reason };
    await writeAudit(tx, { action: "trading.halt", outcome: "SUCCESS", actorId: actor.id, actorEmail: actor.email ?? (actor.id ? null : "cli"), targetType: "trading_halt", targetId: halt.id, meta: actor.meta ?? null, details });
    const by = actor.email ?? (actor.id ? "an admin" : "the operator CLI");
    const n = await notifyAdmins(tx, deps.jobs, { kind: "TRADING_HALTED", message: `Live trading on ${label} halted by ${by}: ${input.reason}`, details: { haltId: halt.id, ...details } });
    after.push(...n.after);
    return { id: halt.id, scope: target.scope as HaltScope, exchange: target.exchange as HaltExchange | null, strategyId: target.strategyId, target: label, reason: input.reason, createdAt: halt.createdAt };
  });
}

export async function resumeTrading(deps: HaltDeps, actor: HaltActor, raw: ResumeInput) {
  const input = resumeInput.parse(raw);
  return withNotifications(deps.db, deps.jobs, async (tx, after) => {
    await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${HALT_LOCK})::text`);
    const halt = await tx.tradingHalt.findUnique({ where: { id: input.id }, include: { strategy: { select: { name: true } } } });
    if (!halt) throw new AppError("NOT_FOUND", "id: no such halt; reload the page.", { field: "id" });
    const label = haltTargetLabel({ ...halt, strategyName: halt.strategy?.name ?? null });
    if (halt.liftedAt) throw new AppError("CONFLICT", `The halt of ${label} was already lifted; reload the page.`, { field: "id" });
    const liftReason = input.reason ? input.reason : null;
    const liftedAt = new Date();
    await tx.tradingHalt.update({ where: { id: halt.id }, data: { liftedAt, liftedById: actor.id, liftReason } });
    const details = { scope: halt.scope, exchange: halt.exchange, strategyId: halt.strategyId, reason: halt.reason, liftReason };
    await writeAudit(tx, { action: "trading.resume", outcome: "SUCCESS", actorId: actor.id, actorEmail: actor.email ?? (actor.id ? null : "cli"), targetType: "trading_halt", targetId: halt.id, meta: actor.meta ?? null, details });
    const by = actor.email ?? (actor.id ? "an admin" : "the operator CLI");
    const n = await notifyAdmins(tx, deps.jobs, { kind: "TRADING_RESUMED", message: `Live trading on ${label} resumed by ${by}${liftReason ? `: ${liftReason}` : "."}`, details: { haltId: halt.id, ...details } });
    after.push(...n.after);
    return { id: halt.id, target: label, liftedAt };
  });
}
