/**
 * KeyRelay's HTTP entry (dev and production). A thin wrapper around Next's request handler that:
 * - validates the environment first (a bad variable stops the process with a clear message);
 * - records the real client IP in a private header (X-Forwarded-For only with TRUST_PROXY, counted
 *   in hops from the right), because App Router handlers cannot see the socket; refuses cross-site
 *   mutations; sets security headers;
 * - bounds every request (src/server/http/request-limits.ts): headers and body within
 *   HTTP_REQUEST_TIMEOUT_MS, bodies cut at MAX_BODY_BYTES while they stream;
 * - answers TradingView webhooks itself, ahead of Next's routing, with the handler the app registers
 *   when it has booted (src/instrumentation.ts: keyring checked, migrations applied in dev or
 *   embedded-database mode, in-process jobs started); it listens only once that is done, and a boot
 *   failure (no valid ENCRYPTION_KEY in production, a failed migration) stops the process here.
 * It loads only pure helpers and the process registry: the database, keyring, exchange adapter,
 * queue and engine belong to the app's module graph (src/server/process-registry.ts says why).
 * Usage: `tsx scripts/server.ts [--dev]`.
 */
// Everything is imported below, after the environment is checked; this line makes the file a module.
export {};
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
const { boundRequestBody, createBoundedServer } = await import("~/server/http/request-limits");
const { logger } = await import("~/server/logger");
const { crossSiteMutationReason } = await import("~/server/http/csrf");
const { malformedCookie } = await import("~/server/http/cookies");
const { webhookToken } = await import("~/server/signals/webhook-http");
const { securityHeaders } = await import("~/server/http/security-headers.mjs");
const { processRegistry } = await import("~/server/process-registry");

const { default: next } = await import("next");
const server = createBoundedServer(env.HTTP_REQUEST_TIMEOUT_MS);
const app = next({ dev, hostname: "localhost", port: env.PORT, httpServer: server });
const handle = app.getRequestHandler();
// Runs src/instrumentation.ts, which boots the app: awaited here in dev, started but not awaited in production.
await app.prepare();

/** The booted app's webhook handler; throws why it could not boot. */
async function booted() {
  const registration = processRegistry().web;
  for (let waited = 0; !registration.booting; waited += 50) {
    if (waited >= 30_000) throw new Error("the app did not boot: Next did not run src/instrumentation.ts.");
    await new Promise((r) => setTimeout(r, 50));
  }
  return registration.ready;
}

let web: Awaited<ReturnType<typeof booted>>;
try {
  web = await booted();
} catch (err) {
  console.error(`Cannot start: ${(err as Error).message}`);
  process.exit(1);
}

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
    void web.webhook(req, res, { token, ip });
    return;
  }
  const csrf = crossSiteMutationReason({ method: req.method, url: req.url, headers: req.headers, allowedOrigins: [process.env.NEXTAUTH_URL] });
  if (csrf) {
    logger.warn({ reason: csrf, method: req.method, path: (req.url ?? "/").split("?")[0], ip }, "refused a cross-site request");
    res.writeHead(403, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "FORBIDDEN", message: "Cross-site request refused." } }));
    return;
  }
  const badCookie = malformedCookie(req.headers.cookie);
  if (badCookie) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "BAD_REQUEST", message: badCookie } }));
    return;
  }
  if (boundRequestBody(req, res)) return;
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
  void web.close().finally(() => process.exit(0));
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
