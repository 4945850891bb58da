/**
 * One position's protection, made true on the exchange. Run after every fill that touches a
 * protected position, by the watch every few minutes, and at worker start; safe to run any number of
 * times (it converges):
 *   1. what KeyRelay placed is read back: fired orders book their fill into the ledger (a take-profit
 *      may move the stop-loss to break-even), orders gone from the exchange are marked so;
 *   2. a flat position has what is left cancelled;
 *   3. otherwise the plan (fixed at the entry) says which orders the current size needs: orders that
 *      no longer match are cancelled, missing ones placed, each stored with its client order id
 *      before it is sent (exactly once: a row left PENDING by a crash is looked up by that id);
 *   4. a position whose stop-loss could not be placed is flagged, and its owner told.
 */
import { randomBytes } from "node:crypto";
import { Prisma, type ProtectiveOrder } from "~/generated/prisma/client";
import { writeAudit } from "~/server/audit/write-audit";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { notify, withNotifications } from "~/server/notifications/notify";
import type { CredentialRef } from "~/server/exchanges/exchange-clients";
import { isPositionModeMismatch } from "~/server/exchanges/exchange-adapter";
import { isExchangeError } from "~/server/exchanges/map-error";
import { supportsTrailing } from "~/server/exchanges/protective-orders";
import { logger } from "~/server/logger";
import { dec } from "~/server/money/decimal";
import { refreshOrder, type SyncContext, type SyncReport } from "~/server/positions/protection/refresh-order";
import { desiredOrders, makePlan, type DesiredOrder, type PlanInput, type ProtectionPlan } from "~/server/positions/protection/protection-plan";
import { effectiveSettings } from "~/server/positions/protection/protection-settings";

const ACTIVE = ["PENDING", "OPEN"] as const;
const KIND_LABEL = { STOP_LOSS: "stop-loss", TAKE_PROFIT: "take-profit", TRAILING_STOP: "trailing stop" } as const;

export async function syncProtection(deps: EngineDeps, positionId: string): Promise<SyncReport | null> {
  const pos = await deps.db.position.findUnique({
    where: { id: positionId },
    include: { subscription: { select: { protection: true, credential: true, strategy: { select: { protection: true } } } } },
  });
  if (!pos || pos.paper || pos.marketType !== "LINEAR" || !pos.exchange) return null;
  const cred = pos.subscription.credential;
  if (!cred || cred.status !== "ACTIVE") return null;
  const ctx: SyncContext = { deps, cred: cred as CredentialRef, position: pos, report: { placed: 0, cancelled: 0, filled: 0, failed: 0, unprotected: false } };

  for (const row of await deps.db.protectiveOrder.findMany({ where: { positionId, status: { in: [...ACTIVE] } }, orderBy: { createdAt: "asc" } })) {
    await refreshOrder(ctx, row);
  }

  const now = await deps.db.position.findUniqueOrThrow({ where: { id: positionId } });
  const active = await deps.db.protectiveOrder.findMany({ where: { positionId, status: { in: [...ACTIVE] } } });
  const side = now.side === "LONG" ? "long" : now.side === "SHORT" ? "short" : null;
  let plan = now.protectionPlan as ProtectionPlan | null;
  if (!side || !dec(now.size.toString()).gt(0)) {
    for (const row of active) await cancelRow(ctx, row, "The position closed, so KeyRelay cancelled this order.");
    if (plan !== null || now.unprotectedAt) {
      await deps.db.position.update({ where: { id: positionId }, data: { protectionPlan: Prisma.DbNull, unprotectedAt: null, protectionNote: null } });
    }
    return ctx.report;
  }
  const market = await deps.adapter.marketInfo(cred.exchange, pos.symbol, cred.environment);
  if (!market) return ctx.report;
  if (!plan || plan.side !== side) {
    plan = makePlan({
      side,
      entry: entryPrice(now),
      settings: effectiveSettings(pos.subscription.strategy.protection, pos.subscription.protection),
      alert: await openingAlert(deps, positionId),
      priceStep: market.priceStep,
      supportsTrailing: supportsTrailing(cred.exchange),
    });
    await deps.db.position.update({ where: { id: positionId }, data: { protectionPlan: plan === null ? Prisma.DbNull : (plan as unknown as Prisma.InputJsonValue) } });
  }
  const want = plan ? desiredOrders(plan, now.size.toString(), market) : [];

  const kept = new Set<string>();
  for (const d of want) {
    const same = active.find((r) => !kept.has(r.id) && matches(r, d));
    if (same) kept.add(same.id);
  }
  for (const row of active) {
    // A PENDING row is an order whose fate is not known yet (no answer, within the receive window): leave it for the next run.
    if (!kept.has(row.id) && row.status === "OPEN") await cancelRow(ctx, row, "Replaced: the position's size or the protection levels changed.");
  }
  const pendingSlots = active.filter((r) => r.status === "PENDING" && !kept.has(r.id)).map((r) => `${r.kind}:${r.level}`);
  for (const d of want) {
    if (active.some((r) => kept.has(r.id) && matches(r, d)) || pendingSlots.includes(`${d.kind}:${d.level}`)) continue;
    await place(ctx, d);
  }
  await flagUnprotected(ctx, want);
  return ctx.report;
}

