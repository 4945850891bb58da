/**
 * The composition root: builds each process-wide resource once, from the environment, and keeps it in
 * the process registry (process-registry.ts), where every copy of this code finds it.
 *
 * Resources, one per process: the database (a PostgreSQL pool, or the embedded PGlite: never two),
 * the keyring, the rate-limit store, and, built by engine/runtime.ts (the trading half of this root,
 * kept apart so that code needing only the database does not load ccxt, ~1 s), the exchange clients'
 * state (ccxt clients, shared markets, per-key buckets) and the job queue.
 *
 * What keeps `instanceof` right in every module graph (Next gives instrumentation, route handlers and
 * server components a copy each): a resource never throws an app error (AppError, VaultError,
 * ExchangeError), only I/O and driver errors, and it is built by the caller's own code. The services
 * that do throw app errors (the exchange adapter, rate-limit checks, the engine's deps) hold no state
 * and each copy builds its own over the shared resources, so an app error is always made by the same
 * copy of its class as the code that catches it.
 */
import path from "node:path";
import pg from "pg";
import { getEnv } from "~/env";
import type { Database } from "~/server/db";
import { createPgliteDatabase, createPostgresDatabase, embeddedDir } from "~/server/db/connect";
import type { TradingResources } from "~/server/engine/runtime";
import { logger } from "~/server/logger";
import { processRegistry } from "~/server/process-registry";
import { createRateLimits, type RateLimitConfig, type RateLimits } from "~/server/ratelimit/rate-limits";
import { keyringFromEnv, type Keyring } from "~/server/vault/keyring";
import { auditKeyringFromEnv, type AuditKeyring } from "~/server/audit/audit-key";
import type { RefusalState } from "~/server/audit/refusal-audit";

export interface RateLimitSettings {
  /** Per-limit overrides of RATE_LIMIT_DEFAULTS. */
  limits?: RateLimitConfig;
  /** undefined: DATABASE_URL; null: memory; a URL: that PostgreSQL. */
  databaseUrl?: string | null;
}

/** What the registry keeps for this process; each entry is built on first use. */
export interface RootResources {
  database?: Database;
  keyring?: Keyring;
  /** The audit log's HMAC key(s) (audit/audit-key.ts). */
  auditKeyring?: AuditKeyring;
  /** Anonymous refusals counted per window before their chained row (audit/refusal-audit.ts). */
  auditRefusals?: RefusalState;
  rateLimits?: { limits: RateLimits; pool: pg.Pool | null };
  rateLimitSettings?: RateLimitSettings;
  /** The exchange clients' state and the job queue (engine/runtime.ts builds them). */
  trading?: TradingResources;
}

export function rootResources(): RootResources {
  return processRegistry().root;
}

/** The process's database, opened on first use. */
export function rootDatabase(): Database {
  const root = rootResources();
  if (!root.database) {
    const env = getEnv();
    root.database = env.DATABASE_URL
      ? createPostgresDatabase(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE }) // default 10; workers with a high WORKER_CONCURRENCY want more
      : createPgliteDatabase(embeddedDir(env.DATA_DIR));
  }
  return root.database;
}

export async function closeRootDatabase(): Promise<void> {
  const root = rootResources();
  const database = root.database;
  root.database = undefined;
  await database?.close();
}

/** The process's keyring (a KDF, if any, runs here only). Throws when the environment has no usable key. */
export function rootKeyring(): Keyring {
  const root = rootResources();
  if (!root.keyring) {
    const env = getEnv();
    root.keyring = keyringFromEnv(env, { dataDir: path.resolve(env.DATA_DIR), warn: (message) => logger.warn(message) });
  }
  return root.keyring;
}

/** The process's audit keyring. Throws (naming AUDIT_HMAC_KEY) in production without the key. */
export function rootAuditKeyring(): AuditKeyring {
  const root = rootResources();
  if (!root.auditKeyring) {
    const env = getEnv();
    root.auditKeyring = auditKeyringFromEnv(env, { dataDir: path.resolve(env.DATA_DIR), warn: (message) => logger.warn(message) });
  }
  return root.auditKeyring;
}

/**
 * The process's rate limits: PostgreSQL-backed when DATABASE_URL is set (shared by every process on
 * that database), in memory otherwise. Use consume/reset from any copy of the code; for the check
 * that throws, see ratelimit/process-rate-limits.ts (assertWithinLimit).
 */
export function rootRateLimits(): RateLimits {
  const root = rootResources();
  if (!root.rateLimits) {
    const settings = root.rateLimitSettings ?? {};
    const url = settings.databaseUrl === undefined ? getEnv().DATABASE_URL : settings.databaseUrl;
    // Its own small pool: rate limiting must not queue behind (or starve) Prisma's connections,
    // and a dead database must fail fast so the in-memory fallback takes over.
    const pool = url
      ? new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 5_000, statement_timeout: 5_000, idleTimeoutMillis: 30_000 })
      : null;
    // Without a listener, an idle client's error (database restarted) would crash the process.
    pool?.on("error", (err) => logger.warn({ err }, "rate limit store: idle PostgreSQL connection failed"));
    root.rateLimits = { limits: createRateLimits({ pool: pool ?? undefined, limits: settings.limits }), pool };
  }
  return root.rateLimits.limits;
}

/** Replaces the rules and/or store; the next use builds fresh limiters (counters start at zero). */
export function configureRootRateLimits(settings: RateLimitSettings): void {
  const root = rootResources();
  const previous = root.rateLimits;
  root.rateLimits = undefined;
  root.rateLimitSettings = settings;
  previous?.pool?.end().catch((err: unknown) => logger.warn({ err }, "rate limit store: closing the old pool failed"));
}

export async function closeRootRateLimits(): Promise<void> {
  const root = rootResources();
  const current = root.rateLimits;
  root.rateLimits = undefined;
  await current?.pool?.end();
}

/** Stops the job runners and closes everything the process opened (shutdown of the web process, the worker CLI, tests). */
export async function closeRoot(): Promise<void> {
  const root = rootResources();
  const trading = root.trading;
  root.trading = undefined;
  await trading?.close();
  // Counted refusals become their chained rows before the database goes.
  const { flushRefusals } = await import("~/server/audit/refusal-audit");
  await flushRefusals();
  await closeRootRateLimits();
  await closeRootDatabase();
}
