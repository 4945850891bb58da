/**
 * Opens a database: a real PostgreSQL through @prisma/adapter-pg, or the embedded PostgreSQL (PGlite,
 * single process) in a directory or in memory. The process's own database is opened once, by the
 * composition root (src/server/composition.ts); tests and benchmarks open their own here.
 */
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "~/generated/prisma/client";
import type { Database, RawSql } from "~/server/db";
import { openAll } from "~/server/db/open-all";
import { pgSql } from "~/server/db/pg-sql";
import { survivePoolErrors } from "~/server/db/pool-errors";

export function createPostgresDatabase(url: string, opts: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  survivePoolErrors(pool, "database");
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    sql: pgSql(pool),
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
    warm: () => openAll(pool, opts.max ?? 10),
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
    sql: prisma,
    kind: "pglite",
    raw,
    session: (fn) => fn(raw), // PGlite is a single session already
    warm: async () => undefined,
    close: async () => {
      await prisma.$disconnect();
      await client.close();
    },
  };
}

export function embeddedDir(dataDir: string): string {
  return path.resolve(dataDir, "pglite");
}
