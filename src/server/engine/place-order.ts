/**
 * execute_batch: places the orders of a batch of executions, Hummingbot-style. The execution is
 * claimed (state SUBMITTING, with a lease) before its request is sent with the client order id
 * derived from its id. A create is never blindly retried: after TEMPORARY, UNKNOWN_OUTCOME or
 * RATE_LIMITED the order is looked up by client order id and re-sent only when the exchange
 * shows it does not exist. A re-claimed execution (crash, lost lease) is reconciled first.
 */
import type { Prisma } from "~/generated/prisma/client";
import { EXECUTION_LEASE_MS, type EngineDeps } from "~/server/engine/engine-deps";
import { planOrder, type OrderPlan } from "~/server/engine/plan-order";
import type { CredentialRef } from "~/server/exchanges/exchange-clients";
import type { OrderView } from "~/server/exchanges/exchange-adapter";
import { ExchangeError } from "~/server/exchanges/map-error";
import { logger } from "~/server/logger";
import { revive } from "~/server/engine/fan-out";
import { disableAfterAuthFailure } from "~/server/keys/verify-credential";

const MAX_INLINE_RESENDS = 4;

type Claimed = Prisma.ExecutionGetPayload<{
  include: { signal: { select: { alert: true; decision: true; receivedAt: true } }; subscription: true };
}>;

