#!/usr/bin/env node
/**
 * Runs the Prisma CLI offline: `node scripts/prisma.mjs <prisma args...>`
 * (every npm script uses this; `npm run prisma -- migrate dev --name x` works too).
 *
 * - PRISMA_SCHEMA_ENGINE_BINARY -> scripts/prisma-schema-engine.mjs, a stand-in for the native
 *   schema engine that Prisma cannot download here (wasm engine + driver adapter). An explicit
 *   PRISMA_SCHEMA_ENGINE_BINARY in the environment wins (e.g. a real native engine).
 * - DATABASE_URL unset (or empty) -> `postgresql://pglite/.data/pglite`, an embedded PGlite
 *   database in `<project>/.data/pglite` (`.data` is created if needed). PGlite is
 *   single-process: stop the app before migrating it.
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
  mkdirSync(path.join(projectRoot, ".data"), { recursive: true });
  // Relative to the project root (the engine runs in the CLI's project directory); absolute
  // when the CLI is started from elsewhere.
  const dir = path.resolve(process.cwd()) === projectRoot ? ".data/pglite" : path.join(projectRoot, ".data", "pglite");
  env.DATABASE_URL = `postgresql://pglite/${dir}`;
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
