/** What the engine's tasks need, passed explicitly (tests build their own). */
import type { Db } from "~/server/db";
import type { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import type { JobSpec, SqlExecutor } from "~/server/jobs/job-types";
import type { ModelHookConfig } from "~/server/signals/model-hook";

export interface JobSink {
  /** Adds jobs inside the caller's transaction (PostgreSQL queue), or does nothing (in-process). */
  addInTx(tx: SqlExecutor, jobs: JobSpec[]): Promise<void>;
  /** Hands jobs over after commit (in-process queue), or does nothing (PostgreSQL queue). */
  afterCommit(jobs: JobSpec[]): void;
}

export interface EngineDeps {
  db: Db;
  adapter: ExchangeAdapter;
  jobs: JobSink;
  model?: ModelHookConfig | null;
  now?: () => Date;
  /** Executions per execute_batch job. */
  batchSize?: number;
}

export const TIER_PRIORITY = { PRO: 0, FLEX: 1, TRIAL: 2 } as const;
/**
 * A claimed execution is someone's for this long; after it, a reconciler may take over. Longer
 * than any exchange call can take (ccxt timeout 10 s). Tests shorten it through the env.
 */
export const EXECUTION_LEASE_MS = Number(process.env.EXECUTION_LEASE_MS ?? 30_000);
