/**
 * The one place an execution's result is written, in one transaction with everything that follows
 * from it: the fill booked into the strategy's position, a reversal's waiting open leg released
 * (or skipped), and the `order.place` audit row. An order that reached the exchange either has all
 * of them or none (the claim's lease then hands it to a reconciler, which looks the order up and
 * writes them). Compare-and-set on SUBMITTING and the claim's attempt number, so an execution that
 * changed hands is left to its new owner.
 *
 * One writer per database handle in a process, coalescing: results that arrive while a write is
 * in flight, from any batch, go together in the next transaction. The audit chain serialises its
 * inserts under one lock (taken last, so held briefly), so concurrent writers would only queue
 * inside PostgreSQL, each holding a pooled connection that other batches' claims are waiting for.
 */
import { envVar } from "~/env";
import type { AuditAction } from "~/server/audit/audit-actions";
import { sealAuditRows } from "~/server/audit/write-audit";
import type { SqlClient, SqlDb } from "~/server/db";
import { batchJobs } from "~/server/engine/batch-jobs";
import { leasedCount, type Claimed } from "~/server/engine/claim-executions";
import { ES, SUCCEEDED, UNRESOLVED, sqlList } from "~/server/engine/execution-state";
import type { Outcome } from "~/server/engine/order-outcome";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec } from "~/server/jobs/job-types";
import { logger } from "~/server/logger";
import { roundToScale, sign } from "~/server/money/exact";
import { LEDGER_SCALE } from "~/server/positions/ledger-math";
import { SKIP_ENTRIES } from "~/server/error-catalogue/skip-reasons";
import { notifyOrdersJob } from "~/server/notifications/engine-events";
import { bookFills, type FillToBook } from "~/server/positions/position-ledger";
import { protectJobsFor } from "~/server/positions/protection/protection-watch";


interface Pending {
  e: Claimed;
  o: Outcome;
  at: Date;
  done: (written: boolean) => void;
  fail: (err: unknown) => void;
}

/** As the Execution's NUMERIC(36, 18) columns hold it. */
const stored = (x: string | null | undefined) => (x == null ? null : roundToScale(x, LEDGER_SCALE));

const ORDER_PLACE: AuditAction = "order.place";

/** A time sent as epoch milliseconds (JSON.stringify takes Date's slow toJSON path on every Date), as a UTC timestamp(3). */
const utc = (ms: string) => `(to_timestamp(${ms} / 1000.0) AT TIME ZONE 'UTC')`;

/** The results, compare-and-set; returns the ids of those written (the rest changed hands). */
const RESULT_SQL = `WITH x AS (
   SELECT * FROM json_to_recordset($1::json) AS x(id text, attempts int, status "ExecutionStatus", amount numeric, price numeric,
        "exchangeOrderId" text, "filledAmount" numeric, "averagePrice" numeric, fee numeric, "feeCurrency" text, "errorKind" text,
        message text, "ackAt" float8, "sentAt" float8, "completedAt" float8)
 )
 UPDATE "Execution" e SET
    status = x.status, amount = COALESCE(x.amount, e.amount), price = COALESCE(x.price, e.price),
    "exchangeOrderId" = x."exchangeOrderId", "filledAmount" = x."filledAmount", "averagePrice" = x."averagePrice",
    fee = x.fee, "feeCurrency" = x."feeCurrency", "errorKind" = x."errorKind", message = x.message,
    "ackAt" = ${utc('x."ackAt"')}, "sentAt" = COALESCE(${utc('x."sentAt"')}, e."sentAt"), "completedAt" = ${utc('x."completedAt"')}, "leaseUntil" = NULL
   FROM x
  WHERE e.id = x.id AND e.status = '${ES.SUBMITTING}' AND e.attempts = x.attempts
  RETURNING e.id`;

