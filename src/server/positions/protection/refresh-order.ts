/**
 * Reads one protective order back from the exchange and records what became of it: still waiting,
 * fired and filled (the fill is booked into the position, in the same transaction as the order's
 * new status, and the plan notes a take-profit level done, moving the stop to break-even when asked),
 * or gone without a fill (cancelled by hand on the exchange, expired): marked so, and the sync places
 * it again while the position is open. A PENDING row (stored, send not confirmed) the exchange does
 * not know is given up only after the receive window: until then the exchange could still accept it.
 */
import { Prisma, type Position, type ProtectiveOrder } from "~/generated/prisma/client";
import { writeAudit } from "~/server/audit/write-audit";
import { RESEND_SAFE_AFTER_MS, type EngineDeps } from "~/server/engine/engine-deps";
import { notify, withNotifications } from "~/server/notifications/notify";
import type { CredentialRef } from "~/server/exchanges/exchange-clients";
import { logger } from "~/server/logger";
import { bookFills } from "~/server/positions/position-ledger";
import type { ProtectionPlan } from "~/server/positions/protection/protection-plan";

export interface SyncReport {
  placed: number;
  cancelled: number;
  filled: number;
  failed: number;
  unprotected: boolean;
}

export interface SyncContext {
  deps: EngineDeps;
  cred: CredentialRef;
  position: Position;
  report: SyncReport;
  /** The account's position mode, read once per run when an order is placed. */
  hedged?: boolean;
}

const LABEL = { STOP_LOSS: "stop-loss", TAKE_PROFIT: "take-profit", TRAILING_STOP: "trailing stop" } as const;

export async function refreshOrder(ctx: SyncContext, row: ProtectiveOrder): Promise<void> {
  const { deps, cred, position } = ctx;
  let view;
  try {
    view = await deps.adapter.fetchProtective(cred, position.symbol, { id: row.exchangeOrderId, clientOrderId: row.clientOrderId });
  } catch (err) {
    ctx.report.failed++;
    logger.warn({ err, protectiveOrderId: row.id }, "could not read a protective order; the next run tries again");
    return;
  }
  const now = deps.now?.() ?? new Date();
  if (!view) {
    if (row.status === "PENDING" && now.getTime() - row.createdAt.getTime() < RESEND_SAFE_AFTER_MS) return;
    const message = row.status === "PENDING" ? "It never reached the exchange; KeyRelay places it again." : "The exchange no longer has this order.";
    await end(deps, row, "FAILED", message);
    return;
  }
  if (view.status === "open") {
    if (row.status === "PENDING") await deps.db.protectiveOrder.updateMany({ where: { id: row.id, status: "PENDING" }, data: { status: "OPEN", exchangeOrderId: view.id } });
    return;
  }
  if (view.status === "filled" && view.filled && view.average) {
    const filled = view.filled;
    const average = view.average;
    const booked = await deps.db.$transaction(async (tx) => {
      const n = await tx.protectiveOrder.updateMany({
        where: { id: row.id, status: { in: ["PENDING", "OPEN"] } },
        data: { status: "FILLED", exchangeOrderId: view.id, filledAmount: filled, averagePrice: average, fee: view.fee?.cost ?? null, feeCurrency: view.fee?.currency ?? null, completedAt: now },
      });
      if (n.count !== 1) return false;
      await bookFills(tx, [{
        executionId: null, protectiveOrderId: row.id, subscriptionId: position.subscriptionId, userId: position.userId, strategyId: position.strategyId,
        exchange: position.exchange, paper: false, symbol: position.symbol, side: row.side as "buy" | "sell", amount: filled, price: average,
        fee: view.fee?.cost ?? null, feeCurrency: view.fee?.currency ?? null, refPrice: row.triggerPrice?.toString() ?? null, dustBelow: null,
      }]);
      if (row.kind === "TAKE_PROFIT") {
        const p = await tx.position.findUniqueOrThrow({ where: { id: position.id }, select: { protectionPlan: true } });
        const plan = p.protectionPlan as ProtectionPlan | null;
        if (plan) {
          const next: ProtectionPlan = { ...plan, filledLevels: [...new Set([...plan.filledLevels, row.level])], breakEvenDone: plan.breakEvenDone || plan.breakEven };
          await tx.position.update({ where: { id: position.id }, data: { protectionPlan: next as unknown as Prisma.InputJsonValue } });
        }
      }
      await writeAudit(tx, {
        action: "protection.fill", outcome: "SUCCESS", actorId: position.userId, actorEmail: "engine", targetType: "position", targetId: position.id,
        details: { kind: row.kind, level: row.level, symbol: position.symbol, amount: filled, price: average, clientOrderId: row.clientOrderId },
      });
      return true;
    });
    if (booked) ctx.report.filled++;
    return;
  }
  const byHand = view.status === "canceled";
  const message = byHand ? "Cancelled on the exchange, outside KeyRelay." : "The exchange expired it (nothing was left to close).";
  const ended = await end(deps, row, "CANCELED", message);
  if (ended && byHand) {
    // Until it is placed again the position may have no stop: the owner hears it on their channels.
    await withNotifications(deps.db, deps.jobs, async (tx, after) => {
      const n = await notify(tx, deps.jobs, {
        userId: position.userId,
        kind: "POSITION_UNPROTECTED",
        message: `Your ${LABEL[row.kind]} on ${position.symbol} was cancelled on the exchange, outside KeyRelay. KeyRelay places it again while the position is open.`,
        details: { positionId: position.id, symbol: position.symbol, protectiveOrder: row.kind, reason: "cancelled outside KeyRelay" },
      });
      after.push(...n.after);
    });
  }
}

async function end(deps: EngineDeps, row: ProtectiveOrder, status: "FAILED" | "CANCELED", message: string): Promise<boolean> {
  const n = await deps.db.protectiveOrder.updateMany({ where: { id: row.id, status: { in: ["PENDING", "OPEN"] } }, data: { status, message, completedAt: deps.now?.() ?? new Date() } });
  return n.count === 1;
}
