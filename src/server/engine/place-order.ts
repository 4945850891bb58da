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
import { isExchangeError } from "~/server/exchanges/map-error";
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

type ClaimedCred = CredentialRef & { status: string };

/** One row of the claim: the execution, then its signal (g_), subscription (s_) and key (k_). */
type ClaimRow = Omit<Claimed, "signal" | "subscription"> & {
  g_alert: Claimed["signal"]["alert"];
  g_decision: Claimed["signal"]["decision"];
  g_receivedAt: Date;
  s_id: string;
  s_userId: string;
  s_strategyId: string;
  s_credentialId: string | null;
  s_sizingMode: Claimed["subscription"]["sizingMode"];
  s_sizingValue: Claimed["subscription"]["sizingValue"];
  s_leverageCap: number | null;
  s_maxNotional: Claimed["subscription"]["maxNotional"];
  s_paused: boolean;
  s_createdAt: Date;
  s_updatedAt: Date;
  k_id: string | null;
  k_userId: string;
  k_exchange: CredentialRef["exchange"];
  k_environment: CredentialRef["environment"];
  k_apiKey: string;
  k_sealedSecret: string;
  k_status: string;
};

/**
 * Claims the batch's executions (state SUBMITTING, with a lease) and reads what sending them needs
 * (signal, subscription, key) in the same statement: one round trip, and no execution can be
 * claimed without its claimer getting it back.
 */
async function claimBatch(deps: EngineDeps, ids: string[]): Promise<{ claimed: Claimed[]; creds: Map<string, ClaimedCred> }> {
  const creds = new Map<string, ClaimedCred>();
  if (ids.length === 0) return { claimed: [], creds };
  const rows = await deps.db.$queryRawUnsafe<ClaimRow[]>(
    `WITH c AS (
       UPDATE "Execution" SET status = 'SUBMITTING', attempts = attempts + 1,
         "leaseUntil" = now() + make_interval(secs => $2), "sentAt" = COALESCE("sentAt", now())
       WHERE id = ANY($1::text[]) AND (status = 'QUEUED' OR (status = 'SUBMITTING' AND "leaseUntil" < now()))
       RETURNING *
     )
     SELECT c.id, c."signalId", c."subscriptionId", c."userId", c."credentialId", c.exchange::text AS exchange, c.tier::text AS tier,
            c.priority, c."clientOrderId", c.status::text AS status, c.paper, c.symbol, c.side, c."orderType"::text AS "orderType",
            c.amount, c.price, c."exchangeOrderId", c."filledAmount", c."averagePrice", c.fee, c."feeCurrency", c."errorKind", c.message,
            c.attempts, c."leaseUntil", c."queuedAt", c."sentAt", c."ackAt", c."completedAt",
            g.alert AS g_alert, g.decision AS g_decision, g."receivedAt" AS "g_receivedAt",
            s.id AS s_id, s."userId" AS "s_userId", s."strategyId" AS "s_strategyId", s."credentialId" AS "s_credentialId",
            s."sizingMode"::text AS "s_sizingMode", s."sizingValue" AS "s_sizingValue", s."leverageCap" AS "s_leverageCap",
            s."maxNotional" AS "s_maxNotional", s.paused AS s_paused, s."createdAt" AS "s_createdAt", s."updatedAt" AS "s_updatedAt",
            k.id AS k_id, k."userId" AS "k_userId", k.exchange::text AS k_exchange, k.environment::text AS k_environment,
            k."apiKey" AS "k_apiKey", k."sealedSecret" AS "k_sealedSecret", k.status::text AS k_status
       FROM c
       JOIN "Signal" g ON g.id = c."signalId"
       JOIN "Subscription" s ON s.id = c."subscriptionId"
       LEFT JOIN "ExchangeCredential" k ON k.id = c."credentialId"`,
    ids,
    EXECUTION_LEASE_MS / 1000,
  );
  const claimed = rows.map((r) => {
    const {
      g_alert, g_decision, g_receivedAt,
      s_id, s_userId, s_strategyId, s_credentialId, s_sizingMode, s_sizingValue, s_leverageCap, s_maxNotional, s_paused, s_createdAt, s_updatedAt,
      k_id, k_userId, k_exchange, k_environment, k_apiKey, k_sealedSecret, k_status,
      ...execution
    } = r;
    if (k_id) creds.set(k_id, { id: k_id, userId: k_userId, exchange: k_exchange, environment: k_environment, apiKey: k_apiKey, sealedSecret: k_sealedSecret, status: k_status });
    return {
      ...execution,
      signal: { alert: g_alert, decision: g_decision, receivedAt: g_receivedAt },
      subscription: {
        id: s_id, userId: s_userId, strategyId: s_strategyId, credentialId: s_credentialId, sizingMode: s_sizingMode, sizingValue: s_sizingValue,
        leverageCap: s_leverageCap, maxNotional: s_maxNotional, paused: s_paused, createdAt: s_createdAt, updatedAt: s_updatedAt,
      },
    } satisfies Claimed;
  });
  // Keep the batch's order (tier, then subscription age).
  const order = new Map(ids.map((id, i) => [id, i]));
  claimed.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { claimed, creds };
}

