import type { JobSpec } from "~/server/jobs/job-types";

export const DEFAULT_BATCH_SIZE = 64;

/**
 * Consecutive chunks of the priority-ordered executions, each of one tier (and one signal): a chunk
 * runs at its tier's priority and sends its orders in list order, so PRO goes before FLEX before
 * TRIAL both across and within batches. The payload names the signal, so a worker can hold a
 * batch's place in the tier order from the moment the job starts (engine/write-gate.ts).
 */
export function batchJobs(queued: { id?: string; priority: number; signalId?: string }[], size = DEFAULT_BATCH_SIZE): JobSpec[] {
  const jobs: JobSpec[] = [];
  let chunk: typeof queued = [];
  const flush = () => {
    if (chunk.length === 0) return;
    const { priority, signalId } = chunk[0]!;
    jobs.push({ task: "execute_batch", payload: { ids: chunk.map((q) => q.id!), priority, ...(signalId ? { signalId } : {}) }, priority, jobKey: `exec:${chunk[0]!.id}`, maxAttempts: 25 });
    chunk = [];
  };
  for (const q of queued) {
    const head = chunk[0];
    if (chunk.length >= size || (head && (head.priority !== q.priority || head.signalId !== q.signalId))) flush();
    chunk.push(q);
  }
  flush();
  return jobs;
}
