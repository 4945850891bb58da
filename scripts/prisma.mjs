#!/usr/bin/env node
/**
 * Runs the Prisma CLI offline: `node scripts/prisma.mjs <prisma args...>`
 * (every npm script uses this; `npm run prisma -- migrate dev --name x` works too).
 *
 * - PRISMA_SCHEMA_ENGINE_BINARY -> scripts/prisma-schema-engine.mjs, a stand-in for the native
 *   schema engine that Prisma cannot download here (wasm engine + driver adapter). An explicit
 *   PRISMA_SCHEMA_ENGINE_BINARY in the environment wins (e.g. a real native engine).
 * - DATABASE_URL unset (or empty) -> the embedded PGlite database the app uses:
 *   `<DATA_DIR>/pglite`, DATA_DIR defaulting to `.data` in the working directory (the project
 *   root for npm scripts; created if needed), passed to the CLI as `postgresql://pglite/<dir>`
 *   (convention of scripts/prisma-schema-engine.mjs; the app itself does not understand such
 *   URLs, so never export one as the app's DATABASE_URL).
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
  // Exactly where the app puts it (src/server/db.ts, src/env.ts): DATA_DIR (default ".data")
  // resolved against the working directory, i.e. <project>/.data/pglite for npm scripts. Run
  // from another directory, this never touches the project's own database.
  const dataDir = path.resolve(process.cwd(), env.DATA_DIR || ".data");
  mkdirSync(dataDir, { recursive: true });
  const dir = path.join(dataDir, "pglite");
  // The engine resolves a relative dir against the CLI's working directory, the same one.
  const relative = path.relative(process.cwd(), dir).split(path.sep).join("/");
  env.DATABASE_URL = `postgresql://pglite/${relative.startsWith("..") ? dir : relative}`;
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
