/** graphile-worker's job-adding SQL, without graphile-worker itself (the webhook's bundle uses it). */
import type { JobSpec } from "~/server/jobs/job-types";

/** graphile-worker's job specs for `jobs`, as JSON for JOBS_FROM_JSON_SQL. */
export function jobSpecsJson(jobs: JobSpec[]): string {
  return JSON.stringify(
    jobs.map((j) => ({
      identifier: j.task,
      payload: j.payload,
      queue_name: null,
      run_at: j.delayMs ? new Date(Date.now() + j.delayMs).toISOString() : null,
      max_attempts: j.maxAttempts ?? 10,
      job_key: j.jobKey ?? null,
      priority: j.priority ?? 0,
      flags: null,
    })),
  );
}

/** Adds the jobs of a JSON array of job specs (`$n::json`): an expression usable inside any statement. */
export const JOBS_FROM_JSON_SQL = (param: string) =>
  `graphile_worker.add_jobs(ARRAY(SELECT json_populate_record(null::graphile_worker.job_spec, x) FROM json_array_elements(${param}::json) x))`;
