/**
 * The tRPC endpoint behind /api/trpc, bounded: the body is read first, counted while it streams and
 * cut at MAX_BODY_BYTES (tRPC itself would read it whole), and a batch may hold at most
 * TRPC_MAX_BATCH calls. A refused body still gets tRPC's own error shape, per call, with its status.
 */
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "~/server/api/root";
import { createTRPCContext } from "~/server/api/trpc";
import { isAppError, trpcCodeFor } from "~/server/errors";
import { readBodyText } from "~/server/http/body-limit";
import { logger } from "~/server/logger";
import { TRPC_MAX_BATCH } from "~/trpc/batch-limit";

async function boundedBody(req: Request): Promise<{ body: string | null; refusal: TRPCError | null }> {
  if (req.method === "GET" || req.method === "HEAD") return { body: null, refusal: null };
  try {
    return { body: await readBodyText(req), refusal: null };
  } catch (cause) {
    if (!isAppError(cause)) throw cause;
    return { body: null, refusal: new TRPCError({ code: trpcCodeFor(cause.code), message: cause.message, cause }) };
  }
}

export async function handleTrpc(req: Request): Promise<Response> {
  const { body, refusal } = await boundedBody(req);
  const headers = new Headers(req.headers);
  headers.delete("content-length");
  headers.delete("transfer-encoding");
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(req.url, { method: req.method, headers, body }),
    router: appRouter,
    maxBatchSize: TRPC_MAX_BATCH,
    // A refused body fails every call of the request before any input is parsed or procedure run.
    createContext: () => {
      if (refusal) throw refusal;
      return createTRPCContext({ headers: req.headers });
    },
    onError: ({ path, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ path, err: error.message }, "tRPC internal error");
    },
  });
}