export async function claimExecutions(deps: EngineDeps, ids: string[]): Promise<Claimed[]> {
  return (await claimBatch(deps, ids)).claimed;
}

/**
 * In this process, a batch starts its sends only after the batches of a better priority that
 * started before it have started theirs (or after maxWaitMs). Batches run concurrently, so
 * without this a FLEX batch whose claim came back first would send before PRO batches still
 * claiming; the queue hands the jobs out in priority order, this keeps that order to the wire.
 */
class SendOrder {
  private seq = 0;
  private readonly pending = new Map<number, number>(); // ticket -> priority
  private waiters = new Set<() => void>();

  constructor(private readonly maxWaitMs: number) {}

  enter(priority: number): number {
    const ticket = ++this.seq;
    this.pending.set(ticket, priority);
    return ticket;
  }

  async turn(ticket: number): Promise<void> {
    const mine = this.pending.get(ticket);
    if (mine === undefined) return;
    const deadline = Date.now() + this.maxWaitMs;
    const ahead = () => [...this.pending].some(([t, p]) => t < ticket && p < mine);
    while (ahead() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        this.waiters.add(wake);
      });
    }
  }

  leave(ticket: number): void {
    if (!this.pending.delete(ticket)) return;
    for (const wake of [...this.waiters]) wake();
  }
}
const sendOrder = new SendOrder(250);

/** `priority`: the job's (its best execution's); batches that carry it keep priority order across batches. */
/**
 * Executions of this batch still SUBMITTING under someone else's lease: most often this job's own
 * previous attempt, which died (with its worker, or with the database) before it could write a
 * result. The job must not complete while they are unresolved, since nothing else would re-claim
 * them: fail it, so graphile-worker runs it again after its backoff, past the lease.
 */
async function assertNoneLeased(deps: EngineDeps, ids: string[]): Promise<void> {
  const leased = await deps.db.execution.count({ where: { id: { in: ids }, status: "SUBMITTING" } });
  if (leased > 0) throw new Error(`${leased} execution(s) of this batch are still leased by another attempt; retrying after the lease`);
}

export async function executeBatch(deps: EngineDeps, ids: string[], priority?: number): Promise<void> {
  const ticket = priority === undefined ? null : sendOrder.enter(priority);
  try {
    await runBatch(deps, ids, ticket);
  } finally {
    if (ticket !== null) sendOrder.leave(ticket);
  }
}

