#!/usr/bin/env node
/**
 * `npm test`: every test, with one total at the end.
 *   1. Vitest, both projects (vitest.config.ts): unit (no database, no child process) and
 *      integration (`*.integration.test.ts`: real PostgreSQL, each suite creates and drops its own database)
 *   2. next build (production build, type-checked)
 *   3. Playwright e2e in Debian's Chromium against `next start` on a throwaway database
 * Flags: --unit-only (the unit project: no PostgreSQL needed), --integration-only (the integration
 * project), --vitest-only (both projects), --e2e-only, --no-build (reuse .next).
 * Extra args after `--` go to the runner. The last line is `N passed, N failed` over every runner.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

const args = process.argv.slice(2);
const passThrough = args.includes("--") ? args.slice(args.indexOf("--") + 1) : [];
const flags = new Set(args.includes("--") ? args.slice(0, args.indexOf("--")) : args);
const only = ["--unit-only", "--integration-only", "--vitest-only", "--e2e-only"].filter((f) => flags.has(f));
if (only.length > 1) {
  console.error(`Pick one of ${only.join(", ")}.`);
  process.exit(2);
}
const noBuild = flags.has("--no-build");
// Vitest projects to run (null: none); every flag but --e2e-only runs some.
const vitestProjects = flags.has("--e2e-only") ? null : flags.has("--unit-only") ? ["unit"] : flags.has("--integration-only") ? ["integration"] : ["unit", "integration"];
const runE2e = only.length === 0 || flags.has("--e2e-only");
const needsPostgres = runE2e || (vitestProjects?.includes("integration") ?? false);

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const outDir = path.join(root, ".data", "test-results");
fs.mkdirSync(outDir, { recursive: true });
const adminUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const totals = { passed: 0, failed: 0, skipped: 0 };
let hardFailure = false;

function run(cmd, cmdArgs, env = {}) {
  console.log(`\n$ ${cmd} ${cmdArgs.join(" ")}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return r.status ?? 1;
}

async function withAdmin(fn) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

if (needsPostgres) {
  try {
    await withAdmin((c) => c.query("select 1"));
  } catch (err) {
    console.error(`PostgreSQL is not reachable at ${adminUrl.replace(/\/\/[^@]*@/, "//***@")}: ${err.message}`);
    console.error("Start it (see README: `npm test`) or set TEST_DATABASE_URL; `npm run test:unit` needs no database.");
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
}

if (vitestProjects) {
  const file = path.join(outDir, `vitest-${process.pid}.json`); // per run: others may be testing in this tree at once
  fs.rmSync(file, { force: true });
  const projects = vitestProjects.map((p) => `--project=${p}`);
  const code = run("npx", ["vitest", "run", ...projects, "--reporter=default", "--reporter=json", `--outputFile.json=${file}`, ...passThrough]);
  if (fs.existsSync(file)) {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    // A suite that failed to load has no test results but still failed.
    const brokenSuites = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
    totals.failed += brokenSuites;
    fs.rmSync(file, { force: true });
  } else if (code !== 0) {
    totals.failed += 1;
  }
  if (code !== 0 && totals.failed === 0) hardFailure = true;
}

if (runE2e) {
  const e2eEnv = {
    NODE_ENV: "production",
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
    AUDIT_HMAC_KEY: crypto.randomBytes(32).toString("hex"),
    LOG_LEVEL: "warn",
    DATA_DIR: path.join(root, ".data", "e2e"),
  };
  const buildCode = noBuild && fs.existsSync(path.join(root, ".next", "BUILD_ID")) ? 0 : run("npx", ["next", "build"], e2eEnv);
  if (buildCode !== 0) {
    console.error("next build failed: e2e tests not run");
    totals.failed += 1;
  } else {
    const dbName = `kr_e2e_${Date.now().toString(36)}_${crypto.randomBytes(3).toString("hex")}`;
    await withAdmin((c) => c.query(`CREATE DATABASE "${dbName}"`));
    const u = new URL(adminUrl);
    u.pathname = `/${dbName}`;
    const dbUrl = u.toString();
    try {
      const migrateCode = run("npx", ["tsx", "scripts/migrate.ts"], { ...e2eEnv, DATABASE_URL: dbUrl });
      if (migrateCode !== 0) throw new Error("migrations failed on the e2e database");
      const file = path.join(outDir, "playwright.json");
      fs.rmSync(file, { force: true });
      const code = run("npx", ["playwright", "test", ...passThrough], {
        ...e2eEnv,
        DATABASE_URL: dbUrl,
        PLAYWRIGHT_JSON_OUTPUT_NAME: file,
      });
      if (fs.existsSync(file)) {
        const r = JSON.parse(fs.readFileSync(file, "utf8"));
        totals.passed += r.stats.expected + r.stats.flaky;
        totals.failed += r.stats.unexpected;
        totals.skipped += r.stats.skipped;
        if (r.errors?.length && r.stats.unexpected === 0) totals.failed += r.errors.length;
      } else if (code !== 0) totals.failed += 1;
    } catch (err) {
      console.error(err.message);
      totals.failed += 1;
    } finally {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)).catch(() => undefined);
    }
  }
}

if (hardFailure) totals.failed += 1;
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(totals.failed > 0 ? 1 : 0);
