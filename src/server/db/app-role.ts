/**
 * Two database roles on PostgreSQL, so the app cannot rewrite its own audit trail:
 * - the owner (MIGRATION_DATABASE_URL): owns the schema, runs migrations (`npm run db:migrate`);
 * - the app (DATABASE_URL): reads and writes the tables it works with, but on "AuditLog" and
 *   "AuditSeal" may only INSERT and SELECT: no UPDATE, DELETE or TRUNCATE, and, not being the owner,
 *   it cannot disable the append-only triggers or alter the tables either.
 * grantAppRole is idempotent and re-run by db:migrate after every migration (new tables get their
 * grants); createAppRole (`npm run db:roles`) creates the login role once, which needs CREATEROLE.
 * graphile-worker's tables (row-level security on) get a policy letting the app role through.
 * The embedded database (PGlite) has one role and none of this.
 */
import { z } from "zod";
import type { RawSql } from "~/server/db";
import { AppError } from "~/server/errors";

/** Tables the app may only append to and read. */
export const APPEND_ONLY_TABLES = ["AuditLog", "AuditSeal"] as const;

const roleName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "the role name (the user in DATABASE_URL) must be letters, digits and _ (at most 63), starting with a letter or _");

export interface RoleUrls {
  owner: { user: string; database: string };
  app: { user: string; password: string | null; database: string };
}

/** The two roles from MIGRATION_DATABASE_URL (owner) and DATABASE_URL (app); both must name the same database. */
export function rolesFromUrls(ownerUrl: string, appUrl: string): RoleUrls {
  const o = new URL(ownerUrl);
  const a = new URL(appUrl);
  const user = roleName.safeParse(decodeURIComponent(a.username));
  if (!user.success) throw new AppError("CONFIG", `DATABASE_URL: ${user.error.issues[0]!.message}.`, { field: "DATABASE_URL" });
  const database = decodeURIComponent(a.pathname.slice(1));
  if (database !== decodeURIComponent(o.pathname.slice(1)) || a.host !== o.host) {
    throw new AppError("CONFIG", "MIGRATION_DATABASE_URL and DATABASE_URL must point at the same database (host, port and name); only the user differs.", { field: "MIGRATION_DATABASE_URL" });
  }
  const owner = decodeURIComponent(o.username);
  if (!owner || owner === user.data) {
    throw new AppError("CONFIG", "MIGRATION_DATABASE_URL must use the owner role and DATABASE_URL a separate app role (two different users); unset MIGRATION_DATABASE_URL to run with one role.", { field: "MIGRATION_DATABASE_URL" });
  }
  return { owner: { user: owner, database }, app: { user: user.data, password: a.password ? decodeURIComponent(a.password) : null, database } };
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

export async function roleExists(owner: RawSql, role: string): Promise<boolean> {
  return (await owner.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])).length > 0;
}

/** Creates the app's login role if missing ("created" or "exists"). Needs CREATEROLE (or a superuser). */
export async function createAppRole(owner: RawSql, app: RoleUrls["app"]): Promise<"created" | "exists"> {
  if (await roleExists(owner, app.user)) return "exists";
  const password = app.password === null ? "" : ` PASSWORD ${literal(app.password)}`;
  try {
    await owner.exec(`CREATE ROLE ${ident(app.user)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT${password}`);
  } catch (err) {
    if ((err as { code?: string }).code !== "42501") throw err;
    throw new AppError(
      "CONFIG",
      `The owner role may not create roles. Ask your database administrator to run: CREATE ROLE ${ident(app.user)} LOGIN PASSWORD '...'; then run npm run db:roles again.`,
      { field: "MIGRATION_DATABASE_URL" },
    );
  }
  return "created";
}

/** The app role's privileges, from scratch each time (idempotent). Run as the owner, after migrations. */
export async function grantAppRole(owner: RawSql, roles: RoleUrls): Promise<void> {
  const app = ident(roles.app.user);
  if (!(await roleExists(owner, roles.app.user))) {
    throw new AppError("CONFIG", `The app role ${roles.app.user} (the user in DATABASE_URL) does not exist yet: run npm run db:roles.`, { field: "DATABASE_URL" });
  }
  const member = await owner.query<{ m: boolean }>(`SELECT pg_has_role($1, $2, 'MEMBER') AS m`, [roles.app.user, roles.owner.user]);
  if (member[0]?.m) {
    throw new AppError("CONFIG", `The app role ${roles.app.user} is a member of the owner role ${roles.owner.user}, so it could alter the audit log; revoke that membership.`, { field: "DATABASE_URL" });
  }
  const hasJobs = (await owner.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'graphile_worker'`)).length > 0;
  const appendOnly = APPEND_ONLY_TABLES.map(ident).join(", ");
  await owner.exec(`BEGIN;
    GRANT CONNECT ON DATABASE ${ident(roles.app.database)} TO ${app};
    GRANT USAGE ON SCHEMA public TO ${app};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${app};
    REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${appendOnly} FROM ${app};
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM ${app};
    ${
      hasJobs
        ? `GRANT USAGE ON SCHEMA graphile_worker TO ${app};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA graphile_worker TO ${app};
    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA graphile_worker TO ${app};
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA graphile_worker TO ${app};`
        : ""
    }
    ${hasJobs ? await jobPolicies(owner, app) : ""}
    COMMIT;`);
}

/** graphile-worker turns on row-level security for its tables (only their owner passes); let the app role through. */
async function jobPolicies(owner: RawSql, app: string): Promise<string> {
  const tables = await owner.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'graphile_worker' AND c.relkind = 'r' AND c.relrowsecurity`,
  );
  return tables
    .map(({ name }) => {
      const table = `graphile_worker.${ident(name)}`;
      return `DROP POLICY IF EXISTS keyrelay_app ON ${table};\n    CREATE POLICY keyrelay_app ON ${table} FOR ALL TO ${app} USING (true) WITH CHECK (true);`;
    })
    .join("\n    ");
}

/** What the app role may do on the append-only tables (for db:roles to print and tests to check). */
export async function appendOnlyPrivileges(owner: RawSql, role: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of APPEND_ONLY_TABLES) {
    const rows = await owner.query<{ p: string; ok: boolean }>(
      `SELECT p, has_table_privilege($1, $2, p) AS ok FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) AS p`,
      [role, `public.${ident(table)}`],
    );
    out[table] = rows.filter((r) => r.ok).map((r) => r.p);
  }
  return out;
}
