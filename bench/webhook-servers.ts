// The webhook servers the benches post alerts to (bench/fanout.ts's webhook phase, bench/burst.ts):
//   - the real route: `scripts/server.ts` (the production server) on the build in .next, NODE_ENV=production;
//   - a minimal node:http server in a child process calling receiveSignal exactly as the route handler does
//     (this file run with --webhook-child), for a machine without a build, and to show what the route costs
//     on top;
//   - forkServer: any such child (tsx's loader inherited) that posts `{port}` once listening and ends on "stop".
// Not a bench itself.
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { freePort, spawnGroup, stopChild, stopGroup, waitUntil } from "./harness";

const HERE = fileURLToPath(import.meta.url);
const ROUTE = "/api/webhooks/tradingview/";

export interface WebhookServer {
  /** The process serving (its tree is what a bench charges CPU to). */
  pid: number;
  label: string;
  /** The POST URL for a strategy's webhook token. */
  url(token: string): string;
  stop(): Promise<void>;
}

/** POST over a keep-alive agent (closeAgent at the end); resolves with status and body text. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
export function post(url: string, body: string, contentType = "application/json"): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent, headers: { "content-type": contentType, "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
export const closeAgent = () => agent.destroy();

/**
 * The real route: scripts/server.ts on the production build in .next, or null when there is no build
 * or it does not start (the caller says what it measures instead). `nodeArgs` (e.g. "--cpu-prof ...")
 * run node directly with tsx's loader.
 */
export async function startNextRoute(databaseUrl: string, encryptionKey: string, nodeArgs: string[] = []): Promise<WebhookServer | null> {
  if (!fs.existsSync(".next/BUILD_ID")) {
    console.log("no production build in .next (run `npx next build`): the minimal node:http route is measured instead");
    return null;
  }
  const port = await freePort();
  const child = spawnGroup(process.execPath, [...nodeArgs, "--import", "tsx", "scripts/server.ts"], {
    env: {
      NODE_ENV: "production", PORT: String(port), DATABASE_URL: databaseUrl, ENCRYPTION_KEY: encryptionKey, AUDIT_HMAC_KEY: process.env.AUDIT_HMAC_KEY ?? randomBytes(32).toString("hex"),
      NEXTAUTH_SECRET: "x".repeat(40), NEXTAUTH_URL: `http://localhost:${port}`, LOG_LEVEL: "error", WORKER_IN_PROCESS: "",
    },
  });
  const base = `http://127.0.0.1:${port}${ROUTE}`;
  try {
    await waitUntil("the Next server", async () => (await post(`${base}not-a-token-0000`, "{}")).status === 404, 60_000, 250);
  } catch (err) {
    console.log(`the Next server did not start (${(err as Error).message}): the minimal node:http route is measured instead`);
    await stopGroup(child);
    return null;
  }
  return { pid: child.pid!, label: "the real route in the Next production server (node --import tsx scripts/server.ts, build in .next)", url: (token) => base + token, stop: () => stopGroup(child) };
}

/** A minimal node:http server in a child process calling receiveSignal as the route handler does. */
export async function startMinimalRoute(databaseUrl: string, nodeArgs: string[] = []): Promise<WebhookServer> {
  const child = await forkServer(HERE, ["--webhook-child", databaseUrl], nodeArgs);
  return { ...child, label: "a minimal node:http server in a child process calling receiveSignal as the route handler does" };
}

/** A child process (tsx's loader inherited) that serves the webhook route's paths, posts `{port}` when listening, and ends on "stop". */
export async function forkServer(file: string, args: string[], nodeArgs: string[] = []): Promise<Omit<WebhookServer, "label">> {
  const child: ChildProcess = fork(file, args, { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [...process.execArgv, ...nodeArgs] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`${path.basename(file)} ${args[0]} exited early (${code})`)));
  });
  const stop = () => stopChild(child);
  return { pid: child.pid!, url: (token) => `http://127.0.0.1:${port}${ROUTE}${token}`, stop };
}

/** Serves `handle` on an ephemeral port as a forkServer child: posts `{port}`, ends on "stop" after `close`. */
export async function serveChild(handle: (token: string, body: string, req: http.IncomingMessage) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>, close: () => Promise<void>): Promise<void> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const url = req.url ?? "";
      const raw = url.slice(url.lastIndexOf("/") + 1);
      const token = raw.includes("%") ? decodeURIComponent(raw) : raw;
      handle(token, body, req).then(
        (r) => {
          res.writeHead(r.status, { "content-type": "application/json", ...(r.headers ?? {}) });
          res.end(JSON.stringify(r.body));
        },
        () => {
          res.writeHead(503, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "Temporary failure; TradingView will retry." }));
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  process.on("message", (msg) => {
    if (msg !== "stop") return;
    server.closeAllConnections();
    server.close();
    void close().finally(() => process.exit(0));
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ port: (server.address() as net.AddressInfo).port });
}

// ---- entry: the minimal route's child -----------------------------------------------------------------
if (process.argv[2] === "--webhook-child") {
  const { createPostgresDatabase } = await import("~/server/db");
  const { graphileSink } = await import("~/server/engine/runtime");
  const { receiveSignal } = await import("~/server/signals/receive-signal");
  const database = createPostgresDatabase(process.argv[3]!);
  const deps = { db: database.prisma, sql: database.sql, jobs: graphileSink() };
  await serveChild(
    (token, body, req) => receiveSignal(deps, { pathToken: token, contentType: req.headers["content-type"] ?? null, body, ip: req.socket.remoteAddress ?? null }),
    () => database.close(),
  );
}
