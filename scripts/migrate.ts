/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database.
 * With MIGRATION_DATABASE_URL (the owner role) they run as that role instead, and the app role of
 * DATABASE_URL is then given its grants again (new tables; append-only audit tables): see
 * src/server/db/app-role.ts and docs/deploy.md.
 */
import { getEnv } from "~/env";
import { closeDatabase, createPostgresDatabase, getDatabase } from "~/server/db";
import { applyMigrations } from "~/server/db/apply-migrations";
import { grantAppRole, roleExists, rolesFromUrls } from "~/server/db/app-role";

const env = getEnv();
if (env.MIGRATION_DATABASE_URL && !env.DATABASE_URL) {
  console.error("MIGRATION_DATABASE_URL is set but DATABASE_URL is not: set DATABASE_URL to the app role's URL on the same database.");
  process.exit(1);
}
const ownerUrl = env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL;
const roles = env.MIGRATION_DATABASE_URL ? rolesFromUrls(env.MIGRATION_DATABASE_URL, env.DATABASE_URL!) : null;
const db = env.MIGRATION_DATABASE_URL ? createPostgresDatabase(env.MIGRATION_DATABASE_URL, { max: 1 }) : getDatabase();
try {
  const r = await applyMigrations(db);
  if (ownerUrl) {
    // graphile-worker's own schema (the job queue), idempotent.
    const { installJobSchema } = await import("~/server/jobs/graphile-queue");
    await installJobSchema(ownerUrl);
  }
  console.log(
    `${ownerUrl ? "PostgreSQL" : "embedded database"}: ${r.applied.length} migration(s) applied${
      r.applied.length ? ` (${r.applied.join(", ")})` : ""
    }; database is up to date.`,
  );
  if (roles) {
    if (await roleExists(db.raw, roles.app.user)) {
      await grantAppRole(db.raw, roles);
      console.log(`app role ${roles.app.user}: grants applied (append-only on the audit log).`);
    } else {
      console.log(`app role ${roles.app.user} does not exist yet: run npm run db:roles to create it and grant its privileges.`);
    }
  }
} finally {
  if (env.MIGRATION_DATABASE_URL) await db.close();
  await closeDatabase();
}
