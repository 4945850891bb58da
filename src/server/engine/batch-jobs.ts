import type { JobSpec } from "~/server/jobs/job-types";

export const DEFAULT_BATCH_SIZE = 32;

/**
 * Consecutive chunks of the priority-ordered executions; a chunk runs at the priority of its first
 * (best) member, and sends its orders in list order, so PRO goes before FLEX before TRIAL both
 * across and within batches.
 */
export function batchJobs(queued: { id?: string; priority: number }[], size = DEFAULT_BATCH_SIZE): JobSpec[] {
  const jobs: JobSpec[] = [];
  for (let i = 0; i < queued.length; i += size) {
    const chunk = queued.slice(i, i + size);
    const priority = chunk[0]!.priority;
    jobs.push({ task: "execute_batch", payload: { ids: chunk.map((q) => q.id!), priority }, priority, jobKey: `exec:${chunk[0]!.id}`, maxAttempts: 25 });
  }
  return jobs;
}
