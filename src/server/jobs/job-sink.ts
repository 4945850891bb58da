/**
 * Where new jobs go. The webhook and the engine depend on this interface, not on a queue: the
 * PostgreSQL queue adds jobs inside the caller's transaction, the in-process queue after commit.
 */
import type { JobSpec, SqlExecutor } from "~/server/jobs/job-types";

export interface JobSink {
  /** Adds jobs inside the caller's transaction (PostgreSQL queue), or does nothing (in-process). */
  addInTx(tx: SqlExecutor, jobs: JobSpec[]): Promise<void>;
  /** Hands jobs over after commit (in-process queue), or does nothing (PostgreSQL queue). */
  afterCommit(jobs: JobSpec[]): void;
  /**
   * PostgreSQL queue only: the jobs as the JSON that `JOBS_FROM_JSON_SQL` adds, so a caller can add
   * them inside one statement of its own (one round trip) instead of a transaction.
   */
  jobsJson?(jobs: JobSpec[]): string;
}
