/**
 * A user's "close" button: the position is closed through the same path as a strategy's close
 * (a signal, an execution whose client order id is stored before sending, the result writer and
 * the ledger), with the user as its author in the audit log.
 */
import type { Prisma } from "~/generated/prisma/client";
import { writeAudit } from "~/server/audit/write-audit";
import { batchJobs } from "~/server/engine/batch-jobs";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { ES, UNRESOLVED } from "~/server/engine/execution-state";
import { insertExecutions, type Tier } from "~/server/engine/fan-out-sql";
import { clientOrderIdFor, newExecutionId } from "~/server/engine/subscriber-legs";
import { TIER_PRIORITY } from "~/server/engine/engine-deps";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import { parseSymbol } from "~/server/positions/position-ledger";
import type { ParsedAlert } from "~/server/signals/webhook-payload";

export async function closePosition(
  deps: EngineDeps,
  input: { userId: string; positionId: string; meta?: RequestMeta | null },
): Promise<{ signalId: string; executionId: string }> {
  const position = await deps.db.position.findUnique({
    where: { id: input.positionId },
    include: { subscription: { include: { user: { select: { tier: true, email: true } }, credential: { select: { id: true, exchange: true, status: true } } } } },
  });
  // Another user's position is "not found": ids must not tell what exists.
  if (!position || position.userId !== input.userId) throw new AppError("NOT_FOUND", "No such position.", { field: "positionId" });
  if (position.side === "FLAT") throw new AppError("CONFLICT", "This position is already closed.", { field: "positionId" });
  const busy = await deps.db.execution.count({
    where: { subscriptionId: position.subscriptionId, symbol: position.symbol, paper: position.paper, status: { in: [...UNRESOLVED] } },
  });
  if (busy > 0) throw new AppError("CONFLICT", "An order for this position is still being placed; try again when it has finished.", { field: "positionId" });
  const sub = position.subscription;
  if (!position.paper && (!sub.credential || sub.credential.status !== "ACTIVE")) {
    throw new AppError("CONFLICT", "The subscription's exchange key is not ACTIVE: verify or replace it on the Keys page, then close.", { field: "positionId" });
  }

  const { base, quote, marketType } = parseSymbol(position.symbol);
  const now = new Date();
  const alert: ParsedAlert = {
    ticker: { raw: position.symbol, base, quote, perp: marketType === "LINEAR" },
    action: "exit", rawAction: "close", exitSide: null, marketPosition: "flat", prevMarketPosition: null, marketPositionSize: "0", prevMarketPositionSize: null,
    positionSize: null, orderType: "market", quantity: null, quantityType: null, price: null, leverage: null, takeProfit: null, stopLoss: null,
    id: null, timestamp: now, maxLagSeconds: null, secret: null, extra: {}, format: "manual",
  };
  const tier = sub.user.tier as Tier;
  const id = newExecutionId();
  const long = position.side === "LONG";
  const signalId = `m${id.slice(1)}`;
  await deps.db.$transaction(async (tx) => {
    await tx.signal.create({
      data: {
        id: signalId, strategyId: position.strategyId, dedupeKey: `manual:${id}`, status: "FANNING_OUT", action: "exit", symbol: position.symbol,
        alert: alert as unknown as Prisma.InputJsonValue, decision: { approved: true, manual: true, by: input.userId, reasons: [] }, subscriberCount: 1,
        decidedAt: now, sourceIp: input.meta?.ip ?? null,
      },
    });
    await insertExecutions(tx, [{
      id, signalId, subscriptionId: sub.id, userId: position.userId, credentialId: sub.credential?.id ?? null, exchange: sub.credential?.exchange ?? null,
      tier, priority: TIER_PRIORITY[tier], clientOrderId: clientOrderIdFor(id), status: ES.QUEUED, paper: position.paper, symbol: position.symbol,
      side: long ? "sell" : "buy", orderType: "MARKET", price: null, errorKind: null, message: null,
      leg: 0, intent: "CLOSE", positionSide: long ? "LONG" : "SHORT", closeFraction: "1",
    }], now);
    await writeAudit(tx, {
      action: "position.close", outcome: "SUCCESS", actorId: input.userId, actorEmail: sub.user.email, targetType: "position", targetId: position.id,
      meta: input.meta ?? null, details: { symbol: position.symbol, side: position.side, size: position.size.toString(), paper: position.paper, executionId: id },
    });
    await deps.jobs.addInTx(tx, batchJobs([{ id, priority: TIER_PRIORITY[tier] }], deps.batchSize));
  });
  deps.jobs.afterCommit(batchJobs([{ id, priority: TIER_PRIORITY[tier] }], deps.batchSize));
  return { signalId, executionId: id };
}
