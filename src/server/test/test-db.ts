/**
 * Throwaway PostgreSQL databases for integration tests: each call creates a uniquely named
 * database on TEST_DATABASE_URL's server (default 127.0.0.1:5432), applies the migrations,
 * and drop() removes it. Nothing depends on state from an earlier run.
 */
import crypto from "node:crypto";
import pg from "pg";
import { createPgliteDatabase, createPostgresDatabase, type Database } from "~/server/db";
import { applyMigrations } from "~/server/db/apply-migrations";
import { installJobSchema } from "~/server/jobs/graphile-queue";

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function urlForDatabase(name: string, base = ADMIN_URL): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  database: Database;
  drop(): Promise<void>;
}

export async function createTestDatabase(opts: { migrate?: boolean; prefix?: string } = {}): Promise<TestDatabase> {
  const name = `${opts.prefix ?? "kr_test"}_${Date.now().toString(36)}_${crypto.randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = urlForDatabase(name);
  const database = createPostgresDatabase(url);
  if (opts.migrate !== false) {
    await applyMigrations(database);
    await installJobSchema(url);
  }
  return {
    name,
    url,
    database,
    async drop() {
      await database.close();
      await dropDatabase(name);
    },
  };
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** An in-memory embedded database with migrations applied. */
export async function createTestPglite(): Promise<Database> {
  const database = createPgliteDatabase(undefined);
  await applyMigrations(database);
  return database;
}
