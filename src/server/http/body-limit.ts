/**
 * The one request-body limit: TradingView alerts (both webhook entries) and REST bodies. Checked on
 * the declared Content-Length before reading, on the bytes while streaming, and on the body read.
 */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The refusal message when `size` (bytes, or a Content-Length header value) is over the limit, else
 * null. A missing or unparsable length is not over: the bytes actually read are checked again.
 */
export function bodyTooLarge(size: number | string | null | undefined, what: "alert" | "body" = "body"): string | null {
  const bytes = typeof size === "string" ? Number(size) : (size ?? 0);
  return bytes > MAX_BODY_BYTES ? `The ${what} is larger than ${MAX_BODY_BYTES / 1024} KB.` : null;
}
