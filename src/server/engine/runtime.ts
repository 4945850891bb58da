/**
 * Wires the engine for this process: the PostgreSQL queue (graphile-worker) with a real
 * database, the in-process queue with the embedded one (PGlite is single-process).
 */
import { getEnv } from "~/env";
import { getDatabase } from "~/server/db";
import type { EngineDeps, JobSink } from "~/server/engine/engine-deps";
import { processSignal } from "~/server/engine/fan-out";
import { executeBatch } from "~/server/engine/place-order";
import { reconcileAtStart } from "~/server/engine/reconcile";
import { addJobsSql, startGraphileWorker, type WorkerHandle } from "~/server/jobs/graphile-queue";
import { InProcessQueue } from "~/server/jobs/in-process-queue";
import type { TaskList } from "~/server/jobs/job-types";
import { getExchangeAdapter } from "~/server/keys/exchange-access";
import { logger } from "~/server/logger";
import type { ModelHookConfig } from "~/server/signals/model-hook";

const g = globalThis as unknown as { __keyrelayEngine?: { deps: EngineDeps; inProcess: InProcessQueue | null; worker?: WorkerHandle } };

/** Tasks running in this process right now (start-up client building waits while any is). */
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
    execute_batch: (p) => counted(() => executeBatch(deps, (p.ids as string[]) ?? [], typeof p.priority === "number" ? p.priority : undefined))(),
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
    take: 5_000,
  });
  const built = await deps.adapter.clients.prewarm(creds, { busy: () => running > 0, stopped: opts.stopped });
  if (built) logger.info({ clients: built, ms: Date.now() - started }, "exchange clients built ahead of the first orders");
  return built;
}

export function graphileSink(): JobSink {
  return { addInTx: (tx, jobs) => addJobsSql(tx, jobs), afterCommit: () => undefined };
}

export function inProcessSink(queue: InProcessQueue): JobSink {
  return { addInTx: async () => undefined, afterCommit: (jobs) => queue.add(jobs) };
}

function modelConfig(): ModelHookConfig | null {
  const env = getEnv();
  if (!env.DECISION_MODEL_URL) return null;
  return { url: env.DECISION_MODEL_URL, apiKey: env.DECISION_MODEL_API_KEY, model: env.DECISION_MODEL_NAME, timeoutMs: env.DECISION_MODEL_TIMEOUT_MS, failMode: env.DECISION_MODEL_FAIL_MODE };
}

export function getEngine() {
  if (!g.__keyrelayEngine) {
    const database = getDatabase();
    const inProcess = database.kind === "pglite" ? new InProcessQueue(16) : null;
    const deps: EngineDeps = {
      db: database.prisma,
      adapter: getExchangeAdapter(),
      jobs: inProcess ? inProcessSink(inProcess) : graphileSink(),
      model: modelConfig(),
    };
    g.__keyrelayEngine = { deps, inProcess };
  }
  return g.__keyrelayEngine;
}

/** Starts executing jobs in this process: the in-process queue (embedded DB) or a graphile-worker pool. */
export async function startEngineWorkers(opts: { concurrency?: number } = {}) {
  const engine = getEngine();
  const tasks = makeTasks(engine.deps);
  if (engine.inProcess) {
    engine.inProcess.start(tasks);
    await reconcileAtStart(engine.deps, { includeQueued: true });
    logger.info("in-process job runner started (embedded database)");
    void prewarmClients(engine.deps).catch((err: unknown) => logger.warn({ err }, "building exchange clients ahead failed; they are built on first use"));
    return engine;
  }
  const url = getEnv().DATABASE_URL!;
  engine.worker ??= await startGraphileWorker({ connectionString: url, tasks, concurrency: opts.concurrency ?? getEnv().WORKER_CONCURRENCY });
  await reconcileAtStart(engine.deps, { includeQueued: false });
  logger.info({ concurrency: opts.concurrency ?? getEnv().WORKER_CONCURRENCY }, "job worker started (graphile-worker)");
  void prewarmClients(engine.deps).catch((err: unknown) => logger.warn({ err }, "building exchange clients ahead failed; they are built on first use"));
  return engine;
}