async function runBatch(deps: EngineDeps, ids: string[], ticket: number | null): Promise<void> {
  const { claimed, creds } = await claimBatch(deps, ids);
  if (claimed.length === 0) return assertNoneLeased(deps, ids);
  const audits: Prisma.AuditLogCreateManyInput[] = [];
  let retryable: unknown = null;

  // Phase 1, concurrently: reconcile re-claimed executions and size every order.
  const prepared = await Promise.all(claimed.map((e) => prepare(deps, e, creds.get(e.credentialId ?? "") ?? null).catch((err: unknown) => ({ kind: "error" as const, err }))));
  // Phase 2: start the sends in list order (PRO first, then by subscription age), all in flight together,
  // once the better-priority batches running here have started theirs.
  if (ticket !== null) await sendOrder.turn(ticket);
  const settled = prepared.map((p, i) => (p.kind === "send" ? send(deps, claimed[i]!, p.cred, p.plan).catch((err: unknown) => ({ kind: "error" as const, err })) : Promise.resolve(p)));
  if (ticket !== null) sendOrder.leave(ticket);

  // Results are written as they come in, coalesced: one UPDATE for every result that arrived while the
  // previous write was in flight (a batch's orders mostly answer together: a few statements, not one each).
  const writer = new FinishWriter(deps);
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
      const ok = await writer.finish(e, outcome);
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
  if (audits.length) await auditWriter(deps.db).write(audits);
  await completeSignals(deps, [...new Set(claimed.map((e) => e.signalId))]);
  if (retryable) throw retryable;
  await assertNoneLeased(deps, ids);
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
    if (isExchangeError(err) && (err.kind === "AUTH" || err.kind === "PERMISSION")) return done({ status: "FAILED", errorKind: err.kind, message: err.message });
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
      // Bybit's create answer carries no status or fill: read the order back once, by its id (one
      // call; by client id is open orders, then closed ones). ackAt is already taken.
      const full = placed.status === "unknown" ? ((await readBack(deps, cred, e, placed).catch(() => null)) ?? placed) : placed;
      return { ...fromOrder(full, plan.amount), ackAt, sentAt, price: plan.price };
    } catch (err) {
      if (!isExchangeError(err)) throw err;
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

function readBack(deps: EngineDeps, cred: CredentialRef, e: Claimed, placed: OrderView): Promise<OrderView | null> {
  if (placed.id && placed.id !== "undefined") return deps.adapter.fetchOrder(cred, e.symbol, placed.id);
  return deps.adapter.findOrderByClientId(cred, e.symbol, e.clientOrderId);
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

interface Finished {
  e: Claimed;
  o: Outcome;
  at: Date;
  done: (written: boolean) => void;
  fail: (err: unknown) => void;
}

/**
 * Writes results (compare-and-set on status SUBMITTING and the claim's attempt number, so an
 * execution that changed hands is left to its new owner), many per statement: a result arriving
 * while a write is in flight joins the next one.
 */
class FinishWriter {
  private pending: Finished[] = [];
  private flushing = false;

  constructor(private readonly deps: EngineDeps) {}

  finish(e: Claimed, o: Outcome): Promise<boolean> {
    return new Promise((done, fail) => {
      this.pending.push({ e, o, at: new Date(), done, fail });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush() {
    this.flushing = true;
    while (this.pending.length) {
      const items = this.pending;
      this.pending = [];
      try {
        const written = await finishMany(this.deps, items);
        for (const it of items) {
          if (!written.has(it.e.id)) logger.warn({ executionId: it.e.id }, "execution changed hands before its result was written; the new owner reconciles it");
          it.done(written.has(it.e.id));
        }
      } catch (err) {
        for (const it of items) it.fail(err);
      }
    }
    this.flushing = false;
  }
}

/**
 * The audit rows of every batch running in this process, written by one INSERT at a time: the
 * audit chain takes a global lock per insert, so concurrent inserts would queue inside PostgreSQL,
 * each holding a pooled connection the other batches' claims are waiting for. Rows that arrive
 * while an insert is in flight go together in the next one; each caller waits for its own rows.
 */
class AuditWriter {
  private pending: { rows: Prisma.AuditLogCreateManyInput[]; done: () => void; fail: (err: unknown) => void }[] = [];
  private flushing = false;

  constructor(private readonly db: EngineDeps["db"]) {}

  write(rows: Prisma.AuditLogCreateManyInput[]): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ rows, done, fail });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush() {
    this.flushing = true;
    while (this.pending.length) {
      const items = this.pending;
      this.pending = [];
      try {
        await this.db.auditLog.createMany({ data: items.flatMap((it) => it.rows) });
        for (const it of items) it.done();
      } catch (err) {
        for (const it of items) it.fail(err);
      }
    }
    this.flushing = false;
  }
}

const auditWriters = new WeakMap<EngineDeps["db"], AuditWriter>();
function auditWriter(db: EngineDeps["db"]): AuditWriter {
  let w = auditWriters.get(db);
  if (!w) auditWriters.set(db, (w = new AuditWriter(db)));
  return w;
}

/** One UPDATE for many results; the ids actually written. */
async function finishMany(deps: EngineDeps, items: Pick<Finished, "e" | "o" | "at">[]): Promise<Set<string>> {
  const rows = items.map(({ e, o, at }) => ({
    id: e.id,
    attempts: e.attempts,
    status: o.status,
    amount: o.amount ?? null, // null: left as it is
    price: o.price ?? null, // null: left as it is
    exchangeOrderId: o.order?.id ?? null,
    filledAmount: o.order?.filled ?? null,
    averagePrice: o.order?.average ?? null,
    fee: o.order?.fee?.cost ?? null,
    feeCurrency: o.order?.fee?.currency ?? null,
    errorKind: o.errorKind ?? null,
    message: o.message ?? null,
    ackAt: o.ackAt ?? null,
    sentAt: o.sentAt ?? null, // null: left as it is
    completedAt: at,
  }));
  const written = await deps.db.$queryRawUnsafe<{ id: string }[]>(
    `UPDATE "Execution" e SET
        status = x.status, amount = COALESCE(x.amount, e.amount), price = COALESCE(x.price, e.price),
        "exchangeOrderId" = x."exchangeOrderId", "filledAmount" = x."filledAmount", "averagePrice" = x."averagePrice",
        fee = x.fee, "feeCurrency" = x."feeCurrency", "errorKind" = x."errorKind", message = x.message,
        "ackAt" = x."ackAt", "sentAt" = COALESCE(x."sentAt", e."sentAt"), "completedAt" = x."completedAt", "leaseUntil" = NULL
       FROM json_to_recordset($1::json) AS x(id text, attempts int, status "ExecutionStatus", amount numeric, price numeric,
            "exchangeOrderId" text, "filledAmount" numeric, "averagePrice" numeric, fee numeric, "feeCurrency" text, "errorKind" text,
            message text, "ackAt" timestamp(3), "sentAt" timestamp(3), "completedAt" timestamp(3))
      WHERE e.id = x.id AND e.status = 'SUBMITTING' AND e.attempts = x.attempts
      RETURNING e.id`,
    JSON.stringify(rows),
  );
  return new Set(written.map((r) => r.id));
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
