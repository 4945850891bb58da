/**
 * Start-up reconciliation (freqtrade-style): whatever a crash left half-done is picked up again
 * the safe way. Executions still SUBMITTING after their lease are re-claimed, which looks the
 * order up by client order id before any re-send; signals never fanned out are processed; and
 * every open position is checked against its account (drift-check.ts).
 */
import type { EngineDeps } from "~/server/engine/engine-deps";
import { ES } from "~/server/engine/execution-state";
import { batchJobs } from "~/server/engine/batch-jobs";
import { DRIFT_PRIORITY } from "~/server/engine/result-writer";
import { watchJob } from "~/server/positions/protection/protection-watch";
import { keyHealthJob } from "~/server/keys/key-health";
import { dailySummaryJob } from "~/server/notifications/daily-summary";
import type { JobSpec } from "~/server/jobs/job-types";
import { logger } from "~/server/logger";

/** Out of the start-up burst (reconciliation, client building) but soon: a key may have died while KeyRelay was down. */
const KEY_HEALTH_START_DELAY_MS = 60_000;

export async function reconcileAtStart(deps: EngineDeps, opts: { includeQueued: boolean }): Promise<{ signals: number; executions: number }> {
  const now = new Date();
  const stale = await deps.db.execution.findMany({
    where: {
      OR: [
        { status: ES.SUBMITTING, leaseUntil: { lt: now } },
        // In-process queues lose their jobs on restart; PostgreSQL-backed ones keep them.
        ...(opts.includeQueued ? [{ status: ES.QUEUED }] : []),
      ],
    },
    orderBy: [{ priority: "asc" }, { queuedAt: "asc" }],
    select: { id: true, priority: true },
    take: 10_000,
  });
  const signals = await deps.db.signal.findMany({
    where: { status: "RECEIVED", receivedAt: { lt: opts.includeQueued ? now : new Date(now.getTime() - 30_000) } },
    select: { id: true },
    take: 1_000,
  });
  const jobs: JobSpec[] = [
    ...signals.map((s) => ({ task: "process_signal" as const, payload: { signalId: s.id }, jobKey: `signal:${s.id}` })),
    ...batchJobs(stale, deps.batchSize).map((j) => ({ ...j, jobKey: `reconcile:${j.jobKey}` })),
    // Does every account still hold what the ledger says? (The user may have traded while we were down.)
    { task: "check_drift", payload: { all: true }, priority: DRIFT_PRIORITY, jobKey: "drift:start", maxAttempts: 3 },
    // Is every protected position's stop-loss on the exchange? (Stops may have fired while we were down.) Then every PROTECTION_WATCH_MS.
    watchJob(0),
    // Every ACTIVE key verified again (expiry warnings, dead keys disabled) a minute after the start, then every KEY_HEALTH_INTERVAL_MS.
    keyHealthJob(KEY_HEALTH_START_DELAY_MS),
    // The daily summary's next run (00:05 UTC); the job key keeps one queued.
    dailySummaryJob(),
  ];
  if (jobs.length) {
    await deps.db.$transaction((tx) => deps.jobs.addInTx(tx, jobs));
    deps.jobs.afterCommit(jobs);
    if (signals.length || stale.length) logger.info({ signals: signals.length, executions: stale.length }, "reconciling work left unfinished by a previous run");
  }
  return { signals: signals.length, executions: stale.length };
}
