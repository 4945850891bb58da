/**
 * `npm run demo`: the whole product in one command. Starts the exchange simulator, seeds an
 * admin, three users (PRO, FLEX, TRIAL) with simulator keys connected and verified, and a
 * strategy they subscribe to, then starts the app (embedded database under .data/demo, jobs
 * in-process) and prints the URLs, sign-in details and a ready curl. Safe to re-run.
 *
 * `--seed-only` seeds DATABASE_URL (or the embedded DB) against EXCHANGE_SIMULATOR_URL and prints
 * the seed as JSON (used by the e2e test).
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";

const seedOnly = process.argv.includes("--seed-only");
const PORT = Number(process.env.PORT ?? 3333);
const SIM_PORT = Number(process.env.SIM_PORT ?? 4010);
if (!seedOnly) {
  process.env.DATA_DIR ??= ".data/demo";
  process.env.EXCHANGE_SIMULATOR_URL ??= `http://127.0.0.1:${SIM_PORT}`;
}
const simUrl = process.env.EXCHANGE_SIMULATOR_URL;
if (!simUrl) {
  console.error("--seed-only needs EXCHANGE_SIMULATOR_URL (the simulator the demo keys live on).");
  process.exit(2);
}

const children: ReturnType<typeof spawn>[] = [];
function stopAll() {
  for (const c of children) c.kill("SIGTERM");
}
process.on("SIGINT", () => {
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
  const sim = spawn("npx", ["tsx", "src/sim/main.ts"], { env: { ...process.env, SIM_PORT: String(SIM_PORT) }, stdio: "ignore" });
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

const server = spawn("npx", ["tsx", "scripts/server.ts", "--dev"], { env: { ...process.env, PORT: String(PORT) }, stdio: ["ignore", "ignore", "inherit"] });
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
