import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

// Two projects, chosen by file name:
//   unit         *.test.ts: no database, no child process, no network beyond in-process servers
//                (the simulator, a fake model endpoint); `npm run test:unit`, well under a minute.
//   integration  *.integration.test.ts: real PostgreSQL (each suite makes and drops its own
//                database), child processes (workers, CLIs, a private PostgreSQL).
// Timing figures live in bench/, not here: a test asserts what happened, never how fast.
const INTEGRATION = ["src/**/*.integration.test.ts", "scripts/**/*.integration.test.ts"];

export default defineConfig({
  resolve: {
    alias: {
      "~": fileURLToPath(new URL("./src", import.meta.url)),
      "server-only": fileURLToPath(new URL("./src/server/test/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    environment: "node",
    // Generous: a timeout only bounds a wait, and a loaded shared machine must not fail a test.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...INTEGRATION],
          // Files share a worker's module cache (ccxt alone costs ~1 s to import per file): about half
          // the run time on 2 cores. Each file restores what it changes (env, logger, rate limits).
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: INTEGRATION,
          // One audit key per run, inherited by every CLI, worker and server a test starts (production
          // requires one): the processes of a test seal and verify the same chain.
          env: { AUDIT_HMAC_KEY: process.env.AUDIT_HMAC_KEY ?? randomBytes(32).toString("hex") },
        },
      },
    ],
  },
});
