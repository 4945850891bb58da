/**
 * `npm run worker`: runs signal fan-out and order jobs (graphile-worker on PostgreSQL). Run as
 * many as needed, on as many machines, against the same DATABASE_URL. WORKER_HEALTH_PORT, if
 * set, serves GET /health (200 while running) for orchestrators and tests. Everything it runs on
 * comes from the composition root (src/server/composition.ts), as in the web process.
 */
import http from "node:http";

// A worker runs up to WORKER_CONCURRENCY batches at once; give its queries room (the composition root reads this).
process.env.DATABASE_POOL_SIZE ??= "20";
import { getEnv } from "~/env";
import { closeRoot, rootAuditKeyring, rootKeyring } from "~/server/composition";
import { ordersInFlight } from "~/server/engine/execute-batch";
import { startEngineWorkers } from "~/server/engine/runtime";
import { logger } from "~/server/logger";

const env = getEnv();
if (!env.DATABASE_URL) {
  console.error("npm run worker needs DATABASE_URL (a PostgreSQL database). With the embedded database, `npm run dev` runs the jobs in-process.");
  process.exit(1);
}
try {
  rootKeyring();
  rootAuditKeyring(); // order results are audited: without the audit key in production, do not start
} catch (err) {
  console.error(`Cannot start: ${(err as Error).message}`);
  process.exit(1);
}

const engine = await startEngineWorkers();
let health: http.Server | undefined;
if (env.WORKER_HEALTH_PORT) {
  health = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    // What this worker holds, against its bounds: exchange clients (views), market sets, remembered account settings,
    // orders in flight to the exchanges, memory.
    const adapter = engine.deps.adapter;
    const caches = { ...adapter.clients.stats(), accountSettings: adapter.accountSettings.size, ...ordersInFlight() };
    res.end(JSON.stringify({ status: "ok", pid: process.pid, caches, rssMb: Math.round(process.memoryUsage.rss() / 1e6) }));
  });
  health.listen(env.WORKER_HEALTH_PORT, "127.0.0.1");
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  logger.info("worker stopping");
  health?.close();
  await closeRoot();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
