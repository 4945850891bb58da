/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
import { getEnv } from "~/env";
import { closeDatabase, getDatabase } from "~/server/db";
import { applyMigrations } from "~/server/db/apply-migrations";

const env = getEnv();
const db = getDatabase();
const r = await applyMigrations(db);
console.log(
  `${env.DATABASE_URL ? "PostgreSQL" : "embedded database"}: ${r.applied.length} migration(s) applied${
    r.applied.length ? ` (${r.applied.join(", ")})` : ""
  }; database is up to date.`,
);
await closeDatabase();
