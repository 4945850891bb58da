/**
 * Start-up reconciliation (freqtrade-style): whatever a crash left half-done is picked up again
 * the safe way. Executions still SUBMITTING after their lease are re-claimed, which looks the
 * order up by client order id before any re-send; signals never fanned out are processed.
 */
import type { EngineDeps } from "~/server/engine/engine-deps";
import { batchJobs, DEFAULT_BATCH_SIZE } from "~/server/engine/fan-out";
import type { JobSpec } from "~/server/jobs/job-types";
import { logger } from "~/server/logger";

export async function reconcileAtStart(deps: EngineDeps, opts: { includeQueued: boolean }): Promise<{ signals: number; executions: number }> {
  const now = new Date();
  const stale = await deps.db.execution.findMany({
    where: {
      OR: [
        { status: "SUBMITTING", leaseUntil: { lt: now } },
        // In-process queues lose their jobs on restart; PostgreSQL-backed ones keep them.
        ...(opts.includeQueued ? [{ status: "QUEUED" as const }] : []),
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
    ...batchJobs(stale, deps.batchSize ?? DEFAULT_BATCH_SIZE).map((j) => ({ ...j, jobKey: `reconcile:${j.jobKey}` })),
  ];
  if (jobs.length) {
    await deps.db.$transaction((tx) => deps.jobs.addInTx(tx, jobs));
    deps.jobs.afterCommit(jobs);
    logger.info({ signals: signals.length, executions: stale.length }, "reconciling work left unfinished by a previous run");
  }
  return { signals: signals.length, executions: stale.length };
}
