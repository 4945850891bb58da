/**
 * The server entry's bounds, on a real HTTP server in this process (createBoundedServer +
 * boundRequestBody, as scripts/server.ts wires them) in front of a route that keeps every byte it
 * is handed and counts them. The production server itself is attacked in
 * e2e/bounded-requests.spec.ts, where its memory is measured.
 */
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "~/env";
import { MAX_BODY_BYTES } from "~/server/http/body-limit";
import { boundRequestBody, createBoundedServer } from "~/server/http/request-limits";

const TIMEOUT_MS = 1_500;
const MB = 1024 * 1024;
let server: http.Server;
let port: number;
/** Bytes the route was handed, per request path. */
const handed = new Map<string, number>();

beforeAll(async () => {
  server = createBoundedServer(TIMEOUT_MS);
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (boundRequestBody(req, res)) return;
    if (req.url === "/refuse-unread") {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"who are you?"}');
      return;
    }
    // Counts while reading and answers 413 past the limit without cancelling (as readBodyText does).
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size <= MAX_BODY_BYTES) return;
      req.pause();
      handed.set(req.url ?? "", size);
      res.writeHead(413).end(String(size));
    });
    req.on("end", () => {
      handed.set(req.url ?? "", size);
      if (!res.headersSent) res.writeHead(200).end(String(Buffer.concat(chunks).length));
    });
    req.on("error", () => undefined); // a request cut by the timeout is aborted mid-read
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Streams up to `total` bytes as a chunked body until the server answers; what it answered and what was sent. */
function upload(path: string, total: number, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; sent: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", headers: { "content-type": "application/json", ...headers } });
    req.on("response", (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode ?? 0, sent });
      req.destroy();
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** Sends `head`, then one byte every `everyMs`; resolves with what the server wrote and when it closed. */
function trickle(head: string, everyMs: number) {
  return new Promise<{ reply: string; afterMs: number }>((resolve) => {
    const started = Date.now();
    let reply = "";
    const socket = net.connect(port, "127.0.0.1", () => socket.write(head));
    const timer = setInterval(() => socket.write(head.includes("chunked") ? "1\r\na\r\n" : "x"), everyMs);
    socket.on("data", (d) => (reply += d.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ reply, afterMs: Date.now() - started });
    });
  });
}

describe("bounded requests at the server entry", () => {
  it("a 150 MB chunked upload reaches the route as the limit plus one byte and is refused 413 while it is being sent", async () => {
    const r = await upload("/big", 150 * MB);
    expect(r.status).toBe(413);
    expect(handed.get("/big")).toBe(MAX_BODY_BYTES + 1);
    expect(r.sent).toBeLessThan(150 * MB);
  });

  it("a body declared larger than the limit is refused before a byte of it is read", async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: "/declared", method: "POST", headers: { "content-length": String(150 * MB) } });
      req.on("response", resolve).on("error", reject);
      req.write("{");
    });
    const text = await new Promise<string>((r) => {
      let s = "";
      res.on("data", (d) => (s += d)).on("end", () => r(s));
    });
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(text)).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: "The body is larger than 64 KB.", fieldErrors: null, help: "/help/troubleshooting#api-payload-too-large" } });
    expect(handed.has("/declared")).toBe(false);
  });

  it("a route that refuses without reading answers while the upload is still being sent", async () => {
    const r = await upload("/refuse-unread", 150 * MB);
    expect(r.status).toBe(401);
    expect(r.sent).toBeLessThan(150 * MB);
  });

  it("a body within the limit arrives whole and keep-alive is kept", async () => {
    const body = JSON.stringify({ a: "x".repeat(MAX_BODY_BYTES - 20) });
    const res = await fetch(`http://127.0.0.1:${port}/small`, { method: "POST", body });
    expect([res.status, await res.text()]).toEqual([200, String(Buffer.byteLength(body))]);
    expect(res.headers.get("connection")).toBe("keep-alive");
  });

  it("a body sent one byte a second is cut with 408 within the request timeout", async () => {
    const head = `POST /slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const r = await trickle(head, 1_000);
    expect(r.reply).toMatch(/^HTTP\/1\.1 408/);
    // A correctness bound, not a timing target: closed by the timeout, long before the trickle would end.
    expect(r.afterMs).toBeLessThan(TIMEOUT_MS + 15_000);
    expect(handed.has("/slow")).toBe(false);
  });

  it("headers sent one byte a second are cut within the request timeout", async () => {
    const r = await trickle("GET / HTTP/1.1\r\nX-Slow: ", 1_000);
    expect(r.afterMs).toBeLessThan(TIMEOUT_MS + 15_000);
  });

  it("HTTP_REQUEST_TIMEOUT_MS defaults to 30 s and is checked", () => {
    expect(parseEnv({}).HTTP_REQUEST_TIMEOUT_MS).toBe(30_000);
    expect(parseEnv({ HTTP_REQUEST_TIMEOUT_MS: "2000" }).HTTP_REQUEST_TIMEOUT_MS).toBe(2_000);
    expect(() => parseEnv({ HTTP_REQUEST_TIMEOUT_MS: "10" })).toThrow(/HTTP_REQUEST_TIMEOUT_MS: must be a whole number of milliseconds from 1000 to 600000/);
  });
});
