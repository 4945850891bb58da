/**
 * The embedded (PGlite, single process) queue: the same task code, run in this process in
 * priority order with bounded concurrency. Nothing survives a restart here, so start-up
 * reconciliation re-queues unfinished work (see engine/reconcile.ts).
 */
import type { JobSpec, TaskList } from "~/server/jobs/job-types";
import { logger } from "~/server/logger";

export class InProcessQueue {
  private readonly pending: JobSpec[] = [];
  private readonly keys = new Set<string>();
  private running = 0;
  private tasks: TaskList | null = null;

  constructor(private readonly concurrency = 8) {}

  start(tasks: TaskList) {
    this.tasks = tasks;
    this.pump();
  }

  add(jobs: JobSpec[]) {
    const later = jobs.filter((j) => j.delayMs);
    if (later.length > 0) {
      setTimeout(() => this.add(later.map((j) => ({ ...j, delayMs: undefined }))), Math.max(...later.map((j) => j.delayMs!))).unref();
      jobs = jobs.filter((j) => !j.delayMs);
    }
    for (const j of jobs) {
      if (j.jobKey && this.keys.has(j.jobKey)) continue;
      if (j.jobKey) this.keys.add(j.jobKey);
      this.pending.push(j);
    }
    // Stable sort: lower priority number first, then insertion order (subscription age).
    this.pending.sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
    this.pump();
  }

  private pump() {
    while (this.tasks && this.running < this.concurrency && this.pending.length) {
      const job = this.pending.shift()!;
      this.running++;
      void this.runJob(job, 1).finally(() => {
        this.running--;
        if (job.jobKey) this.keys.delete(job.jobKey);
        this.pump();
      });
    }
  }

  private async runJob(job: JobSpec, attempt: number): Promise<void> {
    try {
      await this.tasks![job.task](job.payload);
    } catch (err) {
      const max = job.maxAttempts ?? 10;
      if (attempt >= max) {
        logger.error({ err, task: job.task }, "job failed permanently");
        return;
      }
      // Exponential backoff like graphile-worker (capped lower: this is the dev/embedded mode).
      await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** attempt)));
      return this.runJob(job, attempt + 1);
    }
  }
}
