/** What the engine's tasks need, passed explicitly (tests build their own). */
import { envVar } from "~/env";
import type { Db, SqlDb } from "~/server/db";
import type { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import type { JobSink } from "~/server/jobs/job-sink";
import type { ModelHookConfig } from "~/server/signals/model-hook";

export interface EngineDeps {
  db: Db;
  /**
   * The same database as raw SQL without the ORM (Database.sql): the per-order statements (claim,
   * results, signal completion, the fan-out's transaction) go through it.
   */
  sql: SqlDb;
  adapter: ExchangeAdapter;
  jobs: JobSink;
  model?: ModelHookConfig | null;
  now?: () => Date;
  /** Executions per execute_batch job. */
  batchSize?: number;
  /** Subscribers read and written per page of a fan-out (default FAN_OUT_PAGE). */
  fanOutPage?: number;
}

export const TIER_PRIORITY = { PRO: 0, FLEX: 1, TRIAL: 2 } as const;
/**
 * A claimed execution is someone's for this long; after it, a reconciler may take over. Longer
 * than any exchange call can take (ccxt timeout 10 s). Tests shorten it through the env.
 */
export const EXECUTION_LEASE_MS = envVar("EXECUTION_LEASE_MS");
/**
 * An order whose create got no answer may still be accepted by the exchange until the signed
 * request's receive window has passed (plus a clock margin). Only after that does a look-up that
 * finds nothing prove the order does not exist, so only then may it be sent again.
 */
export const RESEND_SAFE_AFTER_MS = envVar("EXCHANGE_RECV_WINDOW_MS") + 1_000;
