#!/usr/bin/env node
/**
 * Offline stand-in for Prisma's native `schema-engine` binary.
 *
 * Why: the Prisma CLI (7.x) downloads a native schema engine before every command, which is
 * impossible without internet. It honours PRISMA_SCHEMA_ENGINE_BINARY, so `scripts/prisma.mjs`
 * points that variable at this executable file, which speaks the same command-line / JSON-RPC
 * protocol as the native engine and delegates the real work to the published wasm build of the
 * same Rust engine (`@prisma/schema-engine-wasm`), doing database I/O through a driver adapter.
 * A machine with internet access can still use the native engine (unset the variable).
 *
 * Invocations handled (all made by the Prisma CLI, cwd = project directory):
 *   prisma-schema-engine.mjs --version
 *   prisma-schema-engine.mjs --datasource '{"url":"..."}' cli can-connect-to-database
 *   prisma-schema-engine.mjs --datasource '{"url":"..."}' cli create-database
 *   prisma-schema-engine.mjs [--datamodels <file>]... --datasource '{"url":"..."}'
 *       -> JSON-RPC 2.0 server: one request per line on stdin, one response per line on stdout,
 *          logs as JSON lines on stderr. Used by migrate deploy/dev/status/diff/reset, db push...
 *
 * DATASOURCE URL CONVENTIONS
 *   postgresql://user:pass@host:port/db?schema=public   (or postgres://)
 *       A real PostgreSQL server, through @prisma/adapter-pg. The shadow database needed by
 *       `migrate dev` / `migrate diff --from-migrations` is a throw-away database
 *       `prisma_migrate_shadow_db_<uuid>` created on the same server (the user needs CREATEDB)
 *       and dropped WITH (FORCE) as soon as the engine disposes of it (or when this process
 *       exits). `datasource.shadowDatabaseUrl` in prisma.config.ts, if set, is used instead.
 *
 *   postgresql://pglite/<dir>
 *       Embedded PostgreSQL (PGlite, @electric-sql/pglite) persisted in directory <dir>.
 *       The host must be exactly `pglite`. <dir> is everything after `pglite/` up to an optional
 *       `?query`, percent-decoded; a relative <dir> is resolved against the working directory
 *       (the Prisma CLI runs the engine in the project directory), an absolute one is written
 *       with a second slash: `postgresql://pglite//abs/path/to/dir`.
 *       Examples: postgresql://pglite/.data/pglite   postgresql://pglite//tmp/kr-pglite
 *       Shadow databases are in-memory PGlite instances. PGlite is single-process: nothing else
 *       (e.g. the running app) may have the same directory open while a Prisma command runs.
 *       `cli create-database` creates and initialises the directory. Only Prisma commands run
 *       through this engine understand this URL form; the app is configured separately.
 *
 *   `migrate diff` between schema files / an empty schema (no live database, no migrations
 *   directory) does not connect to the configured database at all (an in-memory PGlite is used).
 *
 * Workarounds applied (in this process only):
 *   - @prisma/adapter-pg cannot map Postgres' internal "char" type (oid 18), which the engine's
 *     schema describer selects: such columns are read as text and reported to the engine as
 *     ColumnType Character (reporting them as Text makes the describer panic on CHECK / NOT NULL
 *     constraint rows). pglite-prisma-adapter maps oid 18 itself.
 *   - Both adapters' executeScript are replaced: adapter-pg splits scripts on every ";" (breaks
 *     semicolons inside strings, e.g. @default("a;b"), and function bodies), and the PGlite
 *     adapter does not await exec() (failures were silently ignored). Scripts now run as one
 *     simple-protocol query, like the native engine does.
 *   - adapter-pg's own connectToShadowDb is never used (it runs "shadow" migrations in the main
 *     database when given a connection string, and leaks the shadow database).
 *   - createMigration / evaluateDataLoss get no shadow-database factory in the wasm engine; they
 *     read a cache filled by devDiagnostic / diagnoseMigrationHistory({ optInToShadowDatabase }).
 *     When the cache is empty they fail, and the diagnostic is run and the call retried.
 *   - A failed migration script is reported as P3018 with the SQLSTATE and database message,
 *     like the native engine (the wasm engine only says "external connector error").
 *   - Wasm panics (also those thrown outside a request's promise) are answered as panics, and the
 *     process exits after cleaning up. PRISMA_SCHEMA_ENGINE_TRACE=<file> logs the protocol.
 *   - A missing migration_lock.toml is treated as `provider = "postgresql"` (the CLI writes the
 *     real file after creating a migration).
 *   - `diff` output is sent to the CLI as a `print` request, as the native engine does.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";

import { DriverAdapterError, bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

const require = createRequire(import.meta.url);

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                                */
/* ------------------------------------------------------------------------------------------ */

