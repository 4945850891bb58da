/**
 * Operator CLI: `npm run user -- create --email E --password P [--name N] [--admin] [--tier PRO|FLEX|TRIAL]`.
 * Creates the account, or updates it when the email exists (so scripts can re-run it).
 */
import { parseArgs } from "node:util";
import { ZodError } from "zod";
import { getEnv } from "~/env";
import { createOrUpdateUser } from "~/server/auth/users";
import { closeDatabase, getDb } from "~/server/db";
import { flushMail } from "~/server/mail/mailer";

const USAGE = "usage: npm run user -- create --email E --password P [--name N] [--admin] [--tier PRO|FLEX|TRIAL]";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: "string" },
    password: { type: "string" },
    name: { type: "string" },
    admin: { type: "boolean", default: false },
    tier: { type: "string" },
  },
});

if (positionals[0] !== "create") {
  console.error(USAGE);
  process.exit(2);
}

try {
  const { user, created } = await createOrUpdateUser(
    getDb(),
    { email: values.email ?? "", password: values.password ?? "", name: values.name, admin: values.admin, tier: (values.tier?.toUpperCase() ?? "TRIAL") as "TRIAL" },
    getEnv().ADMIN_EMAILS,
  );
  console.log(`${created ? "created" : "updated"} ${user.email} (id ${user.id}, role ${user.role}, tier ${user.tier})`);
} catch (err) {
  if (err instanceof ZodError) {
    for (const i of err.issues) console.error(`--${i.path.join(".")}: ${i.message}`);
    console.error(USAGE);
    process.exitCode = 2;
  } else throw err;
} finally {
  await flushMail(); // a security email (password changed) reads the database: send it before closing
  await closeDatabase();
}
