/**
 * The one database of the process, as the composition root (src/server/composition.ts) opened it from
 * the environment: DATABASE_URL set -> a real PostgreSQL; unset -> the embedded PostgreSQL (PGlite)
 * under DATA_DIR/pglite, single process. Code asks here for it; it is opened once per process, however
 * many module graphs load this file.
 */
import { closeRootDatabase, rootDatabase } from "~/server/composition";
import type { PrismaClient } from "~/generated/prisma/client";

// Opening a database of one's own (tests, benchmarks, the migration CLI's fresh directory): db/connect.ts.
export { createPgliteDatabase, createPostgresDatabase, embeddedDir } from "~/server/db/connect";

export type Db = PrismaClient;

/** Raw SQL access for migrations and tests, the same shape for both databases. */
export interface RawSql {
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The raw-SQL surface of a Prisma client, as plain promises: a Prisma client or transaction fits,
 * and so does the direct pg path (db/pg-sql.ts). Values: see pg-sql.ts (cast numerics to text).
 */
export interface SqlClient {
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
}

/** SqlClient with transactions. */
export interface SqlDb extends SqlClient {
  $transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

export interface Database {
  prisma: PrismaClient;
  /** Raw SQL without the ORM, for hot paths: on the pg pool with PostgreSQL, the Prisma client with PGlite. */
  sql: SqlDb;
  raw: RawSql;
  kind: "postgres" | "pglite";
  /** Runs fn on one connection (session-level state such as advisory locks stays put). */
  session<T>(fn: (raw: RawSql) => Promise<T>): Promise<T>;
  /** Opens the pool's connections ahead of the first burst of work (a no-op on PGlite). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

/** RawSql over any Prisma client (or transaction), for code that is handed a client rather than a Database. */
export function rawFromPrisma(db: Pick<PrismaClient, "$queryRawUnsafe" | "$executeRawUnsafe">): RawSql {
  return {
    exec: async (sql) => void (await db.$executeRawUnsafe(sql)),
    query: <T,>(sql: string, params: unknown[] = []) => db.$queryRawUnsafe<T[]>(sql, ...params),
  };
}

/** The process-wide database, opened on first use from the environment. */
export function getDatabase(): Database {
  return rootDatabase();
}

export function getDb(): Db {
  return getDatabase().prisma;
}

/** Closes the process's database; the next getDatabase() opens a new one (tests, CLIs at exit). */
export function closeDatabase(): Promise<void> {
  return closeRootDatabase();
}
