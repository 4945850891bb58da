/**
 * The trading half of the composition root (composition.ts explains the split and the rule).
 * Resources, one per process in the registry: the exchange clients' state (ccxt clients, shared
 * markets, per-key limits) and the job queue: graphile-worker's tables with a real database, the
 * in-process queue with the embedded one (PGlite is single-process). Services, built by each module
 * graph over them and holding nothing of their own: the exchange adapter and the engine's deps.
 */
import { getEnv } from "~/env";
import { rootDatabase, rootKeyring, rootResources } from "~/server/composition";
import type { Database } from "~/server/db";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { executeBatch } from "~/server/engine/execute-batch";
import { checkDrift } from "~/server/positions/drift-check";
import { watchJob, watchProtection } from "~/server/positions/protection/protection-watch";
import { syncProtection } from "~/server/positions/protection/sync-protection";
import { processSignal } from "~/server/engine/fan-out";
import { reconcileAtStart } from "~/server/engine/reconcile";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients, type ExchangeClientsState } from "~/server/exchanges/exchange-clients";
import { addJobsSql, startGraphileWorker, type WorkerHandle } from "~/server/jobs/graphile-queue";
import { jobSpecsJson } from "~/server/jobs/graphile-sql";
import { InProcessQueue } from "~/server/jobs/in-process-queue";
import type { JobSink } from "~/server/jobs/job-sink";
import type { TaskList } from "~/server/jobs/job-types";
import { checkKeyHealth, keyHealthJob } from "~/server/keys/key-health";
import { disableAfterAuthFailure } from "~/server/keys/verify-credential";
import { logger } from "~/server/logger";
import { dailySummaryJob, sendDailySummaries } from "~/server/notifications/daily-summary";
import { deliverNotification } from "~/server/notifications/deliver";
import { notifyOrders, notifySignalRejected } from "~/server/notifications/engine-events";
import { processSendSettings } from "~/server/notifications/send-settings";
import type { ModelHookConfig } from "~/server/signals/model-hook";

/** Kept in the process registry (RootResources.trading). */
export interface TradingResources {
  /** Set by the first ExchangeClients built; every later one works on it. */
  exchange?: ExchangeClientsState;
  /** The embedded database's queue; null with PostgreSQL. */
  queue: InProcessQueue | null;
  /** graphile-worker, once this process runs jobs on PostgreSQL. */
  worker?: WorkerHandle;
  /** startEngineWorkers ran: this process runs jobs. */
  jobsStarted: boolean;
  close(): Promise<void>;
}

export interface Engine {
  deps: EngineDeps;
  inProcess: InProcessQueue | null;
  worker?: WorkerHandle;
}

/** Tasks of this module's copy running right now (start-up client building waits while any is). */
let running = 0;
const counted = (fn: () => Promise<void>) => async () => {
  running++;
  try {
    await fn();
  } finally {
    running--;
  }
};

export function makeTasks(deps: EngineDeps): TaskList {
  return {
    process_signal: (p) => counted(() => processSignal(deps, String(p.signalId)))(),
    execute_batch: (p) =>
      counted(() => executeBatch(deps, (p.ids as string[]) ?? [], typeof p.priority === "number" ? p.priority : undefined, typeof p.signalId === "string" ? p.signalId : undefined))(),
    check_drift: (p) => counted(async () => void (await checkDrift(deps, typeof p.signalId === "string" ? { signalId: p.signalId } : { all: true })))(),
    protect_position: (p) => counted(async () => void (await syncProtection(deps, String(p.positionId))))(),
    check_key_health: async () => {
      try {
        const env = getEnv();
        await checkKeyHealth({ db: deps.db, adapter: deps.adapter, jobs: deps.jobs, egressIps: env.EGRESS_IPS, requireIpRestriction: env.REQUIRE_KEY_IP_RESTRICTION, now: deps.now });
      } finally {
        // The next round, one queued at a time (job key), however many workers.
        const next = [keyHealthJob()];
        await deps.db.$transaction((tx) => deps.jobs.addInTx(tx, next));
        deps.jobs.afterCommit(next);
      }
    },
    // Notifications: below every trading job; a failing channel retries on its own (deliver.ts).
    deliver_notification: async (p) => void (await deliverNotification({ ...processSendSettings(), db: deps.db }, String(p.deliveryId))),
    notify_orders: async (p) => void (await notifyOrders(deps, (p.ids as string[]) ?? [])),
    notify_signal_rejected: async (p) => void (await notifySignalRejected(deps, String(p.signalId))),
    daily_summary: async () => {
      try {
        await sendDailySummaries(deps);
      } finally {
        const next = [dailySummaryJob()];
        await deps.db.$transaction((tx) => deps.jobs.addInTx(tx, next));
        deps.jobs.afterCommit(next);
      }
    },
    watch_protection: async () => {
      try {
        await watchProtection(deps);
      } finally {
        // The next round (a job key: one watch queued at a time, however many workers).
        const next = [watchJob()];
        await deps.db.$transaction((tx) => deps.jobs.addInTx(tx, next));
        deps.jobs.afterCommit(next);
      }
    },
  };
}