const SHADOW_PREFIX = "prisma_migrate_shadow_db_";

/** PRISMA_SCHEMA_ENGINE_TRACE=<file>: append arguments, requests, responses and exit codes. */
const TRACE_FILE = process.env.PRISMA_SCHEMA_ENGINE_TRACE;
function trace(line) {
  if (!TRACE_FILE) return;
  try {
    appendFileSync(TRACE_FILE, `${new Date().toISOString()} [${process.pid}] ${line}\n`);
  } catch {
    /* ignore */
  }
}
trace(`start ${JSON.stringify(process.argv.slice(2))}`);
process.on("exit", (code) => trace(`exit ${code}`));

function writeStderrLine(obj) {
  try {
    process.stderr.write(JSON.stringify(obj) + "\n");
  } catch {
    /* parent gone */
  }
}

function log(level, message, extra = {}) {
  writeStderrLine({
    timestamp: new Date().toISOString(),
    level,
    target: "prisma_schema_engine_wasm_standin",
    fields: { message, ...extra },
  });
}

function quoteIdent(name) {
  return `"${String(name).replaceAll('"', '""')}"`;
}

/** Parses `postgresql://pglite/<dir>`; returns the absolute directory or null for other URLs. */
function pgliteDirFromUrl(url) {
  const m = /^postgres(?:ql)?:\/\/pglite(?:\/([^?#]*))?(?:[?#].*)?$/i.exec(String(url ?? ""));
  if (!m) return null;
  const raw = decodeURIComponent(m[1] ?? "");
  if (!raw) throw new Error("PGlite URL needs a directory: postgresql://pglite/<dir>");
  return path.resolve(process.cwd(), raw);
}

/** Host/port/database/schema of a real PostgreSQL URL, for messages and admin work. */
function describePgUrl(url) {
  const u = new URL(url);
  const host = u.hostname || "localhost";
  const port = u.port || "5432";
  const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres";
  const user = decodeURIComponent(u.username || process.env.PGUSER || process.env.USER || "postgres");
  const schema = u.searchParams.get("schema") || "public";
  return { host, port, database, user, schema, location: `${host}:${port}` };
}

/** The same URL pointing at another database on the same server. */
function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = "/" + encodeURIComponent(database);
  return u.toString();
}

/**
 * pg connection options from a Prisma-style URL. Prisma's `schema` parameter is not pg's: it
 * becomes the session's search_path (as with the native engine), or unqualified statements such
 * as the creation of `_prisma_migrations` would land in `public`.
 */
function pgConfig(url) {
  const u = new URL(url);
  const schema = u.searchParams.get("schema");
  u.searchParams.delete("schema");
  const config = { connectionString: u.toString() };
  if (schema && schema !== "public") config.options = `-c search_path=${quoteIdent(schema)}`;
  return config;
}

/* ------------------------------------------------------------------------------------------ */
/* Adapter patches                                                                              */
/* ------------------------------------------------------------------------------------------ */

const PATCHED = Symbol.for("keyrelay.schemaEngine.charOidPatched");
const PG_CHAR_OID = 18;
const COLUMN_TYPE_CHARACTER = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils

/**
 * @prisma/adapter-pg cannot map Postgres' internal single-byte "char" type (oid 18), which the
 * engine's schema describer selects (pg_constraint.contype, pg_class.relkind, ...): every
 * describe failed with "Column type 'char' could not be deserialized". The column is read as text
 * and then reported as ColumnType Character, which is what the describer expects (reporting it as
 * Text makes the describer panic as soon as such a query returns rows, e.g. with a CHECK
 * constraint). Patched on the adapter's query prototype, so transactions are covered too.
 * pglite-prisma-adapter maps oid 18 itself and needs no patch.
 */
function patchPgCharOid(adapter) {
  let proto = Object.getPrototypeOf(adapter);
  while (proto && !Object.prototype.hasOwnProperty.call(proto, "queryRaw")) proto = Object.getPrototypeOf(proto);
  if (!proto || proto[PATCHED]) return;
  const originalQueryRaw = proto.queryRaw;
  proto.queryRaw = async function queryRawWithCharColumns(query) {
    const charColumns = [];
    const self = Object.create(this);
    self.performIO = async (q) => {
      const result = await this.performIO(q);
      (result?.fields ?? []).forEach((field, index) => {
        if (field.dataTypeID === PG_CHAR_OID) {
          charColumns.push(index);
          field.dataTypeID = 25; // text, so that the adapter does not reject it
        }
      });
      return result;
    };
    const result = await originalQueryRaw.call(self, query);
    for (const index of charColumns) result.columnTypes[index] = COLUMN_TYPE_CHARACTER;
    return result;
  };
  proto[PATCHED] = true;
}

/**
 * Database errors from scripts are passed on raw (SQLSTATE + message), so that a failed migration
 * reads like with the native engine ("Database error code: 42P01 ... relation does not exist").
 */
let lastScriptError = null;

function scriptError(error, adapter) {
  lastScriptError = error;
  if (error && typeof error.code === "string" && typeof error.severity === "string") {
    return new DriverAdapterError({
      kind: "postgres",
      code: error.code,
      severity: error.severity,
      message: error.message,
      detail: error.detail,
      column: error.column,
      hint: error.hint,
    });
  }
  try {
    adapter.onError(error); // throws the adapter's own DriverAdapterError
  } catch (converted) {
    return converted;
  }
  return error;
}

/** Runs a whole script with the simple query protocol (what the native engine does). */
function fixPgExecuteScript(adapter, pool) {
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script);
    } catch (error) {
      throw scriptError(error, adapter);
    }
  };
  return adapter;
}