function matches(r: ProtectiveOrder, d: DesiredOrder): boolean {
  const same = (a: Prisma.Decimal | null, b: string | null) => (a === null ? b === null : b !== null && dec(a.toString()).eq(b));
  return r.kind === d.kind && r.level === d.level && r.side === d.side && dec(r.amount.toString()).eq(d.amount) && same(r.triggerPrice, d.triggerPrice) && same(r.callbackPct, d.callbackPct);
}

/** The average entry of what the position holds now. */
function entryPrice(p: { entryValue: Prisma.Decimal; grossSize: Prisma.Decimal }): string {
  const gross = dec(p.grossSize.toString());
  return gross.gt(0) ? dec(p.entryValue.toString()).div(gross).toFixed() : "0";
}

/** The stop-loss / take-profit prices of the alert that opened the position, if it carried any. */
async function openingAlert(deps: EngineDeps, positionId: string): Promise<PlanInput["alert"]> {
  const fill = await deps.db.fill.findFirst({
    where: { positionId, effect: { in: ["OPEN", "FLIP"] }, executionId: { not: null } },
    orderBy: { createdAt: "desc" },
    select: { execution: { select: { signal: { select: { alert: true } } } } },
  });
  const alert = (fill?.execution?.signal.alert ?? {}) as Record<string, unknown>;
  const price = (v: unknown) => (typeof v === "string" || typeof v === "number" ? dec(v).toFixed() : null);
  return { stopLoss: price(alert.stopLoss), takeProfit: price(alert.takeProfit), stopLossPct: price(alert.stopLossPct), takeProfitPct: price(alert.takeProfitPct), trailingStopPct: price(alert.trailingStopPct) };
}

async function place(ctx: SyncContext, d: DesiredOrder): Promise<void> {
  const { deps, cred, position } = ctx;
  const clientOrderId = `kp${randomBytes(9).toString("hex")}`;
  let row: ProtectiveOrder;
  try {
    row = await deps.db.protectiveOrder.create({
      data: {
        positionId: position.id, subscriptionId: position.subscriptionId, userId: position.userId, symbol: position.symbol, kind: d.kind, level: d.level,
        clientOrderId, side: d.side, amount: d.amount, triggerPrice: d.triggerPrice, callbackPct: d.callbackPct,
      },
    });
  } catch (err) {
    // The one-active-order-per-slot index: another run placed this slot first.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return;
    throw err;
  }
  const side = position.side === "LONG" ? "long" : "short";
  const send = (hedged: boolean) =>
    deps.adapter.createProtective(cred, {
      symbol: position.symbol, side: d.side as "buy" | "sell", kind: d.kind, amount: d.amount, triggerPrice: d.triggerPrice ?? undefined,
      callbackPct: d.callbackPct ?? undefined, clientOrderId, hedgeSide: hedged ? side : undefined,
    });
  try {
    const hedged = await isHedged(ctx);
    const placed = await send(hedged).catch(async (err: unknown) => {
      if (!isPositionModeMismatch(err, cred.exchange)) throw err;
      // Refused (nothing placed): the account is in the other mode. Once more in that mode.
      deps.adapter.accountSettings.set(cred, position.symbol, "hedged", (ctx.hedged = !hedged));
      return send(!hedged);
    });
    await deps.db.$transaction(async (tx) => {
      await tx.protectiveOrder.update({ where: { id: row.id }, data: { status: "OPEN", exchangeOrderId: placed.id } });
      await writeAudit(tx, {
        action: "protection.place", outcome: "SUCCESS", actorId: position.userId, actorEmail: "engine", targetType: "position", targetId: position.id,
        details: { kind: d.kind, level: d.level, symbol: position.symbol, amount: d.amount, triggerPrice: d.triggerPrice, callbackPct: d.callbackPct, clientOrderId },
      });
    });
    ctx.report.placed++;
  } catch (err) {
    if (isExchangeError(err) && err.kind === "UNKNOWN_OUTCOME") return; // stays PENDING: the next run looks it up by client id
    ctx.report.failed++;
    const reason = isExchangeError(err) ? err.message : "an internal error";
    logger.warn({ err, positionId: position.id, kind: d.kind }, "protective order refused");
    await deps.db.$transaction(async (tx) => {
      await tx.protectiveOrder.update({ where: { id: row.id }, data: { status: "FAILED", message: `The exchange refused this ${KIND_LABEL[d.kind]}: ${reason}`, completedAt: new Date() } });
      await writeAudit(tx, {
        action: "protection.place", outcome: "FAILURE", actorId: position.userId, actorEmail: "engine", targetType: "position", targetId: position.id,
        details: { kind: d.kind, level: d.level, symbol: position.symbol, clientOrderId, reason },
      });
    });
  }
}

