/**
 * `npm run db:roles`: creates the app's database role (the user and password in DATABASE_URL) if
 * missing and grants it what the app needs, append-only on the audit log; runs as the owner role
 * in MIGRATION_DATABASE_URL. Run `npm run db:migrate` first. Idempotent. PostgreSQL only.
 */
import { getEnv } from "~/env";
import { createPostgresDatabase } from "~/server/db";
import { appendOnlyPrivileges, createAppRole, grantAppRole, rolesFromUrls } from "~/server/db/app-role";

const env = getEnv();
if (!env.MIGRATION_DATABASE_URL || !env.DATABASE_URL) {
  console.error(
    "npm run db:roles needs MIGRATION_DATABASE_URL (the owner role, which runs migrations) and DATABASE_URL (the app role to create), " +
      "two users on the same PostgreSQL database. The embedded database has a single role and needs neither.",
  );
  process.exit(1);
}
const roles = rolesFromUrls(env.MIGRATION_DATABASE_URL, env.DATABASE_URL);
const owner = createPostgresDatabase(env.MIGRATION_DATABASE_URL, { max: 1 });
try {
  const created = await createAppRole(owner.raw, roles.app);
  await grantAppRole(owner.raw, roles);
  const audit = await appendOnlyPrivileges(owner.raw, roles.app.user);
  console.log(`app role ${roles.app.user}: ${created}; grants applied.`);
  for (const [table, privileges] of Object.entries(audit)) console.log(`  ${table}: ${privileges.join(", ")}`);
} catch (err) {
  console.error(`db:roles failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await owner.close();
}
