/**
 * End-to-end check of the offline Prisma setup: the real Prisma CLI, run through
 * scripts/prisma.mjs, with scripts/prisma-schema-engine.mjs standing in for the native schema
 * engine. Uses a throw-away project directory and throw-away databases (unique names, dropped
 * afterwards) on the PostgreSQL server of TEST_DATABASE_URL (an admin URL, default
 * postgresql://postgres@127.0.0.1:5432/postgres), plus a throw-away PGlite directory.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wrapper = path.join(projectRoot, "scripts", "prisma.mjs");
const adminUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const runId = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
const DB_PREFIX = `kr_schema_engine_test_${runId}_`;

const SCHEMA = `datasource db {
  provider = "postgresql"
}

model Owner {
  id     Int     @id @default(autoincrement())
  email  String  @unique
  note   String  @default("semi;colon")
  things Thing[]
}

model Thing {
  id      String @id
  ownerId Int
  owner   Owner  @relation(fields: [ownerId], references: [id], onDelete: Cascade)

  @@index([ownerId])
}
`;

// A config without imports, so that the temp project needs no node_modules of its own.
const CONFIG = `export default {
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://pglite/.data/pglite" },
};
`;

type RunResult = { code: number | null; stdout: string; stderr: string; ms: number };

let tmpDir = "";
let traceFile = "";
const createdDatabases = new Set<string>();

function dbUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function newDatabaseName(suffix: string): string {
  const name = `${DB_PREFIX}${suffix}`;
  createdDatabases.add(name);
  return name;
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function existingDatabases(like: string): Promise<string[]> {
  return withAdmin(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname",
      [like],
    );
    return rows.map((row) => row.datname);
  });
}

function prisma(args: string[], databaseUrl: string | undefined): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, PRISMA_SCHEMA_ENGINE_TRACE: traceFile };
  delete env.PRISMA_SCHEMA_ENGINE_BINARY; // the wrapper must supply the stand-in
  if (databaseUrl === undefined) delete env.DATABASE_URL;
  else env.DATABASE_URL = databaseUrl;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wrapper, ...args], { cwd: tmpDir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

function expectSuccess(result: RunResult, what: string): void {
  if (result.code !== 0) {
    throw new Error(`${what} exited with ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
}

async function tableNames(url: string): Promise<string[]> {
  return withAdmin(url, async (client) => {
    const { rows } = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    return rows.map((row) => row.tablename);
  });
}

beforeAll(async () => {
  tmpDir = await mkdtemp(path.join(os.tmpdir(), "kr-schema-engine-test-"));
  traceFile = path.join(tmpDir, "engine-trace.log");
  await mkdir(path.join(tmpDir, "prisma", "migrations"), { recursive: true });
  await writeFile(path.join(tmpDir, "prisma", "schema.prisma"), SCHEMA);
  await writeFile(path.join(tmpDir, "prisma", "migrations", "migration_lock.toml"), 'provider = "postgresql"\n');
  await writeFile(path.join(tmpDir, "prisma.config.ts"), CONFIG);
});

afterAll(async () => {
  // Only databases this run named (unique prefix) are dropped.
  try {
    if (createdDatabases.size > 0) {
      await withAdmin(adminUrl, async (client) => {
        for (const name of createdDatabases) {
          if (!name.startsWith(DB_PREFIX)) continue;
          await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        }
      });
    }
  } finally {
    if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
  }
});

describe("prisma CLI with the wasm schema engine stand-in", () => {
  describe("real PostgreSQL", () => {
    const dbA = newDatabaseName("a");
    const dbB = newDatabaseName("b");

    beforeAll(async () => {
      try {
        await withAdmin(adminUrl, (client) => client.query("SELECT 1"));
      } catch (error) {
        throw new Error(
          `PostgreSQL is not reachable at TEST_DATABASE_URL (${adminUrl}): ${(error as Error).message}. ` +
            "Start it (pg_ctlcluster --skip-systemctl-redirect <version> main start) or point TEST_DATABASE_URL at a server.",
        );
      }
    });

    it("migrate dev --name init creates the database, a migration, and applies it", async () => {
      const result = await prisma(["migrate", "dev", "--name", "init"], dbUrl(dbA));
      expectSuccess(result, "migrate dev");
      expect(result.stdout).toContain("Your database is now in sync with your schema.");

      const dirs = (await readdir(path.join(tmpDir, "prisma", "migrations"))).filter((d) => d.endsWith("_init"));
      expect(dirs).toHaveLength(1);
      const sql = await readFile(path.join(tmpDir, "prisma", "migrations", dirs[0] ?? "", "migration.sql"), "utf8");
      expect(sql).toContain('CREATE TABLE "Owner"');
      expect(sql).toContain('CREATE TABLE "Thing"');
      expect(sql).toContain("'semi;colon'");

      expect(await tableNames(dbUrl(dbA))).toEqual(["Owner", "Thing", "_prisma_migrations"]);
      const applied = await withAdmin(dbUrl(dbA), async (client) => {
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
        );
        return rows[0]?.n;
      });
      expect(applied).toBe(1);
    });

    it("migrate deploy applies the migration to a second, empty database", async () => {
      await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${dbB}"`));
      const result = await prisma(["migrate", "deploy"], dbUrl(dbB));
      expectSuccess(result, "migrate deploy");
      expect(result.stdout).toContain("All migrations have been successfully applied.");
      expect(await tableNames(dbUrl(dbB))).toEqual(["Owner", "Thing", "_prisma_migrations"]);
      const defaults = await withAdmin(dbUrl(dbB), async (client) => {
        const { rows } = await client.query<{ d: string }>(
          "SELECT column_default AS d FROM information_schema.columns WHERE table_name = 'Owner' AND column_name = 'note'",
        );
        return rows[0]?.d;
      });
      expect(defaults).toContain("semi;colon");
    });

    it("migrate status reports the database as up to date", async () => {
      const result = await prisma(["migrate", "status"], dbUrl(dbB));
      expectSuccess(result, "migrate status");
      expect(result.stdout).toContain("Database schema is up to date!");
    });

    it("migrate diff --from-empty --to-schema --script prints SQL", async () => {
      const result = await prisma(
        ["migrate", "diff", "--from-empty", "--to-schema", "prisma/schema.prisma", "--script"],
        dbUrl(dbB),
      );
      expectSuccess(result, "migrate diff");
      expect(result.stdout).toContain('CREATE TABLE "Owner"');
      expect(result.stdout).toContain("ADD CONSTRAINT \"Thing_ownerId_fkey\" FOREIGN KEY");
    });

    it("leaves no shadow databases behind", async () => {
      const trace = existsSync(traceFile) ? await readFile(traceFile, "utf8") : "";
      const shadows = [...trace.matchAll(/shadow: create database (prisma_migrate_shadow_db_\w+)/g)].map((m) => m[1] ?? "");
      expect(shadows.length).toBeGreaterThan(0); // migrate dev used a shadow database on the server
      const leaked = (await existingDatabases("prisma_migrate_shadow_db_%")).filter((name) => shadows.includes(name));
      expect(leaked).toEqual([]);
    });
  });

  describe("embedded PGlite", () => {
    it("migrate deploy works on a fresh PGlite directory", async () => {
      // Needs the migration created by the PostgreSQL tests; create it here if they did not run.
      const migrationsDir = path.join(tmpDir, "prisma", "migrations");
      if (!(await readdir(migrationsDir)).some((d) => d.endsWith("_init"))) {
        const sql = await prisma(["migrate", "diff", "--from-empty", "--to-schema", "prisma/schema.prisma", "--script"], undefined);
        expectSuccess(sql, "migrate diff");
        await mkdir(path.join(migrationsDir, "20000101000000_init"));
        await writeFile(path.join(migrationsDir, "20000101000000_init", "migration.sql"), sql.stdout);
      }

      const dir = path.join(tmpDir, "pglite-data");
      const url = `postgresql://pglite/${dir}`; // absolute dir: postgresql://pglite//tmp/...
      const result = await prisma(["migrate", "deploy"], url);
      expectSuccess(result, "migrate deploy (PGlite)");
      expect(result.stdout).toContain("All migrations have been successfully applied.");
      expect(existsSync(path.join(dir, "PG_VERSION"))).toBe(true);

      const { PGlite } = await import("@electric-sql/pglite");
      const db = new PGlite(dir);
      try {
        const { rows } = await db.query<{ tablename: string }>(
          "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
        );
        expect(rows.map((row) => row.tablename)).toEqual(["Owner", "Thing", "_prisma_migrations"]);
      } finally {
        await db.close();
      }
    });
  });
});
