/**
 * Jobs on graphile-worker (PostgreSQL): LISTEN/NOTIFY pickup in milliseconds, priorities, job
 * keys. Jobs are added with SQL inside the caller's transaction, so a signal and its jobs commit
 * together. Workers heartbeat; a worker silent past the lease has its jobs unlocked for others
 * (graphile-worker's own stale-lock reset waits 4 hours).
 */
import os from "node:os";
import { EventEmitter } from "node:events";
import { Logger, makeWorkerUtils, run, type Runner, type WorkerEvents } from "graphile-worker";
import pg from "pg";
import { openAll } from "~/server/db/open-all";
import { survivePoolErrors } from "~/server/db/pool-errors";
import { envVar } from "~/env";
import { JOBS_FROM_JSON_SQL, jobSpecsJson } from "~/server/jobs/graphile-sql";
import type { JobSpec, SqlExecutor, TaskList } from "~/server/jobs/job-types";
import { logger } from "~/server/logger";

export const WORKER_LEASE_SECONDS = envVar("WORKER_LEASE_SECONDS");
const HEARTBEAT_MS = 2_000;
const REAP_MS = 5_000;

export async function addJobsSql(tx: SqlExecutor, jobs: JobSpec[]): Promise<void> {
  if (jobs.length === 0) return;
  await tx.$executeRawUnsafe(`SELECT ${JOBS_FROM_JSON_SQL("$1")}`, jobSpecsJson(jobs));
}

/** Creates graphile-worker's schema (idempotent). Part of `npm run db:migrate`. */
export async function installJobSchema(connectionString: string): Promise<void> {
  const utils = await makeWorkerUtils({ connectionString });
  try {
    await utils.migrate();
  } finally {
    await utils.release();
  }
}

export interface WorkerHandle {
  runner: Runner;
  stop(): Promise<void>;
}

export async function startGraphileWorker(opts: {
  connectionString: string;
  tasks: TaskList;
  concurrency?: number;
  pollInterval?: number;
}): Promise<WorkerHandle> {
  // The queue holds a connection only to fetch or complete a job (never while the task runs), so a
  // few serve any concurrency; one per slot would eat PostgreSQL's max_connections at high concurrency.
  const poolMax = Math.min(opts.concurrency ?? 10, 8) + 4;
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: poolMax });
  survivePoolErrors(pool, "job queue");
  await openAll(pool, poolMax); // the first burst of jobs finds its connections open
  const workerIds = new Set<string>(); // live workers: heartbeated
  const everyId = new Set<string>(); // every worker this process ran: heartbeat rows removed at stop
  const taskList = Object.fromEntries(
    Object.entries(opts.tasks).map(([name, fn]) => [name, async (payload: unknown) => fn(payload as Record<string, unknown>)]),
  );
  let stopping = false;
  let generation = 0;
  const startRunner = () => {
    const gen = ++generation;
    // Listen before run(): the pool creates its workers (and emits worker:create) while starting.
    const events: WorkerEvents = new EventEmitter() as WorkerEvents;
    events.on("worker:create", ({ worker }) => {
      workerIds.add(worker.workerId);
      everyId.add(worker.workerId);
    });
    events.on("worker:stop", ({ worker, error }) => {
      // No longer heartbeated: the reaper hands the job it held (if any) to another worker.
      workerIds.delete(worker.workerId);
      // graphile-worker retires a worker for good when it cannot record a job's result (the
      // database went away mid-job: ECONNREFUSED and 57P01 are not among its retryable errors) and
      // never replaces it. Replace the runner, or the process idles forever while looking healthy.
      if (error && !stopping && gen === generation) void supervise(error);
    });
    return run({
      pgPool: pool,
      events,
      concurrency: opts.concurrency ?? 10,
      pollInterval: opts.pollInterval ?? 1_000,
      noHandleSignals: true,
      taskList,
      // graphile-worker logs to the console by default; route it through the redacting logger.
      logger: new Logger(() => (level, message, meta) => {
        const method = level === "error" ? "error" : level === "warning" ? "warn" : "debug";
        logger[method]({ graphile: meta }, message);
      }),
    });
  };
  let runner: Runner = await startRunner();
  let restarting: Promise<void> | null = null;
  const supervise = (error: unknown) =>
    (restarting ??= (async () => {
      logger.error({ err: error }, "a job worker stopped after a database error; restarting the worker pool");
      await runner.stop().catch((err: unknown) => logger.warn({ err }, "stopping the old worker pool failed"));
      for (let attempt = 0; !stopping; attempt++) {
        try {
          runner = await startRunner(); // needs the database: retried until it is back
          logger.warn("job worker pool restarted");
          return;
        } catch (err) {
          logger.warn({ err, attempt }, "job worker pool restart failed; retrying");
          await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
        }
      }
    })().finally(() => {
      restarting = null;
    }));

  const beat = async () => {
    if (workerIds.size === 0) return;
    const ids = [...workerIds];
    await pool.query(
      `INSERT INTO "WorkerHeartbeat" (id, hostname, pid, "startedAt", "lastSeenAt")
       SELECT unnest($1::text[]), $2, $3, now(), now()
       ON CONFLICT (id) DO UPDATE SET "lastSeenAt" = now()`,
      [ids, os.hostname(), process.pid],
    );
  };
  const reap = async () => {
    // Jobs locked by workers whose heartbeat stopped (kill -9, lost machine) go back to the queue;
    // the tasks reconcile with the exchange before any re-send.
    const { rows } = await pool.query<{ locked_by: string }>(
      `SELECT DISTINCT j.locked_by FROM graphile_worker.jobs j
       WHERE j.locked_by IS NOT NULL AND j.locked_at < now() - make_interval(secs => $1)
         AND NOT EXISTS (SELECT 1 FROM "WorkerHeartbeat" h WHERE h.id = j.locked_by AND h."lastSeenAt" > now() - make_interval(secs => $1))`,
      [WORKER_LEASE_SECONDS],
    );
    if (rows.length) {
      await pool.query(`SELECT graphile_worker.force_unlock_workers($1::text[])`, [rows.map((r) => r.locked_by)]);
      logger.warn({ workers: rows.map((r) => r.locked_by) }, "unlocked jobs of workers that stopped heartbeating");
    }
  };
  const safe = (fn: () => Promise<void>, what: string) => () => void fn().catch((err: unknown) => logger.warn({ err }, `${what} failed`));
  // Give the pool a moment to create its workers, then beat at once so a fresh worker is never reaped.
  await new Promise((r) => setTimeout(r, 50));
  await beat().catch(() => undefined);
  const timers = [setInterval(safe(beat, "worker heartbeat"), HEARTBEAT_MS), setInterval(safe(reap, "stale job reaper"), REAP_MS)];
  void reap().catch(() => undefined);

  return {
    get runner() {
      return runner;
    },
    async stop() {
      stopping = true;
      for (const t of timers) clearInterval(t);
      await restarting;
      await runner.stop().catch(() => undefined); // already stopped if a restart was cut short
      if (everyId.size) await pool.query(`DELETE FROM "WorkerHeartbeat" WHERE id = ANY($1::text[])`, [[...everyId]]).catch(() => undefined);
      await pool.end();
    },
  };
}
