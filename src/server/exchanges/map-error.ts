/**
 * ccxt errors mapped once to KeyRelay's kinds, each with a message a user can act on.
 * Exchange error codes are read from the response body ccxt quotes in its message, so the
 * mapping does not depend on ccxt's per-host error tables.
 */
import ccxt from "ccxt";
import type { ExchangeName } from "~/server/exchanges/profiles";
import { PROFILES } from "~/server/exchanges/profiles";

export const EXCHANGE_ERROR_KINDS = [
  "AUTH",
  "PERMISSION",
  "INSUFFICIENT_FUNDS",
  "RATE_LIMITED",
  "INVALID_ORDER",
  "DUPLICATE_CLIENT_ID",
  "NOT_FOUND",
  "TEMPORARY",
  "UNKNOWN_OUTCOME",
  "UNKNOWN",
] as const;
export type ExchangeErrorKind = (typeof EXCHANGE_ERROR_KINDS)[number];

export class ExchangeError extends Error {
  constructor(
    public readonly kind: ExchangeErrorKind,
    message: string,
    public readonly exchangeCode?: number,
  ) {
    super(message);
    this.name = "ExchangeError";
  }
}

export function isExchangeError(e: unknown): e is ExchangeError {
  return e instanceof ExchangeError;
}

export const PERMISSION_CODES: Record<ExchangeName, number[]> = { BINANCE: [-2015], BYBIT: [10005] };

export function exchangeCodeOf(message: string): number | undefined {
  const m = /"(?:code|retCode)"\s*:\s*(-?\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

function exchangeMessageOf(message: string): string | undefined {
  const m = /"(?:msg|retMsg)"\s*:\s*"([^"]{1,200})"/.exec(message);
  return m?.[1];
}

/**
 * @param sent true when the request may have reached the exchange (a create whose answer was lost).
 */
export function mapCcxtError(err: unknown, exchange: ExchangeName, opts: { sent?: boolean } = {}): ExchangeError {
  if (isExchangeError(err)) return err;
  const name = PROFILES[exchange].label;
  const raw = err instanceof Error ? err.message : String(err);
  const code = exchangeCodeOf(raw);
  const said = exchangeMessageOf(raw);
  const detail = said ? ` (${name} said: ${said})` : "";
  const p = PROFILES[exchange];

  if (code !== undefined && p.duplicateClientIdCodes.includes(code)) {
    return new ExchangeError("DUPLICATE_CLIENT_ID", `An order with this client order id already exists${detail}.`, code);
  }
  if (code === -2010 && /duplicate/i.test(raw)) {
    return new ExchangeError("DUPLICATE_CLIENT_ID", `An open order with this client order id already exists${detail}.`, code);
  }
  if (code !== undefined && p.insufficientFundsCodes.includes(code)) {
    return new ExchangeError("INSUFFICIENT_FUNDS", `Not enough balance on your ${name} account for this order${detail}.`, code);
  }
  if (code !== undefined && PERMISSION_CODES[exchange].includes(code) && /permission/i.test(said ?? raw) && !/invalid api-key/i.test(said ?? raw)) {
    return new ExchangeError("PERMISSION", `Your ${name} API key lacks a permission this action needs; enable it in ${name}'s API management${detail}.`, code);
  }
  if (code !== undefined && p.authCodes.includes(code)) {
    return new ExchangeError("AUTH", `${name} rejected this API key: it is wrong, deleted, expired or not allowed from this server's IP. Re-enter the key${detail}.`, code);
  }
  if (code !== undefined && p.invalidOrderCodes.includes(code)) {
    return new ExchangeError("INVALID_ORDER", `${name} refused the order${detail}.`, code);
  }
  if (err instanceof ccxt.InvalidNonce) {
    return new ExchangeError("TEMPORARY", `${name} rejected the request time; the server clock may be off. It will be retried${detail}.`, code);
  }
  if (err instanceof ccxt.AuthenticationError || err instanceof ccxt.AccountSuspended) {
    return new ExchangeError("AUTH", `${name} rejected this API key: it is wrong, deleted, expired or not allowed from this server's IP. Re-enter the key${detail}.`, code);
  }
  if (err instanceof ccxt.PermissionDenied) {
    return new ExchangeError("PERMISSION", `Your ${name} API key lacks a permission this action needs${detail}.`, code);
  }
  if (err instanceof ccxt.InsufficientFunds) {
    return new ExchangeError("INSUFFICIENT_FUNDS", `Not enough balance on your ${name} account for this order${detail}.`, code);
  }
  if (err instanceof ccxt.OrderNotFound) {
    return new ExchangeError("NOT_FOUND", `${name} has no such order${detail}.`, code);
  }
  if (err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection) {
    return new ExchangeError("RATE_LIMITED", `${name} is rate-limiting this key; the request will be retried after a pause${detail}.`, code);
  }
  if (err instanceof ccxt.RequestTimeout || err instanceof ccxt.NetworkError || err instanceof ccxt.ExchangeNotAvailable || err instanceof ccxt.OnMaintenance) {
    // A create whose answer never came may still have been placed: the caller must look it up.
    if (opts.sent) return new ExchangeError("UNKNOWN_OUTCOME", `${name} did not answer; the order may or may not exist. Checking before any retry.`, code);
    return new ExchangeError("TEMPORARY", `${name} is unreachable or unavailable right now; it will be retried${detail}.`, code);
  }
  if (err instanceof ccxt.InvalidOrder || err instanceof ccxt.BadSymbol || err instanceof ccxt.BadRequest || err instanceof ccxt.ArgumentsRequired) {
    return new ExchangeError("INVALID_ORDER", `${name} refused the order${detail || `: ${raw.slice(0, 200)}`}.`, code);
  }
  return new ExchangeError("UNKNOWN", `Unexpected ${name} error${detail || `: ${raw.slice(0, 200)}`}.`, code);
}
