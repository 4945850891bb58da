/**
 * Applies prisma/migrations/*\/migration.sql in order, recording them in Prisma's own
 * `_prisma_migrations` table (same columns, same sha256 checksum), so `prisma migrate status`
 * and `prisma migrate deploy` agree with what ran here. Used at start in dev/embedded mode,
 * by `npm run db:migrate` and by tests: no schema engine needed, works on PGlite and PostgreSQL.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Database, RawSql } from "~/server/db";

const LOCK_ID = 72_707_370; // arbitrary, constant: serialises concurrent migrators

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export function listMigrations(dir: string): { name: string; sql: string; checksum: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

export async function applyMigrations(
  database: Database,
  migrationsDir: string = defaultMigrationsDir(),
): Promise<MigrationResult> {
  return database.session((raw) => applyOnSession(raw, migrationsDir));
}

async function applyOnSession(raw: RawSql, migrationsDir: string): Promise<MigrationResult> {
  await raw.exec(`SELECT pg_advisory_lock(${LOCK_ID})`);
  try {
    await raw.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const done = await raw.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const byName = new Map(done.map((r) => [r.migration_name, r]));
    const applied: string[] = [];
    for (const m of listMigrations(migrationsDir)) {
      const prev = byName.get(m.name);
      if (prev?.finished_at) {
        if (prev.checksum !== m.checksum) {
          // Prisma warns but continues; an edited applied migration is a developer error worth surfacing.
          console.warn(`[migrate] migration ${m.name} was modified after it was applied`);
        }
        continue;
      }
      if (prev) {
        throw new Error(
          `Migration ${m.name} failed earlier and is not finished. Fix the database, then mark it rolled back (npx prisma migrate resolve --rolled-back ${m.name}).`,
        );
      }
      const id = crypto.randomUUID();
      await raw.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)`, [
        id,
        m.checksum,
        m.name,
      ]);
      try {
        await raw.exec(`BEGIN;\n${m.sql}\nCOMMIT;`);
      } catch (err) {
        await raw.exec("ROLLBACK").catch(() => undefined);
        await raw.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, String(err)]);
        throw new Error(`Migration ${m.name} failed: ${(err as Error).message}`);
      }
      await raw.query(
        `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
        [id],
      );
      applied.push(m.name);
    }
    return { applied, alreadyApplied: done.length };
  } finally {
    await raw.exec(`SELECT pg_advisory_unlock(${LOCK_ID})`);
  }
}

export function defaultMigrationsDir(): string {
  return path.resolve(process.cwd(), "prisma/migrations");
}
