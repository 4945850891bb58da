/**
 * Boots the web process, from src/instrumentation.ts (Next's start-up hook, once per process, before
 * anything is served): checks the keyring (production without a valid ENCRYPTION_KEY must not start),
 * applies pending migrations (dev, embedded database), starts the in-process job runner (embedded
 * database, dev, or WORKER_IN_PROCESS), then registers the webhook handler the server entry serves
 * TradingView alerts with, ahead of Next's routing (half the CPU per alert of going through Next).
 * Never throws: a failure goes to the registry, where the server entry reports it and exits.
 */
import { getEnv } from "~/env";
import { closeRoot, rootAuditKeyring, rootDatabase, rootKeyring } from "~/server/composition";
import { applyMigrations } from "~/server/db/apply-migrations";
import { getEngine, startEngineWorkers } from "~/server/engine/runtime";
import { logger } from "~/server/logger";
import { processRegistry } from "~/server/process-registry";
import { serveWebhook } from "~/server/signals/webhook-http";

export async function bootWebProcess(opts: { dev: boolean }): Promise<void> {
  const web = processRegistry().web;
  if (web.booting) return;
  web.booting = true;
  try {
    const env = getEnv();
    rootKeyring();
    rootAuditKeyring(); // production without AUDIT_HMAC_KEY must not start either
    if (opts.dev || !env.DATABASE_URL) {
      const result = await applyMigrations(rootDatabase());
      if (result.applied.length) logger.info({ applied: result.applied }, "applied database migrations");
    }
    // Jobs: the embedded database runs them in this process; with PostgreSQL, `npm run worker` does
    // (or this process, in dev or with WORKER_IN_PROCESS=1).
    if (!env.DATABASE_URL || env.WORKER_IN_PROCESS || opts.dev) await startEngineWorkers();
    const { deps } = getEngine();
    web.resolve({
      webhook: (req, res, input) => serveWebhook(deps, req, res, input),
      close: () => closeRoot().catch((err: unknown) => logger.warn({ err }, "closing the database failed")),
    });
  } catch (err) {
    web.reject(err);
  }
}
