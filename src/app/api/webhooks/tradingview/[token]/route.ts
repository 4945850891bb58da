import type { NextRequest } from "next/server";
import { getEngine } from "~/server/engine/runtime";
import { httpStatusFor, isAppError } from "~/server/errors";
import { readBodyText } from "~/server/http/body-limit";
import { requestMeta } from "~/server/http/request-meta";
import { logger } from "~/server/logger";
import { receiveSignal } from "~/server/signals/receive-signal";

export const dynamic = "force-dynamic";

/**
 * TradingView alerts: parse, store, answer fast; orders are placed by the workers. The server entry
 * (scripts/server.ts) answers these POSTs itself, ahead of Next, for latency; this route serves
 * them when the app runs under plain `next start`.
 */
export async function POST(req: NextRequest, ctx: { params: Promise<{ token: string }> }) {
  const { token } = await ctx.params;
  let body: string;
  try {
    // Counted while it streams and cut at 64 KB: an oversized alert is never held whole.
    body = await readBodyText(req, "alert");
  } catch (err) {
    if (!isAppError(err)) throw err;
    return Response.json({ error: err.message }, { status: httpStatusFor(err.code) });
  }
  try {
    const r = await receiveSignal(getEngine().deps, { pathToken: token, contentType: req.headers.get("content-type"), body, ip: requestMeta(req.headers).ip });
    return Response.json(r.body, { status: r.status, headers: r.headers });
  } catch (err) {
    logger.error({ err }, "webhook failed");
    // TradingView re-sends on 5xx; the dedupe keys make that safe.
    return Response.json({ error: "Temporary failure; TradingView will retry." }, { status: 503 });
  }
}
