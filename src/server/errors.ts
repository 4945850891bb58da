// The one error type modules throw. A code says what went wrong in terms a caller can act on;
// ERROR_STATUS maps it once to its HTTP status and tRPC code, so routers, REST handlers and route
// handlers never pick statuses themselves. Add a code here (and its entry in ERROR_STATUS) rather
// than throwing a bare Error from a module.

export const APP_ERROR_CODES = [
  "BAD_INPUT",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "STEP_UP_REQUIRED",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "METHOD_NOT_ALLOWED",
  "VAULT_OPEN_FAILED",
  "VAULT_KEY_MISSING",
  "EXCHANGE",
  "CONFIG",
  "INTERNAL",
] as const;

export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export type AppErrorOptions = {
  /** The input field at fault, as the client named it (e.g. "apiSecret", "ENCRYPTION_KEY"). */
  field?: string;
  /** Machine-readable extras. Never put secrets here: errors get logged and may be returned. */
  details?: Record<string, unknown>;
  cause?: unknown;
};

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: AppErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    if (options.details !== undefined) this.details = options.details;
  }
}

export function isAppError(error: unknown, code?: AppErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

/** tRPC's error code names this project uses (a module does not import tRPC; trpc.ts checks they exist). */
export type TrpcErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_SUPPORTED"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "UNPROCESSABLE_CONTENT"
  | "TOO_MANY_REQUESTS"
  | "INTERNAL_SERVER_ERROR"
  | "BAD_GATEWAY"
  | "SERVICE_UNAVAILABLE";

/** The one table from an error code to its statuses: `http` for REST and route handlers, `trpc` for procedures. */
export const ERROR_STATUS: { readonly [K in AppErrorCode]: { http: number; trpc: TrpcErrorCode } } = {
  BAD_INPUT: { http: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { http: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { http: 403, trpc: "FORBIDDEN" },
  // Signed in, but the action moves money or changes security: re-enter the password or a 2FA code
  // (auth/step-up.ts), then retry. A 403, not a 401: the session itself is fine.
  STEP_UP_REQUIRED: { http: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { http: 404, trpc: "NOT_FOUND" },
  CONFLICT: { http: 409, trpc: "CONFLICT" },
  RATE_LIMITED: { http: 429, trpc: "TOO_MANY_REQUESTS" },
  PAYLOAD_TOO_LARGE: { http: 413, trpc: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  METHOD_NOT_ALLOWED: { http: 405, trpc: "METHOD_NOT_SUPPORTED" },
  // The request is well formed, but the stored credential it needs cannot be decrypted (key rotated
  // away, tampered row). Not 500: nothing is broken in the code and the user fixes it by re-entering
  // the key. Not 401/403: clients treat those as "session gone" and would log the user out.
  VAULT_OPEN_FAILED: { http: 422, trpc: "UNPROCESSABLE_CONTENT" },
  // The server has no usable encryption key: a deployment problem, not a bug in a request or in code.
  VAULT_KEY_MISSING: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  CONFIG: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  // The exchange (the upstream) failed or refused; details carry the exchange module's own kind.
  EXCHANGE: { http: 502, trpc: "BAD_GATEWAY" },
  INTERNAL: { http: 500, trpc: "INTERNAL_SERVER_ERROR" },
};

const knownCode = (code: string | undefined): code is AppErrorCode => code !== undefined && Object.hasOwn(ERROR_STATUS, code);

/** HTTP status for a code; anything unknown (a plain Error, a typo'd code) is a 500, i.e. a bug. */
export function httpStatusFor(code: AppErrorCode | string | undefined): number {
  return knownCode(code) ? ERROR_STATUS[code].http : 500;
}

/** tRPC code for a code; anything unknown is INTERNAL_SERVER_ERROR. */
export function trpcCodeFor(code: AppErrorCode | string | undefined): TrpcErrorCode {
  return knownCode(code) ? ERROR_STATUS[code].trpc : "INTERNAL_SERVER_ERROR";
}

/**
 * The code behind a tRPC error code, for errors tRPC raised itself (input validation: BAD_REQUEST)
 * or a router raised without an AppError: the first table entry with that tRPC code, else INTERNAL.
 */
export function codeForTrpc(trpc: string): AppErrorCode {
  return APP_ERROR_CODES.find((c) => ERROR_STATUS[c].trpc === trpc) ?? "INTERNAL";
}
