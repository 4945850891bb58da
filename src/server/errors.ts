// The one error type modules throw. A code says what went wrong in terms a caller can act on;
// httpStatusFor maps it once, so routers and REST handlers never pick statuses themselves.
// Add a code here (and its status) rather than throwing a bare Error from a module.

export const APP_ERROR_CODES = [
  "BAD_INPUT",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
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
  // By shape, not only by class: the server entry and Next's bundle each load their own copy of this module.
  const isApp =
    error instanceof AppError ||
    (error instanceof Error && (APP_ERROR_CODES as readonly string[]).includes((error as { code?: string }).code ?? ""));
  return isApp && (code === undefined || (error as AppError).code === code);
}

const HTTP_STATUS: Record<AppErrorCode, number> = {
  BAD_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  // The request is well formed, but the stored credential it needs cannot be decrypted (key rotated
  // away, tampered row). Not 500: nothing is broken in the code and the user fixes it by re-entering
  // the key. Not 401/403: clients treat those as "session gone" and would log the user out.
  VAULT_OPEN_FAILED: 422,
  // The server has no usable encryption key: a deployment problem, not a bug in a request or in code.
  VAULT_KEY_MISSING: 503,
  CONFIG: 503,
  // The exchange (the upstream) failed or refused; details carry the exchange module's own kind.
  EXCHANGE: 502,
  INTERNAL: 500,
};

/** HTTP status for a code; anything unknown (a plain Error, a typo'd code) is a 500, i.e. a bug. */
export function httpStatusFor(code: AppErrorCode | string | undefined): number {
  return code !== undefined && Object.hasOwn(HTTP_STATUS, code)
    ? HTTP_STATUS[code as AppErrorCode]
    : 500;
}