interface Outcome {
  status: "SUBMITTED" | "FILLED" | "PARTIALLY_FILLED" | "REJECTED" | "FAILED" | "SKIPPED";
  order?: OrderView;
  amount?: number;
  price?: number | null;
  errorKind?: string;
  message?: string;
  ackAt?: Date;
  sentAt?: Date;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function claimExecutions(deps: EngineDeps, ids: string[]): Promise<Claimed[]> {
  if (ids.length === 0) return [];
  const rows = await deps.db.$queryRawUnsafe<{ id: string }[]>(
    `UPDATE "Execution" SET status = 'SUBMITTING', attempts = attempts + 1,
       "leaseUntil" = now() + make_interval(secs => $2), "sentAt" = COALESCE("sentAt", now())
     WHERE id = ANY($1::text[]) AND (status = 'QUEUED' OR (status = 'SUBMITTING' AND "leaseUntil" < now()))
     RETURNING id`,
    ids,
    EXECUTION_LEASE_MS / 1000,
  );
  if (rows.length === 0) return [];
  const claimed = await deps.db.execution.findMany({
    where: { id: { in: rows.map((r) => r.id) } },
    include: { signal: { select: { alert: true, decision: true, receivedAt: true } }, subscription: true },
  });
  // Keep the batch's order (tier, then subscription age).
  const order = new Map(ids.map((id, i) => [id, i]));
  return claimed.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

export async function executeBatch(deps: EngineDeps, ids: string[]): Promise<void> {
  const claimed = await claimExecutions(deps, ids);
  if (claimed.length === 0) return;
  const credIds = [...new Set(claimed.map((e) => e.credentialId).filter((x): x is string => !!x))];
  const creds = new Map((await deps.db.exchangeCredential.findMany({ where: { id: { in: credIds } } })).map((c) => [c.id, c]));
  const audits: Prisma.AuditLogCreateManyInput[] = [];
  let retryable: unknown = null;

  // Phase 1, concurrently: reconcile re-claimed executions and size every order.
  const prepared = await Promise.all(claimed.map((e) => prepare(deps, e, creds.get(e.credentialId ?? "") ?? null).catch((err: unknown) => ({ kind: "error" as const, err }))));
  // Phase 2: start the sends in list order (PRO first, then by subscription age), all in flight together.
  const settled = prepared.map((p, i) => (p.kind === "send" ? send(deps, claimed[i]!, p.cred, p.plan).catch((err: unknown) => ({ kind: "error" as const, err })) : Promise.resolve(p)));

  await Promise.all(
    settled.map(async (pending, i) => {
      const e = claimed[i]!;
      const r = await pending;
      let outcome: Outcome;
      if ("kind" in r && r.kind === "error") {
        const vault = vaultFailure(r.err);
        if (!vault) {
          // Left SUBMITTING with a short lease: the job's retry (or another worker) reconciles it.
          await deps.db.execution.updateMany({ where: { id: e.id, status: "SUBMITTING", attempts: e.attempts }, data: { leaseUntil: new Date(Date.now() + 1_000), message: errMessage(r.err) } });
          retryable ??= r.err;
          return;
        }
        if (e.credentialId) await disableAfterAuthFailure(deps.db, e.credentialId, vault.message ?? "The stored secret cannot be opened.");
        outcome = vault;
      } else outcome = "kind" in r ? (r as { outcome: Outcome }).outcome : (r as Outcome);
      const ok = await finish(deps, e, outcome);
      if (ok && outcome.status !== "SKIPPED") {
        audits.push({
          action: "order.place",
          outcome: outcome.status === "FILLED" || outcome.status === "SUBMITTED" || outcome.status === "PARTIALLY_FILLED" ? "SUCCESS" : "FAILURE",
          actorId: e.userId,
          actorEmail: "engine",
          targetType: "execution",
          targetId: e.id,
          details: { signalId: e.signalId, exchange: e.exchange, symbol: e.symbol, side: e.side, status: outcome.status, paper: e.paper, errorKind: outcome.errorKind ?? null, exchangeOrderId: outcome.order?.id ?? null },
        });
      }
    }),
  );
  if (audits.length) await deps.db.auditLog.createMany({ data: audits });
  await completeSignals(deps, [...new Set(claimed.map((e) => e.signalId))]);
  if (retryable) throw retryable;
}

type Prepared =
  | { kind: "done"; outcome: Outcome }
  | { kind: "send"; cred: CredentialRef; plan: Extract<OrderPlan, { ok: true }> };

function vaultFailure(err: unknown): Outcome | null {
  if (err instanceof Error && err.name === "VaultError") return { status: "FAILED", errorKind: "VAULT", message: err.message };
  return null;
}

async function prepare(deps: EngineDeps, e: Claimed, cred: (CredentialRef & { status: string }) | null): Promise<Prepared> {
  const alert = revive(e.signal.alert);
  const decision = (e.signal.decision ?? {}) as { marketPrice?: number | null };
  const done = (outcome: Outcome): Prepared => ({ kind: "done", outcome });
  if (e.paper) {
    const plan = await planOrder(deps, { e, alert, cred: null, marketPrice: decision.marketPrice ?? null });
    if (!plan.ok) return done({ status: "SKIPPED", message: plan.message });
    // Paper: filled at the signal / market price, recorded, nothing sent anywhere.
    return done({ status: "FILLED", amount: plan.amount, price: plan.price, order: paperOrder(e, plan), ackAt: new Date(), sentAt: new Date() });
  }
  if (!cred) return done({ status: "SKIPPED", message: "No exchange key for this subscription." });
  if (cred.status !== "ACTIVE") return done({ status: "SKIPPED", message: `The exchange key is ${cred.status}, not ACTIVE.` });
  try {
    // Claimed before: a previous attempt may have reached the exchange. Look before sending.
    if (e.attempts > 1) {
      const found = await deps.adapter.findOrderByClientId(cred, e.symbol, e.clientOrderId);
      if (found) return done(fromOrder(found, found.amount ?? null));
    }
    const plan = await planOrder(deps, { e, alert, cred, marketPrice: decision.marketPrice ?? null });
    if (!plan.ok) return done({ status: "SKIPPED", message: plan.message });
    return { kind: "send", cred, plan };
  } catch (err) {
    if (err instanceof ExchangeError && (err.kind === "AUTH" || err.kind === "PERMISSION")) return done({ status: "FAILED", errorKind: err.kind, message: err.message });
    throw err;
  }
}

async function send(deps: EngineDeps, e: Claimed, cred: CredentialRef, plan: Extract<OrderPlan, { ok: true }>): Promise<Outcome> {
  const sentAt = new Date();
  for (let attempt = 0; ; attempt++) {
    try {
      const placed = await deps.adapter.createOrder(cred, {
        symbol: e.symbol,
        side: plan.side,
        type: plan.type,
        amount: plan.amount,
        price: plan.type === "limit" ? (plan.price ?? undefined) : undefined,
        clientOrderId: e.clientOrderId,
        reduceOnly: plan.reduceOnly,
      });
      const ackAt = new Date();
      // Bybit's create answer carries no status or fill: read the order back once.
      const full = placed.status === "unknown" ? ((await deps.adapter.findOrderByClientId(cred, e.symbol, e.clientOrderId).catch(() => null)) ?? placed) : placed;
      return { ...fromOrder(full, plan.amount), ackAt, sentAt, price: plan.price };
    } catch (err) {
      if (!(err instanceof ExchangeError)) throw err;
      switch (err.kind) {
        case "AUTH":
          return { status: "FAILED", errorKind: err.kind, message: err.message, sentAt };
        case "PERMISSION":
        case "INSUFFICIENT_FUNDS":
        case "INVALID_ORDER":
          return { status: "REJECTED", errorKind: err.kind, message: err.message, sentAt };
        case "UNKNOWN":
        case "NOT_FOUND":
          return { status: "FAILED", errorKind: err.kind, message: err.message, sentAt };
      }
      // TEMPORARY, UNKNOWN_OUTCOME, RATE_LIMITED, DUPLICATE_CLIENT_ID: the order may exist. Look, never guess.
      await sleep(err.kind === "RATE_LIMITED" ? 0 : Math.min(2_000, 100 * 2 ** attempt)); // the limiter already paused a rate-limited key
      const found = await deps.adapter.findOrderByClientId(cred, e.symbol, e.clientOrderId);
      if (found) return { ...fromOrder(found, plan.amount), ackAt: new Date(), sentAt };
      if (err.kind === "DUPLICATE_CLIENT_ID") return { status: "FAILED", errorKind: err.kind, message: err.message, sentAt };
      if (attempt >= MAX_INLINE_RESENDS) throw err;
      logger.info({ executionId: e.id, kind: err.kind, attempt }, "order not on the exchange after a failed create; sending again");
    }
  }
}

function fromOrder(o: OrderView, amount: number | null): Outcome {
  const filled = o.filled ?? 0;
  const target = amount ?? o.amount ?? filled;
  let status: Outcome["status"];
  if (o.status === "closed") status = filled > 0 && filled + 1e-12 < target ? "PARTIALLY_FILLED" : "FILLED";
  else if (o.status === "open") status = filled > 0 ? "PARTIALLY_FILLED" : "SUBMITTED";
  else if (o.status === "canceled" || o.status === "expired" || o.status === "rejected") status = filled > 0 ? "PARTIALLY_FILLED" : "REJECTED";
  else status = "SUBMITTED";
  return { status, order: o, amount: target };
}

function paperOrder(e: Claimed, plan: Extract<OrderPlan, { ok: true }>): OrderView {
  return { id: `paper-${e.id}`, clientOrderId: e.clientOrderId, symbol: e.symbol, status: "closed", amount: plan.amount, filled: plan.amount, average: plan.price ?? undefined, fee: undefined };
}

async function finish(deps: EngineDeps, e: Claimed, o: Outcome): Promise<boolean> {
  const terminal = o.status !== "SUBMITTED";
  const r = await deps.db.execution.updateMany({
    where: { id: e.id, status: "SUBMITTING", attempts: e.attempts },
    data: {
      status: o.status,
      amount: o.amount ?? undefined,
      price: o.price ?? undefined,
      exchangeOrderId: o.order?.id ?? null,
      filledAmount: o.order?.filled ?? null,
      averagePrice: o.order?.average ?? null,
      fee: o.order?.fee?.cost ?? null,
      feeCurrency: o.order?.fee?.currency ?? null,
      errorKind: o.errorKind ?? null,
      message: o.message ?? null,
      ackAt: o.ackAt ?? null,
      ...(o.sentAt ? { sentAt: o.sentAt } : {}),
      completedAt: terminal || o.status === "SUBMITTED" ? new Date() : null,
      leaseUntil: null,
    },
  });
  if (r.count === 0) logger.warn({ executionId: e.id }, "execution changed hands before its result was written; the new owner reconciles it");
  return r.count === 1;
}

/** Marks signals DONE once none of their executions is still QUEUED or SUBMITTING. */
export async function completeSignals(deps: EngineDeps, signalIds: string[]) {
  if (signalIds.length === 0) return;
  await deps.db.$executeRawUnsafe(
    `UPDATE "Signal" s SET status = 'DONE', "completedAt" = now()
     WHERE s.id = ANY($1::text[]) AND s.status = 'FANNING_OUT'
       AND NOT EXISTS (SELECT 1 FROM "Execution" x WHERE x."signalId" = s.id AND x.status IN ('QUEUED', 'SUBMITTING'))`,
    signalIds,
  );
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 500) : String(err).slice(0, 500);
}
