/**
 * The TradingView webhook served straight from the HTTP server entry, ahead of Next: same
 * receiveSignal, without Next's per-request routing and rendering cost (~4 ms of CPU), so the
 * answer stays within TradingView's budget under bursts. Paths: POST /api/webhooks/tradingview/<token>.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db, SqlClient } from "~/server/db";
import { bodyTooLarge } from "~/server/http/body-limit";
import type { JobSink } from "~/server/jobs/job-sink";
import { logger } from "~/server/logger";
import { receiveSignal } from "~/server/signals/receive-signal";

const PATH = /^\/api\/webhooks\/tradingview\/([^/?#]+)\/?(?:\?.*)?$/;

/** The token when this request is a webhook call this handler serves, else null. */
export function webhookToken(method: string | undefined, url: string | undefined): string | null {
  if (method !== "POST" || !url) return null;
  const m = PATH.exec(url);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return "";
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store", ...headers });
  res.end(text);
}

export async function serveWebhook(
  deps: { db: Db; sql: SqlClient; jobs: JobSink },
  req: IncomingMessage,
  res: ServerResponse,
  input: { token: string; ip: string | null },
): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      const tooLarge = bodyTooLarge(size, "alert");
      if (tooLarge) {
        send(res, 413, { error: tooLarge }, { connection: "close" });
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const r = await receiveSignal(deps, {
      pathToken: input.token,
      contentType: (req.headers["content-type"] as string | undefined) ?? null,
      body: Buffer.concat(chunks).toString("utf8"),
      ip: input.ip,
    });
    send(res, r.status, r.body, r.headers);
  } catch (err) {
    logger.error({ err }, "webhook failed");
    // TradingView re-sends on 5xx; the dedupe keys make that safe.
    if (!res.headersSent) send(res, 503, { error: "Temporary failure; TradingView will retry." });
  }
}
