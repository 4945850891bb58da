/**
 * The REST surface under /api/user-api-keys, mapped onto the same tRPC procedures the web UI
 * uses (same input/output schemas, same errors). Auth: `Authorization: Bearer <token>` or the
 * browser session. Errors are JSON `{ error: { code, message, fieldErrors } }`, never a 500 for
 * bad input.
 */
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { appRouter } from "~/server/api/root";
import { createTRPCContext, fieldErrorsOf, type AuthInfo, type Context } from "~/server/api/trpc";
import { sessionAuthFromRequest } from "~/server/auth/next-auth";
import { AppError, codeForTrpc, httpStatusFor, isAppError, trpcCodeFor, type AppErrorCode } from "~/server/errors";
import { apiHelpPath } from "~/server/error-catalogue/account-errors";
import { readBodyText } from "~/server/http/body-limit";
import { logger } from "~/server/logger";
import { authenticateBearer } from "~/server/tokens/authenticate-bearer";

type Caller = ReturnType<typeof appRouter.createCaller>;

export interface RestRoute {
  method: "GET" | "POST" | "DELETE";
  /** Path under /api/user-api-keys; `{exchange}` is a parameter. */
  path: string;
  procedure: string;
  summary: string;
  run(caller: Caller, input: { params: Record<string, string>; query: URLSearchParams; body: Record<string, unknown> }): Promise<unknown>;
}

const envFromQuery = (q: URLSearchParams) => (q.get("environment") ? { environment: q.get("environment") } : {});

// Static paths first: "/all/status" and "/trading-mode" must not be taken for an exchange.
export const REST_ROUTES: RestRoute[] = [
  { method: "GET", path: "/all/status", procedure: "keys.allStatus", summary: "Status of all your keys and your trading mode", run: (c) => c.keys.allStatus() },
  {
    method: "POST",
    path: "/trading-mode",
    procedure: "keys.setTradingMode",
    summary: "Set your trading mode (PERSONAL, PAPER or OFF)",
    run: (c, { body }) => c.keys.setTradingMode(body as never),
  },
  {
    method: "POST",
    path: "/{exchange}/verify",
    procedure: "keys.verify",
    summary: "Verify your key with the exchange and read its permissions",
    run: (c, { params, body, query }) => c.keys.verify({ ...envFromQuery(query), ...body, exchange: params.exchange } as never),
  },
  {
    method: "GET",
    path: "/{exchange}/status",
    procedure: "keys.status",
    summary: "Status of your key(s) for one exchange",
    run: (c, { params }) => c.keys.status({ exchange: params.exchange! }),
  },
  {
    method: "POST",
    path: "/{exchange}",
    procedure: "keys.save",
    summary: "Save (or replace) your key for an exchange; it is verified at once",
    run: (c, { params, body }) => c.keys.save({ ...body, exchange: params.exchange } as never),
  },
  {
    method: "DELETE",
    path: "/{exchange}",
    procedure: "keys.delete",
    summary: "Delete your key for an exchange",
    run: (c, { params, query, body }) => c.keys.delete({ ...envFromQuery(query), ...body, exchange: params.exchange } as never),
  },
];

function match(method: string, segments: string[]): { route: RestRoute; params: Record<string, string> } {
  let pathMatched = false;
  for (const route of REST_ROUTES) {
    const parts = route.path.split("/").filter(Boolean);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((p, i) => {
      if (p === "{exchange}") {
        params.exchange = segments[i]!;
        return true;
      }
      return p === segments[i];
    });
    if (!ok) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  if (pathMatched) throw new AppError("METHOD_NOT_ALLOWED", `${method} is not allowed on this path. See /api/openapi.json.`);
  throw new AppError("NOT_FOUND", "No such endpoint. See /api/openapi.json.");
}

/** `help`: the troubleshooting entry of the app's error code (error-catalogue/account-errors.ts API_ENTRIES). */
export function errorBody(code: string, message: string, fieldErrors: Partial<Record<string, string>> | null = null, appCode?: AppErrorCode) {
  return { error: { code, message, fieldErrors, ...(appCode ? { help: apiHelpPath(appCode) } : {}) } };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers } });
}

/** Read only once the caller is known, counted while it streams (readBodyText): never more than 64 KB held. */
async function readBody(req: Request): Promise<Record<string, unknown>> {
  if (req.method === "GET" || req.method === "HEAD") return {};
  const text = (await readBodyText(req)).trim();
  if (text === "") return {};
  const type = req.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON with Content-Type: application/json.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError("BAD_INPUT", "The body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new AppError("BAD_INPUT", "The body must be a JSON object.");
  return parsed as Record<string, unknown>;
}

/**
 * A bearer token when there is an Authorization header (a bad one is a 401), else the browser
 * session cookie (its server-side session is checked by the procedure, as for the web UI), or nobody.
 */
async function callerAuth(req: Request, ctx: Context): Promise<AuthInfo | null> {
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const bearer = await authenticateBearer(ctx.db, authorization, ctx.meta);
    return { userId: bearer.userId, via: "token", tokenId: bearer.tokenId };
  }
  const session = await sessionAuthFromRequest(req);
  return session ? { userId: session.userId, via: "session", sessionId: session.sessionId } : null;
}

/** Any failure as the JSON error body; the status comes from the one table in errors.ts. */
function errorResponse(err: unknown, procedure: string | null): Response {
  const trpc = err instanceof TRPCError ? err : null;
  const cause: unknown = trpc ? trpc.cause : err;
  const code: AppErrorCode = isAppError(cause) ? cause.code : trpc ? codeForTrpc(trpc.code) : "INTERNAL";
  const status = httpStatusFor(code);
  if (status >= 500) {
    logger.error({ err, route: procedure }, "REST handler failed");
    return json(status, errorBody(trpcCodeFor(code), "Something went wrong on our side.", null, code));
  }
  const headers: Record<string, string> = {};
  const retry = isAppError(cause) ? (cause.details?.retryAfterSeconds as number | undefined) : undefined;
  if (retry) headers["retry-after"] = String(Math.ceil(retry));
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="keyrelay"';
  const message = cause instanceof ZodError ? "Please fix the listed fields." : (err as Error).message;
  return json(status, errorBody(trpc?.code ?? trpcCodeFor(code), message, fieldErrorsOf(cause, "body"), code), headers);
}

export async function handleUserApiKeys(req: Request, segments: string[]): Promise<Response> {
  let procedure: string | null = null;
  try {
    const { route, params } = match(req.method, segments);
    procedure = route.procedure;
    const ctx = await createTRPCContext({ headers: req.headers, auth: null });
    // Who is calling is settled before a byte of the body is read: a stranger's upload is never read.
    const auth = await callerAuth(req, ctx);
    if (!auth) throw new AppError("UNAUTHORIZED", "Sign in to continue, or send Authorization: Bearer <token> (create one on Settings -> API tokens).");
    const body = await readBody(req);
    const caller = appRouter.createCaller({ ...ctx, auth });
    return json(200, await route.run(caller, { params, query: new URL(req.url).searchParams, body }));
  } catch (err) {
    return errorResponse(err, procedure);
  }
}
