/**
 * KeyRelay's HTTP entry (dev and production). A thin wrapper around Next's request handler that:
 * - validates the environment first (a bad variable stops the process with a clear message);
 * - records the real client IP in a private header (X-Forwarded-For only with TRUST_PROXY),
 *   because App Router handlers cannot see the socket;
 * - in dev or embedded-database mode, applies pending migrations before serving.
 * Usage: `tsx scripts/server.ts [--dev]`.
 */
import http from "node:http";

const dev = process.argv.includes("--dev");
(process.env as Record<string, string>).NODE_ENV ??= dev ? "development" : "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const { parseEnv, EnvError } = await import("~/env");

const { devAuthSecret } = await import("~/server/auth/dev-auth-secret");

function ensureDevAuthSecret(dataDir: string) {
  if (process.env.NEXTAUTH_SECRET || process.env.NODE_ENV === "production") return;
  process.env.NEXTAUTH_SECRET = devAuthSecret(dataDir, { create: true })!;
}

let env;
try {
  ensureDevAuthSecret(process.env.DATA_DIR || ".data");
  env = parseEnv(process.env);
  process.env.NEXTAUTH_URL ??= `http://localhost:${env.PORT}`;
} catch (err) {
  if (err instanceof EnvError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const { CLIENT_IP_HEADER, resolveClientIp } = await import("~/server/http/request-meta");
const { getDatabase } = await import("~/server/db");
const { applyMigrations } = await import("~/server/db/apply-migrations");
const { logger } = await import("~/server/logger");
const { getKeyring } = await import("~/server/vault/process-keyring");
const { crossSiteMutationReason } = await import("~/server/http/csrf");
const { serveWebhook, webhookToken } = await import("~/server/signals/webhook-http");
const { getEngine } = await import("~/server/engine/runtime");
const { securityHeaders } = await import("~/server/http/security-headers.mjs");

try {
  // Build the keyring now: production without a valid ENCRYPTION_KEY must not start at all.
  getKeyring();
} catch (err) {
  console.error(`Cannot start: ${(err as Error).message}`);
  process.exit(1);
}

if (dev || !env.DATABASE_URL) {
  const result = await applyMigrations(getDatabase());
  if (result.applied.length) logger.info({ applied: result.applied }, "applied database migrations");
}

// Jobs: the embedded database runs them in this process; with PostgreSQL, `npm run worker` does
// (or this process, in dev or with WORKER_IN_PROCESS=1).
if (!env.DATABASE_URL || env.WORKER_IN_PROCESS || dev) {
  const { startEngineWorkers } = await import("~/server/engine/runtime");
  await startEngineWorkers();
}

const { default: next } = await import("next");
const server = http.createServer();
const app = next({ dev, hostname: "localhost", port: env.PORT, httpServer: server });
const handle = app.getRequestHandler();
await app.prepare();

// Decided at run time (not baked into the build), so HSTS follows the deployed NEXTAUTH_URL.
const headers = securityHeaders({ nodeEnv: process.env.NODE_ENV, publicUrl: process.env.NEXTAUTH_URL });

server.on("request", (req, res) => {
  const ip = resolveClientIp({
    socketAddress: req.socket.remoteAddress,
    forwardedFor: req.headers["x-forwarded-for"],
    trustProxy: env.TRUST_PROXY,
  });
  for (const h of headers) res.setHeader(h.key, h.value);
  const token = webhookToken(req.method, req.url);
  if (token !== null) {
    void serveWebhook({ db: getDatabase().prisma, jobs: getEngine().deps.jobs }, req, res, { token, ip });
    return;
  }
  const csrf = crossSiteMutationReason({ method: req.method, url: req.url, headers: req.headers, allowedOrigins: [process.env.NEXTAUTH_URL] });
  if (csrf) {
    logger.warn({ reason: csrf, method: req.method, path: (req.url ?? "/").split("?")[0], ip }, "refused a cross-site request");
    res.writeHead(403, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "FORBIDDEN", message: "Cross-site request refused." } }));
    return;
  }
  // Never let a client choose these values.
  req.headers[CLIENT_IP_HEADER] = ip ?? "";
  req.headers["x-keyrelay-path"] = (req.url ?? "/").slice(0, 2048);
  void handle(req, res);
});

server.listen(env.PORT, () => {
  logger.info(
    { url: `http://localhost:${env.PORT}`, database: env.DATABASE_URL ? "postgresql" : "embedded (PGlite)", mode: dev ? "dev" : "production" },
    `KeyRelay ready on http://localhost:${env.PORT}`,
  );
});

function shutdown() {
  server.close();
  void import("~/server/db").then((m) => m.closeDatabase()).finally(() => process.exit(0));
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