function fixPgliteExecuteScript(adapter, db) {
  adapter.executeScript = async (script) => {
    try {
      await db.exec(script);
    } catch (error) {
      throw scriptError(error, adapter);
    }
  };
  return adapter;
}

/* ------------------------------------------------------------------------------------------ */
/* Adapter factories (SqlMigrationAwareDriverAdapterFactory)                                    */
/* ------------------------------------------------------------------------------------------ */

/** Cleanups that must run before this process exits (shadow databases, PGlite instances). */
const pendingCleanups = new Set();

async function runPendingCleanups() {
  for (const cleanup of [...pendingCleanups]) {
    pendingCleanups.delete(cleanup);
    try {
      await cleanup();
    } catch (error) {
      log("WARN", `cleanup failed: ${error?.message ?? error}`);
    }
  }
}

async function withPgClient(url, fn) {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ ...pgConfig(url), connectionTimeoutMillis: 10_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function dropDatabaseForce(adminUrl, name) {
  await withPgClient(adminUrl, async (client) => {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } catch (error) {
      if (error?.code !== "42601") throw error; // syntax error: PostgreSQL < 13
      await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name],
      );
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    }
  });
}

async function createPgFactory(url, shadowDatabaseUrl) {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const { schema } = describePgUrl(url);
  const options = schema === "public" ? undefined : { schema };

  async function connectTo(targetUrl) {
    const factory = new PrismaPg(pgConfig(targetUrl), options);
    const adapter = await factory.connect();
    patchPgCharOid(adapter);
    return fixPgExecuteScript(adapter, adapter.underlyingDriver());
  }

  return {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => connectTo(url),
    async connectToShadowDb() {
      if (shadowDatabaseUrl) {
        const main = describePgUrl(url);
        const shadow = describePgUrl(shadowDatabaseUrl);
        if (main.location === shadow.location && main.database === shadow.database) {
          throw new Error("The shadow database URL must not point at the main database.");
        }
        // Like the native engine: the configured shadow database is emptied before use.
        await withPgClient(shadowDatabaseUrl, async (client) => {
          await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(shadow.schema)} CASCADE`);
          await client.query(`CREATE SCHEMA ${quoteIdent(shadow.schema)}`);
        });
        return connectTo(shadowDatabaseUrl);
      }
      // Our own throw-away database: created by name, reached by URL, dropped WITH (FORCE)
      // after the adapter's pool is closed.
      const name = SHADOW_PREFIX + randomUUID().replaceAll("-", "_");
      trace(`shadow: create database ${name}`);
      await withPgClient(url, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
      const drop = () => dropDatabaseForce(url, name);
      pendingCleanups.add(drop);
      let adapter;
      try {
        adapter = await connectTo(withDatabase(url, name));
      } catch (error) {
        pendingCleanups.delete(drop);
        await drop().catch(() => {});
        throw error;
      }
      const dispose = adapter.dispose.bind(adapter);
      let disposed = false;
      adapter.dispose = async () => {
        if (disposed) return;
        disposed = true;
        try {
          await dispose();
        } finally {
          pendingCleanups.delete(drop);
          await drop();
          trace(`shadow: dropped ${name}`);
        }
      };
      return adapter;
    },
  };
}

async function openPglite(dataDir) {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  return db;
}

async function createPgliteFactory(dir) {
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  let mainDb = null;
  let pristineShadow = null;

  async function adapterFor(db) {
    const adapter = await new PrismaPGlite(db).connect();
    return fixPgliteExecuteScript(adapter, db);
  }

  return {
    provider: "postgres",
    adapterName: "pglite-prisma-adapter",
    async connect() {
      if (!mainDb) {
        if (dir) mkdirSync(dir, { recursive: true });
        mainDb = await openPglite(dir);
        const db = mainDb;
        pendingCleanups.add(async () => {
          if (!db.closed) await db.close();
        });
      }
      return adapterFor(mainDb);
    },
    async connectToShadowDb() {
      // Shadow databases are clones of one pristine in-memory PGlite: cloning (~0.8 s) is about
      // twice as fast as initialising a new one, and migrate dev needs several.
      pristineShadow ??= openPglite().then((db) => {
        pendingCleanups.add(async () => {
          if (!db.closed) await db.close();
        });
        return db;
      });
      trace("shadow: clone of the pristine in-memory PGlite");
      const db = await (await pristineShadow).clone();
      const close = async () => {
        if (!db.closed) await db.close();
      };
      pendingCleanups.add(close);
      const adapter = await adapterFor(db);
      adapter.dispose = async () => {
        pendingCleanups.delete(close);
        await close();
      };
      return adapter;
    },
  };
}

/**
 * Chooses the adapter factory. An in-memory PGlite serves as "main" database when there is no URL
 * or when the first request needs no database (`migrate diff` between schema files, or with
 * migrations on a PGlite project), so that such diffs neither need nor touch (nor lock) the
 * configured database.
 */
function createFactory(datasource, { needsDatabase = true } = {}) {
  const url = datasource?.url;
  if (!url) return createPgliteFactory(null);
  const dir = pgliteDirFromUrl(url);
  if (dir) return createPgliteFactory(needsDatabase ? dir : null);
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return needsDatabase ? createPgFactory(url, datasource.shadowDatabaseUrl) : createPgliteFactory(null);
  }
  throw new Error(`Unsupported datasource URL for this schema engine stand-in (PostgreSQL only): ${url.split(":")[0]}:...`);
}

/* ------------------------------------------------------------------------------------------ */
/* Errors in the native engine's shapes                                                         */
/* ------------------------------------------------------------------------------------------ */

class UserFacingError extends Error {
  constructor(errorCode, message, meta = {}) {
    super(message);
    this.errorCode = errorCode;
    this.meta = meta;
  }
}

/** Maps a pg/PGlite/socket error from connecting to `url` to a Prisma P1xxx error. */
function connectionError(error, url) {
  const { location, database, user } = describePgUrl(url);
  const code = error?.code;
  if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN"].includes(code) ||
      /timeout/i.test(error?.message ?? "")) {
    return new UserFacingError(
      "P1001",
      `Can't reach database server at \`${location}\`\n\nPlease make sure your database server is running at \`${location}\`.`,
      { database_location: location },
    );
  }
  if (code === "3D000") {
    return new UserFacingError("P1003", `Database \`${database}\` does not exist on the database server at \`${location}\`.`, {
      database_name: database,
      database_location: location,
    });
  }
  if (code === "28P01" || code === "28000") {
    return new UserFacingError(
      "P1000",
      `Authentication failed against database server, the provided database credentials for \`${user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at the configured address.`,
      { database_user: user, database_host: location },
    );
  }
  if (code === "42501") {
    return new UserFacingError("P1010", `User \`${user}\` was denied access on the database \`${database}\``, {
      database_user: user,
      database_name: database,
    });
  }
  return new UserFacingError("P1000", `Could not connect to the database: ${error?.message ?? error}`);
}

/* ------------------------------------------------------------------------------------------ */
/* One-shot `cli` commands                                                                      */
/* ------------------------------------------------------------------------------------------ */

async function canConnect(url) {
  const dir = pgliteDirFromUrl(url);
  if (dir) {
    if (!existsSync(path.join(dir, "PG_VERSION"))) {
      throw new UserFacingError("P1003", `Database \`${dir}\` does not exist (PGlite directory not initialised).`);
    }
    return;
  }
  try {
    await withPgClient(url, (client) => client.query("SELECT 1"));
  } catch (error) {
    throw connectionError(error, url);
  }
}

/** Creates the database named in `url`; returns its name. */
async function createDatabase(url) {
  const dir = pgliteDirFromUrl(url);
  if (dir) {
    mkdirSync(dir, { recursive: true });
    const db = await openPglite(dir);
    await db.close();
    return dir;
  }
  const { database, location } = describePgUrl(url);
  let lastError;
  for (const adminDb of ["postgres", "template1"]) {
    try {
      await withPgClient(withDatabase(url, adminDb), (client) => client.query(`CREATE DATABASE ${quoteIdent(database)}`));
      return database;
    } catch (error) {
      lastError = error;
      if (error?.code === "42P04") {
        throw new UserFacingError("P1009", `Database \`${database}\` already exists on the database server at \`${location}\``);
      }
      if (error?.code !== "3D000") break; // only retry when the admin database is missing
    }
  }
  throw connectionError(lastError, url);
}

async function runCliCommand(command, datasource) {
  const url = datasource?.url;
  // The CLI drops the first stderr line before parsing the rest as JSON lines.
  log("INFO", `Starting schema engine stand-in (cli ${command})`);
  try {
    if (!url) throw new UserFacingError("P1012", "No datasource URL given.");
    if (command === "can-connect-to-database") await canConnect(url);
    else if (command === "create-database") await createDatabase(url);
    else throw new Error(`Unsupported cli command: ${command}`);
    return 0;
  } catch (error) {
    writeStderrLine({
      timestamp: new Date().toISOString(),
      level: "ERROR",
      target: "schema_engine::logger",
      fields: {
        message: error?.message ?? String(error),
        ...(error instanceof UserFacingError ? { error_code: error.errorCode } : {}),
      },
    });
    return 1;
  } finally {
    await runPendingCleanups();
  }
}

/* ------------------------------------------------------------------------------------------ */
/* wasm engine                                                                                  */
/* ------------------------------------------------------------------------------------------ */

class WasmPanicRegistry {
  message = "";
  get() {
    return this.message;
  }
  set_message(value) {
    this.message = value;
  }
}

async function loadWasmEngineModule() {
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= new WasmPanicRegistry();
  // The package's main entry imports the .wasm file as an ES module, which Node 20 cannot do
  // without a flag: load the JS glue and instantiate the binary ourselves.
  const bg = await import("@prisma/schema-engine-wasm/schema_engine_bg");
  const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm");
  const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), { "./schema_engine_bg.js": bg });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bg;
}

