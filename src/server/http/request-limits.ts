/**
 * Bounds on every request the server entry (scripts/server.ts) accepts, before Next or a route sees it:
 * - time: the headers and the body must arrive within HTTP_REQUEST_TIMEOUT_MS (Node answers 408 and
 *   closes), so a client sending one byte every few seconds cannot hold a connection open;
 * - size: a body declared larger than MAX_BODY_BYTES is refused at once, and a chunked one is cut as
 *   it streams: whatever Next does with a body (buffers it whole, clones it for a proxy), it is never
 *   handed more than the limit plus one byte, so the route that counts it answers its own 413
 *   (readBodyText in body-limit.ts).
 * Pure: no database, no app module graph, so the server entry can load it before the app boots.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { bodyTooLarge, MAX_BODY_BYTES } from "~/server/http/body-limit";
import { apiHelpPath } from "~/server/error-catalogue/account-errors";

/** Headers alone get at most this long, within the request timeout. */
const HEADERS_TIMEOUT_MS = 10_000;
/** An idle kept-alive connection is closed after this (Node's default, said out loud). */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How long an upload answered before it ended may go on (dropped) before the connection is closed. */
const LINGER_MS = 1_000;

/** An HTTP server whose requests must arrive whole within `requestTimeoutMs`. */
export function createBoundedServer(requestTimeoutMs: number): http.Server {
  const server = http.createServer({
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
    // Node checks both timeouts on this interval (default 30 s): check often enough that the
    // timeout is what decides when a slow request is cut.
    connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(requestTimeoutMs / 4))),
  });
  server.keepAliveTimeout = Math.min(KEEP_ALIVE_TIMEOUT_MS, requestTimeoutMs);
  return server;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

function refuse(res: ServerResponse, message: string) {
  const text = JSON.stringify({ error: { code: "PAYLOAD_TOO_LARGE", message, fieldErrors: null, help: apiHelpPath("PAYLOAD_TOO_LARGE") } });
  res.writeHead(413, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * When the response is out but the body is still arriving (a 413, or a 401 that never read it), the
 * upload gets LINGER_MS to stop, read off the socket and dropped, then the connection is closed:
 * closing at once would reset it before the client had read the answer. Returns "the upload ended".
 */
function lingerIfUnfinished(req: IncomingMessage, res: ServerResponse): () => void {
  let linger: NodeJS.Timeout | undefined;
  let done = false;
  res.once("finish", () => {
    if (done || req.complete) return;
    linger = setTimeout(() => req.socket.destroy(), LINGER_MS);
    linger.unref();
  });
  return () => {
    done = true;
    clearTimeout(linger);
  };
}

/**
 * Bounds the body of a request about to be handed to Next. Returns true when it answered the request
 * itself (a declared Content-Length over the limit: 413 without reading a byte).
 *
 * Otherwise the HTTP parser's hand-off into the request stream (`push`, which the parser calls for
 * each body chunk as it comes off the socket) passes the first MAX_BODY_BYTES + 1 bytes and drops
 * the rest as it arrives. The stream is not ended early: a request stream that ends before its
 * message is complete is taken as aborted and its socket destroyed, and the 413 with it. An answer
 * sent before the upload ended closes the connection soon after (lingerIfUnfinished).
 */
export function boundRequestBody(req: IncomingMessage, res: ServerResponse): boolean {
  const declared = bodyTooLarge(req.headers["content-length"]);
  if (declared) {
    const uploaded = lingerIfUnfinished(req, res);
    req.once("end", uploaded);
    refuse(res, declared);
    return true;
  }
  if (!hasBody(req)) return false;
  const uploaded = lingerIfUnfinished(req, res);
  const push = req.push.bind(req);
  let size = 0;
  req.push = ((chunk: Buffer | null, encoding?: BufferEncoding) => {
    if (chunk === null) {
      // The parser's end of the message: the upload is over, the connection may be kept.
      uploaded();
      return push(null);
    }
    const before = size;
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) return push(chunk, encoding);
    // One byte over tells a counting reader the body was too large; the rest is read off the
    // socket and dropped, so nothing piles up and the connection is not stalled.
    if (before <= MAX_BODY_BYTES) push(chunk.subarray(0, MAX_BODY_BYTES + 1 - before), encoding);
    return true;
  }) as typeof req.push;
  return false;
}
