/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
import { getEnv } from "~/env";
import { closeDatabase, getDatabase } from "~/server/db";
import { applyMigrations } from "~/server/db/apply-migrations";

const env = getEnv();
const db = getDatabase();
const r = await applyMigrations(db);
if (env.DATABASE_URL) {
  // graphile-worker's own schema (the job queue), idempotent.
  const { installJobSchema } = await import("~/server/jobs/graphile-queue");
  await installJobSchema(env.DATABASE_URL);
}
console.log(
  `${env.DATABASE_URL ? "PostgreSQL" : "embedded database"}: ${r.applied.length} migration(s) applied${
    r.applied.length ? ` (${r.applied.join(", ")})` : ""
  }; database is up to date.`,
);
await closeDatabase();
