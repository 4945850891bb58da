/**
 * Operator CLI: `npm run token -- create --email E [--days N] [--name N]`.
 * Prints only the new API token on stdout (so scripts can capture it); everything else on stderr.
 * Signs with NEXTAUTH_SECRET, or in dev with the secret the server generated into DATA_DIR/auth.secret.
 * With the embedded database (no DATABASE_URL), stop the server first: PGlite is single-process.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { getEnv } from "~/env";
import { devAuthSecret, devAuthSecretFile } from "~/server/auth/dev-auth-secret";
import { emailSchema } from "~/server/auth/users";
import { closeDatabase, getDb } from "~/server/db";
import { isAppError } from "~/server/errors";
import { setLogDestination } from "~/server/logger";
import { createApiToken, TOKEN_DAYS_DEFAULT, tokenDaysSchema, tokenNameSchema } from "~/server/tokens/api-tokens";

const USAGE = "usage: npm run token -- create --email E [--days 1..365, default 90] [--name N]";

// stdout carries the token and nothing else.
setLogDestination({ write: (line: string) => void process.stderr.write(line) });

const argsSchema = z.object({
  command: z.literal("create", { error: "the only command is `create`" }),
  email: emailSchema,
  days: z.coerce.number({ error: "give a number of days" }).pipe(tokenDaysSchema).default(TOKEN_DAYS_DEFAULT),
  name: tokenNameSchema.default(() => `CLI token ${new Date().toISOString().slice(0, 10)}`),
});

function tokenSecret(): string {
  const env = getEnv();
  if (env.NEXTAUTH_SECRET) return env.NEXTAUTH_SECRET;
  const dev = env.NODE_ENV !== "production" ? devAuthSecret(env.DATA_DIR, { create: false }) : null;
  if (dev) return dev;
  throw new Error(`NEXTAUTH_SECRET is not set (and there is no dev secret in ${devAuthSecretFile(env.DATA_DIR)}); set it to the server's value.`);
}

function readArgs(): unknown {
  try {
    const { positionals, values } = parseArgs({
      allowPositionals: true,
      options: { email: { type: "string" }, days: { type: "string" }, name: { type: "string" } },
    });
    return { command: positionals[0], ...values };
  } catch (err) {
    console.error((err as Error).message); // an unknown option, or one missing its value
    console.error(USAGE);
    process.exit(2);
  }
}

const args = argsSchema.safeParse(readArgs());
if (!args.success) {
  for (const i of args.error.issues) console.error(i.path[0] === "command" ? i.message : `--${i.path.join(".")}: ${i.message}`);
  console.error(USAGE);
  process.exit(2);
}

try {
  const db = getDb();
  const user = await db.user.findUnique({ where: { email: args.data.email }, select: { id: true } });
  if (!user) {
    console.error(`No account with email ${args.data.email}; create it first with npm run user -- create.`);
    process.exitCode = 1;
  } else {
    const created = await createApiToken(
      db,
      { userId: user.id, name: args.data.name, days: args.data.days },
      { ip: null, userAgent: "keyrelay-cli (scripts/token.ts)" },
      { secret: tokenSecret(), actor: { id: null, email: "operator-cli" } },
    );
    process.stdout.write(`${created.token}\n`);
    console.error(`created API token "${created.name}" (id ${created.id}) for ${args.data.email}, expires ${created.expiresAt.toISOString()}`);
  }
} catch (err) {
  console.error(isAppError(err) ? err.message : err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