/** A reversal's open leg goes once its close (as just written, in this transaction) has filled; otherwise it is skipped, saying why. */
const RELEASE_SQL = `UPDATE "Execution" n SET
    status = (CASE WHEN d.status = '${ES.FILLED}' THEN '${ES.QUEUED}' ELSE '${ES.SKIPPED}' END)::"ExecutionStatus",
    "errorKind" = CASE WHEN d.status = '${ES.FILLED}' THEN NULL ELSE '${SKIP_ENTRIES.REVERSAL_STOPPED.code}' END,
    message = CASE WHEN d.status = '${ES.FILLED}' THEN NULL
                   ELSE 'The close before this open ended ' || d.status::text || ', so the reversal stopped at the close.' END,
    "queuedAt" = now(), "completedAt" = CASE WHEN d.status = '${ES.FILLED}' THEN NULL ELSE now() END
   FROM "Execution" d
  WHERE d.id = ANY($1::text[]) AND n."signalId" = d."signalId" AND n."subscriptionId" = d."subscriptionId" AND n.leg = 1 AND n.status = '${ES.WAITING}'
  RETURNING n.id, n.priority, n.status::text AS status`;

const AUDIT_SQL = `INSERT INTO "AuditLog" (action, outcome, "actorId", "actorEmail", "targetType", "targetId", details)
   SELECT '${ORDER_PLACE}', (CASE WHEN w.status IN ${sqlList(SUCCEEDED)} THEN 'SUCCESS' ELSE 'FAILURE' END)::"AuditOutcome",
          w."userId", 'engine', 'execution', w.id,
          jsonb_build_object('signalId', w."signalId", 'exchange', w.exchange, 'symbol', w.symbol, 'side', w.side, 'status', w.status,
                             'paper', w.paper, 'errorKind', w."errorKind", 'exchangeOrderId', w."exchangeOrderId")
     FROM "Execution" w WHERE w.id = ANY($1::text[]) AND w.status <> '${ES.SKIPPED}'
    ORDER BY w.id
   RETURNING seq::text AS seq, hash`;

export class ResultWriter {
  private pending: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly db: SqlDb,
    private readonly jobs: JobSink,
    private readonly batchSize?: number,
  ) {}

  /** Resolves true once written, false when the execution changed hands (its new owner writes it). */
  write(e: Claimed, o: Outcome): Promise<boolean> {
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
        const written = await this.writeMany(items);
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

  private async writeMany(items: Pending[]): Promise<Set<string>> {
    // Absent keys are NULL to json_to_recordset: a value that is not there is not sent.
    const rows = items.map(({ e, o, at }) => ({
      id: e.id,
      attempts: e.attempts,
      status: o.status,
      amount: o.amount ?? undefined, // none: left as it is
      price: o.price ?? undefined, // none: left as it is
      exchangeOrderId: o.order?.id,
      filledAmount: o.order?.filled,
      averagePrice: o.order?.average,
      fee: o.order?.fee?.cost,
      feeCurrency: o.order?.fee?.currency,
      errorKind: o.errorKind,
      message: o.message,
      ackAt: o.ackAt?.getTime(),
      sentAt: o.sentAt?.getTime(), // none: left as it is
      completedAt: at.getTime(),
    }));
    let released: JobSpec[] = [];
    const ids = await this.db.$transaction(async (tx) => {
      const byId = new Map(items.map((it) => [it.e.id, it]));
      // What the ledger, the waiting leg and the audit row need of a written result is the claim's and the outcome's.
      const written = (await tx.$queryRawUnsafe<{ id: string }[]>(RESULT_SQL, JSON.stringify(rows))).map((r) => byId.get(r.id)!);
      const fills = written.flatMap(toFill);
      await bookFills(tx, fills);
      released = [...(await releaseWaitingLegs(tx, written, this.batchSize)), ...(await protectJobsFor(tx, fills))];
      // The owners are told by a job of their own: one per flushed batch, nothing read here.
      if (written.length) released.push(notifyOrdersJob(written.map((w) => w.e.id)));
      // Chained by the database, then sealed with the audit key (which the database never sees).
      await sealAuditRows(tx, await tx.$queryRawUnsafe<{ seq: string; hash: string }[]>(AUDIT_SQL, written.map((w) => w.e.id)));
      await this.jobs.addInTx(tx, released);
      return new Set(written.map((w) => w.e.id));
    });
    this.jobs.afterCommit(released);
    return ids;
  }
}