function isWasmPanic(error) {
  return error?.name === "RuntimeError";
}

/** Converts whatever the wasm engine threw into a JSON-RPC error object. */
function toRpcError(error, errorRegistry) {
  const rpc = (message, extra = {}) => ({
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: { is_panic: false, message, backtrace: null, meta: null, ...extra },
  });
  if (error instanceof UserFacingError) {
    return rpc(error.message, { error_code: error.errorCode, meta: error.meta });
  }
  if (isWasmPanic(error)) {
    const message = globalThis.PRISMA_WASM_PANIC_REGISTRY?.get() || error.message;
    return {
      code: 4466,
      message: "An error happened. Check the data field for details.",
      data: { is_panic: true, message, backtrace: error.stack ?? null, error: { message } },
    };
  }
  let message = error?.message ?? String(error);
  // Errors thrown by JS code in the adapters reach the engine as "External error id#N".
  const external = /External error id#(\d+)/.exec(message);
  if (external && errorRegistry?.consumeError) {
    const original = errorRegistry.consumeError(Number(external[1]))?.error;
    if (original) message = original instanceof UserFacingError ? original.message : (original.message ?? String(original));
    if (original instanceof UserFacingError) return rpc(message, { error_code: original.errorCode, meta: original.meta });
  }
  if (error && typeof error === "object" && typeof error.code === "string" && /^P\d{4}$/.test(error.code)) {
    return rpc(message, { error_code: error.code, meta: error.meta ?? null });
  }
  // A failed migration script: report it like the native engine does (P3018).
  const failedMigration = /apply_migration::apply_script\s+with migration_name="([^"]+)"/.exec(message);
  if (failedMigration && lastScriptError) {
    const dbError = lastScriptError;
    const details = [`Migration name: ${failedMigration[1]}`];
    if (dbError.code) details.push(`Database error code: ${dbError.code}`);
    details.push(`Database error:\n${dbError.severity ?? "ERROR"}: ${dbError.message}${dbError.detail ? `\nDETAIL: ${dbError.detail}` : ""}${dbError.hint ? `\nHINT: ${dbError.hint}` : ""}`);
    return rpc(
      "A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n" +
        details.join("\n\n") +
        "\n",
      { error_code: "P3018", meta: { migration_name: failedMigration[1], database_error_code: dbError.code ?? null, database_error: dbError.message } },
    );
  }
  return rpc(message);
}

