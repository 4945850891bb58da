#!/usr/bin/env node
/**
 * Runs the Prisma CLI offline: `node scripts/prisma.mjs <prisma args...>`
 * (every npm script uses this; `npm run prisma -- migrate dev --name x` works too).
 *
 * - PRISMA_SCHEMA_ENGINE_BINARY -> scripts/prisma-schema-engine.mjs, a stand-in for the native
 *   schema engine that Prisma cannot download here (wasm engine + driver adapter). An explicit
 *   PRISMA_SCHEMA_ENGINE_BINARY in the environment wins (e.g. a real native engine).
 * - DATABASE_URL unset (or empty) -> the embedded PGlite database the app uses:
 *   `<DATA_DIR>/pglite`, DATA_DIR defaulting to `<project>/.data` (created if needed), passed to
 *   the CLI as `postgresql://pglite/<dir>` (convention of scripts/prisma-schema-engine.mjs; the
 *   app itself does not understand such URLs, so never export one as the app's DATABASE_URL).
 *   PGlite is single-process: stop the app before running migrate/db commands on it.
 * - Runs node_modules/prisma/build/index.js with the given args, inherits stdio, exits with its
 *   code. `generate` needs neither a DATABASE_URL nor a database.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env };

env.PRISMA_SCHEMA_ENGINE_BINARY ||= path.join(projectRoot, "scripts", "prisma-schema-engine.mjs");
if (!env.DATABASE_URL) {
  // Same place as the app (src/server/db.ts): DATA_DIR (relative to the working directory, like
  // the app resolves it) or <project>/.data.
  const dataDir = env.DATA_DIR ? path.resolve(process.cwd(), env.DATA_DIR) : path.join(projectRoot, ".data");
  mkdirSync(dataDir, { recursive: true });
  const dir = path.join(dataDir, "pglite");
  // Relative to the working directory when inside it (the engine resolves it against the CLI's
  // project directory, which is the working directory), else absolute: postgresql://pglite//abs.
  const relative = path.relative(process.cwd(), dir);
  const urlDir = relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative.split(path.sep).join("/") : dir;
  env.DATABASE_URL = `postgresql://pglite/${urlDir}`;
}
// Prisma's update check and telemetry would only time out offline.
env.PRISMA_HIDE_UPDATE_MESSAGE ??= "1";
env.CHECKPOINT_DISABLE ??= "1";

const cli = path.join(projectRoot, "node_modules", "prisma", "build", "index.js");
const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env });

const forward = (signal) => () => child.kill(signal);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, forward(signal));

child.on("error", (error) => {
  console.error(`Could not start the Prisma CLI (${cli}): ${error.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  else process.exit(code ?? 1);
});
