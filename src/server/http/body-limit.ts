/**
 * The one request-body limit: TradingView alerts (both webhook entries), REST and tRPC bodies, and
 * (in the server entry, src/server/http/request-limits.ts) every body Next is handed. Checked on the
 * declared Content-Length before reading and on the bytes while they stream, never after buffering.
 */
import { AppError } from "~/server/errors";

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The refusal message when `size` (bytes, or a Content-Length header value) is over the limit, else
 * null. A missing or unparsable length is not over: the bytes actually read are checked again.
 */
export function bodyTooLarge(size: number | string | null | undefined, what: "alert" | "body" = "body"): string | null {
  const bytes = typeof size === "string" ? Number(size) : (size ?? 0);
  return bytes > MAX_BODY_BYTES ? `The ${what} is larger than ${MAX_BODY_BYTES / 1024} KB.` : null;
}

/**
 * A request's body as text, counted while it streams: past the limit reading stops and
 * PAYLOAD_TOO_LARGE is thrown, so at most MAX_BODY_BYTES is ever held. A body that stops arriving
 * (the client hung up, the server's request timeout cut it) is BAD_INPUT, not a server failure.
 */
export async function readBodyText(req: Request, what: "alert" | "body" = "body"): Promise<string> {
  const declared = bodyTooLarge(req.headers.get("content-length"), what);
  if (declared) throw new AppError("PAYLOAD_TOO_LARGE", declared);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (cause) {
      throw new AppError("BAD_INPUT", `The ${what} was not received completely; send it again.`, { cause });
    }
    if (next.done) break;
    size += next.value.byteLength;
    const tooLarge = bodyTooLarge(size, what);
    if (tooLarge) {
      // Stop reading, but do not cancel: cancelling destroys the request's socket, and the 413 with it.
      // The server entry drops what still arrives (request-limits.ts).
      reader.releaseLock();
      throw new AppError("PAYLOAD_TOO_LARGE", tooLarge);
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