const DEFAULT_LOCKFILE = '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n';

function normaliseMigrationsList(list) {
  if (!list || typeof list !== "object") return list;
  const lockfile = list.lockfile ?? { path: "migration_lock.toml", content: null };
  return {
    ...list,
    shadowDbInitScript: list.shadowDbInitScript ?? "",
    lockfile: { ...lockfile, content: lockfile.content ?? DEFAULT_LOCKFILE },
  };
}

async function runServer({ datamodelPaths, datasource }) {
  const datamodels = datamodelPaths.length
    ? datamodelPaths.map((p) => [p, readFileSync(path.resolve(process.cwd(), p), "utf8")])
    : undefined;

  let enginePromise;
  let errorRegistry;
  // The engine connects when it is created, i.e. on the first request; `needsDatabase` comes
  // from that request.
  const getEngine = (needsDatabase = true) =>
    (enginePromise ??= (async () => {
      const [bg, factory] = await Promise.all([
        loadWasmEngineModule(),
        createFactory(datasource, { needsDatabase }),
      ]);
      const bound = bindMigrationAwareSqlAdapterFactory(factory);
      errorRegistry = bound.errorRegistry;
      const logCallback = (line) => {
        if (typeof line !== "string") line = JSON.stringify(line);
        try {
          JSON.parse(line);
          process.stderr.write(line + "\n");
        } catch {
          log("INFO", line);
        }
      };
      return bg.SchemaEngine.new({ datamodels }, logCallback, bound);
    })());

  let printId = 0;
  const send = (obj) => {
    const line = JSON.stringify(obj);
    trace(`>> ${line.length > 2000 ? line.slice(0, 2000) + "..." : line}`);
    process.stdout.write(line + "\n");
  };

  async function call(method, params) {
    switch (method) {
      case "createDatabase": {
        const url = params?.datasource?.url ?? datasource?.url;
        return { databaseName: await createDatabase(url) };
      }
      case "getDatabaseVersion": {
        const engine = await getEngine();
        return engine.version(params ?? undefined);
      }
      case "ensureConnectionValidity": {
        const url = params?.datasource?.url ?? datasource?.url;
        if (url && params?.datasource?.tag !== "Schema") {
          try {
            await canConnect(url);
          } catch (error) {
            if (pgliteDirFromUrl(url) && error instanceof UserFacingError && error.errorCode === "P1003") return {};
            throw error;
          }
          return {};
        }
        const engine = await getEngine();
        return engine.ensureConnectionValidity(params);
      }
      case "createMigration":
      case "evaluateDataLoss": {
        const engine = await getEngine();
        const input = { ...params, migrationsList: normaliseMigrationsList(params.migrationsList) };
        try {
          return await engine[method](input);
        } catch (error) {
          if (!/shadow DB must be provided through an external factory/.test(error?.message ?? "")) throw error;
        }
        // These two methods get no shadow-database factory in the wasm engine: they read the
        // schema of the migration history from a cache that devDiagnostic and
        // diagnoseMigrationHistory({ optInToShadowDatabase: true }) fill. Fill it and retry.
        trace(`${method}: filling the migration schema cache`);
        await engine.diagnoseMigrationHistory({
          migrationsList: input.migrationsList,
          optInToShadowDatabase: true,
          filters: input.filters ?? { externalTables: [], externalEnums: [] },
        });
        return engine[method](input);
      }
      case "diff": {
        // Diffs between schema files and/or an empty schema need no database: an in-memory PGlite
        // stands in (no connection to the configured database, which may not even exist yet).
        // Migration directories need a shadow database: the configured server's, for PostgreSQL.
        const tags = [params?.from?.tag, params?.to?.tag];
        const needsDatabase =
          tags.some((tag) => tag === "url" || tag === "schemaDatasource") ||
          (tags.includes("migrations") && !pgliteDirFromUrl(datasource?.url));
        const engine = await getEngine(needsDatabase);
        const input = { ...params };
        for (const side of ["from", "to"]) {
          if (input[side]?.tag === "migrations") input[side] = normaliseMigrationsList(input[side]);
        }
        const result = await engine.diff(input);
        if (result?.stdout) {
          // The native engine asks the CLI to print the diff; the CLI appends a newline.
          send({ jsonrpc: "2.0", id: `print-${++printId}`, method: "print", params: { content: result.stdout.replace(/\n$/, "") } });
        }
        return { exitCode: result?.exitCode ?? 0, stdout: null };
      }
      case "debugPanic":
      case "applyMigrations":
      case "dbExecute":
      case "devDiagnostic":
      case "diagnoseMigrationHistory":
      case "introspect":
      case "introspectSql":
      case "markMigrationApplied":
      case "markMigrationRolledBack":
      case "reset":
      case "schemaPush": {
        const engine = await getEngine();
        const input = params && typeof params === "object" ? { ...params } : params;
        if (input?.migrationsList) input.migrationsList = normaliseMigrationsList(input.migrationsList);
        const result = await engine[method](input);
        return result ?? {};
      }
      default: {
        const error = new Error(`Method not supported by the wasm schema engine stand-in: ${method}`);
        error.rpcCode = -32601;
        throw error;
      }
    }
  }

  let queue = Promise.resolve();
  let inFlightId = null;
  let shuttingDown = false;

  async function shutdown(code, { waitForQueue = true } = {}) {
    if (shuttingDown) return;
    shuttingDown = true;
    if (waitForQueue) await queue.catch(() => {});
    await runPendingCleanups();
    process.exit(code);
  }

  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    trace(`<< ${line.length > 2000 ? line.slice(0, 2000) + "..." : line}`);
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    if (!msg.method) return; // a response from the CLI (to our `print` request)
    queue = queue.then(async () => {
      if (shuttingDown) return;
      inFlightId = msg.id;
      lastScriptError = null;
      let panicked = false;
      try {
        const result = await call(msg.method, msg.params);
        send({ jsonrpc: "2.0", id: msg.id, result: result === undefined ? null : result });
      } catch (error) {
        panicked = isWasmPanic(error);
        const rpcError = error?.rpcCode
          ? { code: error.rpcCode, message: error.message }
          : toRpcError(error, errorRegistry);
        send({ jsonrpc: "2.0", id: msg.id, error: rpcError });
      } finally {
        inFlightId = null;
      }
      // The wasm instance is unusable after a panic.
      if (panicked) void shutdown(101, { waitForQueue: false });
    });
  });
  // The CLI ends stdin, and sends SIGTERM right away, when it is done with the engine.
  rl.on("close", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  // Interrupted (Ctrl-C reaches the whole process group): clean up without waiting.
  for (const signal of ["SIGINT", "SIGHUP"]) process.on(signal, () => void shutdown(130, { waitForQueue: false }));

  // Wasm panics can also surface outside the request's promise (e.g. from a callback).
  const onFatal = (error) => {
    log("ERROR", `fatal: ${error?.stack ?? error}`);
    if (inFlightId !== null) {
      send({ jsonrpc: "2.0", id: inFlightId, error: toRpcError(error, errorRegistry) });
      inFlightId = null;
    }
    void shutdown(isWasmPanic(error) ? 101 : 1, { waitForQueue: false });
  };
  process.on("uncaughtException", onFatal);
  process.on("unhandledRejection", onFatal);
}