/**
 * A written result's fill, for the ledger (none when nothing filled): the outcome's numbers as the
 * result statement stored them (amount and price kept when the outcome has none), the alert's price as sent.
 */
function toFill({ e, o }: Pending): FillToBook[] {
  const amount = stored(o.order?.filled);
  if (amount === null || sign(amount) <= 0 || (e.side !== "buy" && e.side !== "sell")) return [];
  const price = stored(o.order?.average) ?? (o.price != null ? stored(o.price) : e.price);
  if (price === null) {
    logger.error({ executionId: e.id }, "a fill without any price cannot be booked; the position will be corrected by the drift check");
    return [];
  }
  return [{
    executionId: e.id, subscriptionId: e.subscriptionId, userId: e.userId, strategyId: e.subscription.strategyId, exchange: e.exchange, paper: e.paper,
    symbol: e.symbol, side: e.side, amount, price, fee: stored(o.order?.fee?.cost), feeCurrency: o.order?.fee?.currency ?? null, refPrice: o.price ?? null,
    dustBelow: o.dustBelow ?? null,
  }];
}

async function releaseWaitingLegs(tx: SqlClient, written: Pending[], batchSize?: number): Promise<JobSpec[]> {
  const firsts = written.filter((w) => w.e.leg === 0).map((w) => w.e.id);
  if (firsts.length === 0) return [];
  const next = await tx.$queryRawUnsafe<{ id: string; priority: number; status: string }[]>(RELEASE_SQL, firsts);
  return batchJobs(next.filter((n) => n.status === ES.QUEUED).sort((a, b) => a.priority - b.priority), batchSize);
}

const writers = new WeakMap<SqlDb, ResultWriter>();
/** The process's writer for this database handle. */
export function resultWriter(deps: { sql: SqlDb; jobs: JobSink; batchSize?: number }): ResultWriter {
  let w = writers.get(deps.sql);
  if (!w) writers.set(deps.sql, (w = new ResultWriter(deps.sql, deps.jobs, deps.batchSize)));
  return w;
}

/**
 * Marks signals DONE once none of their executions is still unresolved, and queues a drift check
 * of the positions each one touched (low priority: after every order of every signal). In the same
 * statement, counts how many of `batchIds` (a batch's executions) are still SUBMITTING: returned.
 */
export async function completeSignals(deps: { sql: SqlClient; jobs: JobSink }, signalIds: string[], batchIds: string[] = []): Promise<number> {
  if (signalIds.length === 0 && batchIds.length === 0) return 0;
  const [row] = await deps.sql.$queryRawUnsafe<{ done: string[]; leased: number }[]>(
    `WITH done AS (
       UPDATE "Signal" s SET status = 'DONE', "completedAt" = now()
        WHERE s.id = ANY($1::text[]) AND s.status = 'FANNING_OUT'
          AND NOT EXISTS (SELECT 1 FROM "Execution" x WHERE x."signalId" = s.id AND x.status IN ${sqlList(UNRESOLVED)})
       RETURNING s.id
     )
     SELECT (SELECT coalesce(array_agg(id), '{}') FROM done) AS done, ${leasedCount("$2")} AS leased`,
    signalIds,
    batchIds,
  );
  const jobs: JobSpec[] = (row?.done ?? []).map((id) => ({ task: "check_drift", payload: { signalId: id }, priority: DRIFT_PRIORITY, jobKey: `drift:${id}`, maxAttempts: 3, delayMs: DRIFT_DELAY_MS }));
  if (jobs.length) {
    await deps.jobs.addInTx(deps.sql, jobs);
    deps.jobs.afterCommit(jobs);
  }
  return row?.leased ?? 0;
}

/** After every tier's orders (PRO 0, FLEX 1, TRIAL 2). */
export const DRIFT_PRIORITY = 10;
const DRIFT_DELAY_MS = envVar("DRIFT_CHECK_DELAY_MS");