/** Hedge mode is read from the exchange's positions (Bybit has no position-mode query): a row with a side there means hedge mode. */
async function isHedged(ctx: SyncContext): Promise<boolean> {
  ctx.hedged ??= ctx.deps.adapter.accountSettings.get(ctx.cred, ctx.position.symbol, "hedged");
  if (ctx.hedged !== undefined) return ctx.hedged;
  const rows = await ctx.deps.adapter.fetchPositions(ctx.cred, [ctx.position.symbol]).catch(() => null);
  if (!rows) return false; // not known: one-way first; a mode refusal switches (see place)
  ctx.hedged = rows.some((r) => r.hedged === true);
  ctx.deps.adapter.accountSettings.set(ctx.cred, ctx.position.symbol, "hedged", ctx.hedged);
  return ctx.hedged;
}

export async function cancelRow(ctx: SyncContext, row: ProtectiveOrder, why: string): Promise<void> {
  const { deps, cred, position } = ctx;
  if (row.status === "OPEN" && row.exchangeOrderId) {
    try {
      await deps.adapter.cancelProtective(cred, position.symbol, row.exchangeOrderId);
    } catch (err) {
      // Gone already (fired or cancelled): the next run reads what became of it.
      if (!(isExchangeError(err) && (err.kind === "NOT_FOUND" || err.kind === "INVALID_ORDER"))) throw err;
      return;
    }
  } else if (row.status === "PENDING") {
    return; // its fate is not known yet
  }
  await deps.db.$transaction(async (tx) => {
    const n = await tx.protectiveOrder.updateMany({ where: { id: row.id, status: { in: [...ACTIVE] } }, data: { status: "CANCELED", message: why, completedAt: new Date() } });
    if (n.count === 1) {
      await writeAudit(tx, {
        action: "protection.cancel", outcome: "SUCCESS", actorId: position.userId, actorEmail: "engine", targetType: "position", targetId: position.id,
        details: { kind: row.kind, level: row.level, symbol: position.symbol, clientOrderId: row.clientOrderId, why },
      });
    }
  });
  ctx.report.cancelled++;
}

/** A position whose plan asks for a stop and has none on the exchange is flagged; its owner is told once. */
async function flagUnprotected(ctx: SyncContext, want: DesiredOrder[]): Promise<void> {
  const { deps, position } = ctx;
  const stops = want.filter((d) => d.kind !== "TAKE_PROFIT");
  const open = await deps.db.protectiveOrder.count({ where: { positionId: position.id, status: { in: [...ACTIVE] }, kind: { in: ["STOP_LOSS", "TRAILING_STOP"] } } });
  const unprotected = stops.length > 0 && open === 0;
  ctx.report.unprotected = unprotected;
  const current = await deps.db.position.findUniqueOrThrow({ where: { id: position.id }, select: { unprotectedAt: true } });
  if (unprotected && !current.unprotectedAt) {
    const failed = await deps.db.protectiveOrder.findFirst({ where: { positionId: position.id, status: "FAILED" }, orderBy: { createdAt: "desc" }, select: { message: true } });
    const note = `No stop-loss is on the exchange for this ${position.symbol} position: ${failed?.message ?? "it could not be placed"}. KeyRelay keeps trying; you can close the position from the Positions page.`;
    await withNotifications(deps.db, deps.jobs, async (tx, after) => {
      await tx.position.update({ where: { id: position.id }, data: { unprotectedAt: new Date(), protectionNote: note } });
      const n = await notify(tx, deps.jobs, { userId: position.userId, kind: "POSITION_UNPROTECTED", message: note, details: { positionId: position.id, symbol: position.symbol, reason: failed?.message ?? null } });
      after.push(...n.after);
    });
  } else if (!unprotected && current.unprotectedAt) {
    await deps.db.position.update({ where: { id: position.id }, data: { unprotectedAt: null, protectionNote: null } });
  }
}
