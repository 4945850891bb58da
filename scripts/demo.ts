/**
 * `npm run demo`: the whole product in one command. Starts the exchange simulator, seeds an
 * admin, three users (PRO, FLEX, TRIAL) with simulator keys connected and verified, and a
 * strategy they subscribe to, then starts the app in production mode (`next build` once, skipped
 * while `.next` is newer than every source; then `next start` through scripts/server.ts, embedded
 * database under .data/demo, jobs in-process; its secrets kept in .data/demo) and prints the URLs,
 * sign-in details and a ready curl. Safe to re-run.
 *
 * `--seed-only` seeds DATABASE_URL (or the embedded DB) against EXCHANGE_SIMULATOR_URL and prints
 * the seed as JSON (used by the e2e test).
 */
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const seedOnly = process.argv.includes("--seed-only");
const PORT = Number(process.env.PORT ?? 3333);
const SIM_PORT = Number(process.env.SIM_PORT ?? 4010);
if (!seedOnly) {
  // The seed runs as in development (readable log lines); the app itself runs in production mode below.
  (process.env as Record<string, string>).NODE_ENV ??= "development";
  process.env.DATA_DIR ??= ".data/demo";
  process.env.EXCHANGE_SIMULATOR_URL ??= `http://127.0.0.1:${SIM_PORT}`;
}
const simUrl = process.env.EXCHANGE_SIMULATOR_URL;
if (!simUrl) {
  console.error("--seed-only needs EXCHANGE_SIMULATOR_URL (the simulator the demo keys live on).");
  process.exit(2);
}

// Each child leads its own process group (npx -> sh -> node), so stopping it reaches the node process too.
const children: ReturnType<typeof spawn>[] = [];
function stopAll() {
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, "SIGTERM");
    } catch {}
  }
}
process.on("exit", stopAll);
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    stopAll();
    process.exit(0);
  });

async function waitHealthy(url: string, ms = 120_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not come up`);
}

if (!seedOnly) {
  const sim = spawn("npx", ["tsx", "src/sim/main.ts"], { env: { ...process.env, SIM_PORT: String(SIM_PORT) }, stdio: "ignore", detached: true });
  children.push(sim);
  await waitHealthy(`${simUrl}/__sim/health`);
}

// Seed (the embedded database is single-process: seed first, then hand it to the server).
const { getDatabase, closeDatabase } = await import("~/server/db");
const { applyMigrations } = await import("~/server/db/apply-migrations");
const { seedDemo } = await import("~/server/demo/seed-demo");
const database = getDatabase();
await applyMigrations(database);
const seed = await seedDemo(database.prisma, { simulatorUrl: simUrl });
await closeDatabase();

const base = `http://localhost:${PORT}`;
const alert = { ticker: "BTCUSDT", action: "buy", price: seed.price, id: `demo-${crypto.randomBytes(4).toString("hex")}` };
// Double quotes so the shell fills in a fresh id per run (a repeated id is deduplicated, as it should be).
const body = JSON.stringify({ ...alert, id: "demo-$(date +%s)" }).replace(/"/g, '\\"');
const curl = `curl -s -X POST ${base}${seed.webhookPath} -H 'content-type: application/json' -d "${body}"`;

if (seedOnly) {
  console.log(JSON.stringify({ ...seed, curl }));
  process.exit(0);
}

// Production mode: no compile pauses on first visits, no dev overlay. Its secrets persist in the demo's
// data directory (the seed above sealed the keys with the same encryption key).
const { staleBuildReason } = await import("~/server/demo/build-freshness");
const { devAuthSecret } = await import("~/server/auth/dev-auth-secret");
const dataDir = process.env.DATA_DIR!;
const prodEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production" as const,
  NEXT_TELEMETRY_DISABLED: "1",
  NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? devAuthSecret(dataDir, { create: true })!,
  ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? demoKey("encryption.key"),
  AUDIT_HMAC_KEY: process.env.AUDIT_HMAC_KEY ?? demoKey("audit.key"),
};
const stale = staleBuildReason(process.cwd());
if (stale) {
  console.log(`Building the app once (${stale}); later runs skip this while nothing changes…`);
  const build = spawnSync("npx", ["next", "build"], { env: prodEnv, stdio: ["ignore", "inherit", "inherit"] });
  if (build.status !== 0) {
    console.error("next build failed (its errors are above); the demo did not start.");
    stopAll();
    process.exit(1);
  }
}
const server = spawn("npx", ["tsx", "scripts/server.ts"], { env: { ...prodEnv, PORT: String(PORT) }, stdio: ["ignore", "ignore", "inherit"], detached: true });
children.push(server);
await waitHealthy(`${base}/api/health`);
console.log(`
KeyRelay demo is running.

  App:        ${base}
  Simulator:  ${simUrl}   (exchange ledger: ${simUrl}/__sim/orders)

  Admin:      ${seed.admin.email} / ${seed.password}
  Users:      ${seed.users.map((u) => `${u.email} (${u.tier})`).join(", ")}  / ${seed.password}

Send a TradingView-style alert, then watch it fan out on ${base}/admin/signals :

  ${curl}

(The webhook URL is shown once: KeyRelay keeps only its hash. Each demo run prints a new one.)

Ctrl+C stops everything.`);

/** A 32-byte hex key kept in the demo's data directory (the file dev mode would create), made once. */
function demoKey(file: string): string {
  const p = path.join(process.env.DATA_DIR!, file);
  if (!fs.existsSync(p)) {
    fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(p, `${crypto.randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  return fs.readFileSync(p, "utf8").trim();
}