/**
 * Builds, in the background, the exchange clients of the keys that trade (ACTIVE, subscribed to an
 * enabled strategy), so the first fan-out after a start does not build them on the way. Yields to
 * jobs: it only works while none is running.
 */
export async function prewarmClients(deps: EngineDeps, opts: { stopped?: () => boolean } = {}): Promise<number> {
  const started = Date.now();
  const creds = await deps.db.exchangeCredential.findMany({
    where: { status: "ACTIVE", user: { disabledAt: null, tradingMode: "PERSONAL" }, subscriptions: { some: { paused: false, strategy: { enabled: true } } } },
    orderBy: { updatedAt: "desc" },
    take: 20_000, // the client cache's bound: a view costs a few KB, so every trading key is opened ahead
  });
  const built = await deps.adapter.clients.prewarm(creds, { busy: () => running > 0, stopped: opts.stopped });
  if (built) logger.info({ clients: built, ms: Date.now() - started }, "exchange clients built ahead of the first orders");
  return built;
}

export function graphileSink(): JobSink {
  return { addInTx: (tx, jobs) => addJobsSql(tx, jobs), afterCommit: () => undefined, jobsJson: jobSpecsJson };
}

export function inProcessSink(queue: InProcessQueue): JobSink {
  return { addInTx: async () => undefined, afterCommit: (jobs) => queue.add(jobs) };
}

function modelConfig(): ModelHookConfig | null {
  const env = getEnv();
  if (!env.DECISION_MODEL_URL) return null;
  return { url: env.DECISION_MODEL_URL, apiKey: env.DECISION_MODEL_API_KEY, model: env.DECISION_MODEL_NAME, timeoutMs: env.DECISION_MODEL_TIMEOUT_MS, failMode: env.DECISION_MODEL_FAIL_MODE };
}

function tradingResources(): TradingResources {
  const root = rootResources();
  if (!root.trading) {
    const trading: TradingResources = {
      queue: rootDatabase().kind === "pglite" ? new InProcessQueue(16) : null,
      jobsStarted: false,
      close: async () => {
        await trading.worker?.stop();
      },
    };
    root.trading = trading;
  }
  return root.trading;
}

/** This copy's services, rebuilt when the resources under them were replaced (a test closed the database). */
let services: { trading: TradingResources; database: Database; adapter: ExchangeAdapter; deps: EngineDeps } | undefined;

function tradingServices() {
  const trading = tradingResources();
  const database = rootDatabase();
  if (services?.trading !== trading || services.database !== database) {
    const clients = new ExchangeClients({ keyring: rootKeyring(), simulatorUrl: getEnv().EXCHANGE_SIMULATOR_URL, state: trading.exchange });
    const jobs = trading.queue ? inProcessSink(trading.queue) : graphileSink();
    trading.exchange ??= clients.state;
    const adapter = new ExchangeAdapter(clients, {
      onAuthFailure: async (cred, err) => {
        logger.warn({ credentialId: cred.id, exchange: cred.exchange }, "exchange refused a key; disabling it");
        await disableAfterAuthFailure(rootDatabase().prisma, cred.id, err.message, jobs);
      },
    });
    const deps: EngineDeps = { db: database.prisma, sql: database.sql, adapter, jobs, model: modelConfig() };
    services = { trading, database, adapter, deps };
  }
  return services;
}

/** The process's exchange adapter (over the one set of clients, markets and per-key limits), wired to the vault, the simulator setting and auto-disable. */
export function exchangeAdapter(): ExchangeAdapter {
  return tradingServices().adapter;
}

export function getEngine(): Engine {
  const { trading, deps } = tradingServices();
  return { deps, inProcess: trading.queue, worker: trading.worker };
}

/**
 * Starts executing jobs in this process, once: the in-process queue (embedded DB) or a graphile-worker
 * pool. The web process (src/instrumentation.ts) and `npm run worker` call it.
 */
export async function startEngineWorkers(opts: { concurrency?: number } = {}): Promise<Engine> {
  const { trading, deps } = tradingServices();
  if (trading.jobsStarted) return getEngine();
  trading.jobsStarted = true;
  const tasks = makeTasks(deps);
  if (trading.queue) {
    trading.queue.start(tasks);
    await reconcileAtStart(deps, { includeQueued: true });
    logger.info("in-process job runner started (embedded database)");
  } else {
    const concurrency = opts.concurrency ?? getEnv().WORKER_CONCURRENCY;
    try {
      trading.worker = await startGraphileWorker({ connectionString: getEnv().DATABASE_URL!, tasks, concurrency });
    } catch (err) {
      trading.jobsStarted = false;
      throw err;
    }
    await reconcileAtStart(deps, { includeQueued: false });
    await tradingServices().database.warm();
    logger.info({ concurrency }, "job worker started (graphile-worker)");
  }
  void prewarmClients(deps).catch((err: unknown) => logger.warn({ err }, "building exchange clients ahead failed; they are built on first use"));
  return getEngine();
}
