/**
 * The one Prisma client. DATABASE_URL set -> real PostgreSQL through @prisma/adapter-pg;
 * unset -> embedded PostgreSQL (PGlite) persisted under DATA_DIR/pglite, single process.
 * Kept on globalThis because Next bundles and the server entry load this module separately
 * but must share one client (and PGlite must never be opened twice in one process).
 */
import path from "node:path";
import fs from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { getEnv } from "~/env";
import { logger } from "~/server/logger";
import { PrismaClient } from "~/generated/prisma/client";

export type Db = PrismaClient;

/** Raw SQL access for migrations and tests, the same shape for both databases. */
export interface RawSql {
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Database {
  prisma: PrismaClient;
  raw: RawSql;
  kind: "postgres" | "pglite";
  /** Runs fn on one connection (session-level state such as advisory locks stays put). */
  session<T>(fn: (raw: RawSql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** RawSql over any Prisma client (or transaction), for code that is handed a client rather than a Database. */
export function rawFromPrisma(db: Pick<PrismaClient, "$queryRawUnsafe" | "$executeRawUnsafe">): RawSql {
  return {
    exec: async (sql) => void (await db.$executeRawUnsafe(sql)),
    query: <T,>(sql: string, params: unknown[] = []) => db.$queryRawUnsafe<T[]>(sql, ...params),
  };
}

export function createPostgresDatabase(url: string, opts: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // An idle connection dropped by the server (restart, failover) must not crash the process;
  // the pool replaces it on next use.
  pool.on("error", (err) => logger.warn({ err }, "database: idle connection lost"));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    kind: "postgres",
    raw: {
      exec: async (sql) => void (await pool.query(sql)),
      query: async <T,>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[],
    },
    session: async (fn) => {
      const client = await pool.connect();
      try {
        return await fn({
          exec: async (sql) => void (await client.query(sql)),
          query: async <T,>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
        });
      } finally {
        client.release();
      }
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

export function createPgliteDatabase(dir: string | undefined): Database {
  if (dir) fs.mkdirSync(path.dirname(dir), { recursive: true });
  const client = dir ? new PGlite(dir) : new PGlite();
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  const raw: RawSql = {
    exec: async (sql) => void (await client.exec(sql)),
    query: async <T,>(sql: string, params?: unknown[]) => (await client.query<T>(sql, params)).rows,
  };
  return {
    prisma,
    kind: "pglite",
    raw,
    session: (fn) => fn(raw), // PGlite is a single session already
    close: async () => {
      await prisma.$disconnect();
      await client.close();
    },
  };
}

export function embeddedDir(dataDir: string): string {
  return path.resolve(dataDir, "pglite");
}

const g = globalThis as unknown as { __keyrelayDatabase?: Database };

/** The process-wide database, created on first use from the environment. */
export function getDatabase(): Database {
  if (!g.__keyrelayDatabase) {
    const env = getEnv();
    g.__keyrelayDatabase = env.DATABASE_URL
      ? createPostgresDatabase(env.DATABASE_URL, { max: Number(process.env.DATABASE_POOL_SIZE) || undefined }) // default 10; workers with a high WORKER_CONCURRENCY want more
      : createPgliteDatabase(embeddedDir(env.DATA_DIR));
  }
  return g.__keyrelayDatabase;
}

export function getDb(): Db {
  return getDatabase().prisma;
}

export async function closeDatabase(): Promise<void> {
  const d = g.__keyrelayDatabase;
  g.__keyrelayDatabase = undefined;
  await d?.close();
}