/* ------------------------------------------------------------------------------------------ */
/* Entry point                                                                                  */
/* ------------------------------------------------------------------------------------------ */

function parseArgs(argv) {
  const out = { datamodelPaths: [], datasource: undefined, cli: undefined, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--version" || arg === "-V") out.version = true;
    else if (arg === "--datamodels" || arg === "-d") out.datamodelPaths.push(argv[++i]);
    else if (arg === "--datasource") out.datasource = JSON.parse(argv[++i]);
    else if (arg === "--enabled-preview-features" || arg === "--extension-types") i++;
    else if (arg === "cli") {
      out.cli = argv.slice(i + 1).filter((a) => !a.startsWith("-"))[0];
      break;
    }
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    const pkgDir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
    process.stdout.write(`schema-engine-cli ${pkg.version.split(".").pop()} (@prisma/schema-engine-wasm ${pkg.version}, offline stand-in)\n`);
    return 0;
  }
  if (args.cli) return runCliCommand(args.cli, args.datasource);
  await runServer(args);
  return undefined; // keeps running until stdin closes
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error) => {
    writeStderrLine({
      timestamp: new Date().toISOString(),
      level: "ERROR",
      target: "schema_engine::logger",
      fields: { message: error?.stack ?? String(error) },
    });
    process.exit(1);
  },
);
