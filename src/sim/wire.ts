// The request/response shape the dialect handlers work on, decoupled from
// node:http so handlers stay plain functions (and cheap to call in tests).
import type { IncomingHttpHeaders } from "node:http";

export interface SimRequest {
  method: string;
  /** pathname only, e.g. /api/v3/order */
  path: string;
  /** raw query string after "?", exactly as sent ("" if none) */
  rawQuery: string;
  body: string;
  headers: IncomingHttpHeaders;
  /** client address without the ::ffff: prefix */
  ip: string;
}

export interface SimResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export function json(status: number, value: unknown, headers?: Record<string, string>): SimResponse {
  return headers === undefined ? { status, body: JSON.stringify(value) } : { status, body: JSON.stringify(value), headers };
}

export function header(req: SimRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Form/query parameters; Binance sends GET params in the query and POST params in the body. */
export function formParams(req: SimRequest): URLSearchParams {
  if (req.body === "") return new URLSearchParams(req.rawQuery);
  if (req.rawQuery === "") return new URLSearchParams(req.body);
  return new URLSearchParams(req.rawQuery + "&" + req.body);
}
