/** The jobs KeyRelay runs, shared by the PostgreSQL (graphile-worker) and in-process queues. */
import type { SqlClient } from "~/server/db";

export interface JobSpec {
  task:
    | "process_signal"
    | "execute_batch"
    | "check_drift"
    | "protect_position"
    | "watch_protection"
    | "deliver_notification"
    | "notify_orders"
    | "notify_signal_rejected"
    | "daily_summary"
    | "check_key_health";
  payload: Record<string, unknown>;
  /** Lower runs first (graphile-worker semantics): PRO 0, FLEX 1, TRIAL 2. */
  priority?: number;
  jobKey?: string;
  maxAttempts?: number;
  /** Run no sooner than this many milliseconds after the add (background checks stay out of bursts). */
  delayMs?: number;
}

export type TaskHandler = (payload: Record<string, unknown>) => Promise<void>;
export type TaskList = Record<JobSpec["task"], TaskHandler>;

/** Minimal SQL executor (a Prisma transaction client or Database.sql fits). */
export type SqlExecutor = Pick<SqlClient, "$executeRawUnsafe">;
