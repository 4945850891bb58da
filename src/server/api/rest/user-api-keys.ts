/**
 * The REST surface under /api/user-api-keys, mapped onto the same tRPC procedures the web UI
 * uses (same input/output schemas, same errors). Auth: `Authorization: Bearer <token>` or the
 * browser session. Errors are JSON `{ error: { code, message, fieldErrors } }`, never a 500 for
 * bad input.
 */
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { ZodError } from "zod";
import { appRouter } from "~/server/api/root";
import { createTRPCContext, type AuthInfo } from "~/server/api/trpc";
import { getDb } from "~/server/db";
import { isAppError } from "~/server/errors";
import { requestMeta } from "~/server/http/request-meta";
import { logger } from "~/server/logger";
import { authenticateBearer } from "~/server/tokens/authenticate-bearer";
import { sessionUserIdFromRequest } from "~/server/auth/next-auth";

export const MAX_BODY_BYTES = 64 * 1024;

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

function match(method: string, segments: string[]): { route: RestRoute; params: Record<string, string> } | "METHOD" | null {
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
  return pathMatched ? "METHOD" : null;
}

export function errorBody(code: string, message: string, fieldErrors: Record<string, string> | null = null) {
  return { error: { code, message, fieldErrors } };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers } });
}

async function readBody(req: Request): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; res: Response }> {
  if (req.method === "GET" || req.method === "HEAD") return { ok: true, body: {} };
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return { ok: false, res: json(413, errorBody("PAYLOAD_TOO_LARGE", `The body is larger than ${MAX_BODY_BYTES / 1024} KB.`)) };
  const buf = new Uint8Array(await req.arrayBuffer());
  if (buf.byteLength > MAX_BODY_BYTES) return { ok: false, res: json(413, errorBody("PAYLOAD_TOO_LARGE", `The body is larger than ${MAX_BODY_BYTES / 1024} KB.`)) };
  const text = new TextDecoder().decode(buf).trim();
  if (text === "") return { ok: true, body: {} };
  const type = req.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) {
    return { ok: false, res: json(415, errorBody("UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON with Content-Type: application/json.")) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, res: json(400, errorBody("BAD_REQUEST", "The body is not valid JSON.")) };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, res: json(400, errorBody("BAD_REQUEST", "The body must be a JSON object.")) };
  }
  return { ok: true, body: parsed as Record<string, unknown> };
}

async function authenticate(req: Request): Promise<{ ok: true; auth?: AuthInfo } | { ok: false; res: Response }> {
  const authorization = req.headers.get("authorization");
  if (!authorization) {
    // No bearer token: the browser session cookie decides (anonymous when there is none).
    const userId = await sessionUserIdFromRequest(req);
    return { ok: true, auth: userId ? { userId, via: "session" } : undefined };
  }
  try {
    const { userId } = await authenticateBearer(getDb(), authorization, requestMeta(req.headers));
    return { ok: true, auth: { userId, via: "token" } };
  } catch (err) {
    if (isAppError(err, "UNAUTHORIZED")) {
      return { ok: false, res: json(401, errorBody("UNAUTHORIZED", err.message), { "www-authenticate": 'Bearer realm="keyrelay"' }) };
    }
    throw err;
  }
}

function fieldErrorsOf(err: TRPCError): Record<string, string> | null {
  const cause = err.cause;
  if (cause instanceof ZodError) {
    const out: Record<string, string> = {};
    for (const i of cause.issues) out[i.path.join(".") || "body"] ??= i.message;
    return out;
  }
  if (isAppError(cause)) {
    const issues = cause.details?.issues as { field: string; message: string }[] | undefined;
    if (issues?.length) return Object.fromEntries(issues.map((i) => [i.field, i.message]));
    if (cause.field) return { [cause.field]: cause.message };
  }
  return null;
}

export async function handleUserApiKeys(req: Request, segments: string[]): Promise<Response> {
  const found = match(req.method, segments);
  if (found === null) return json(404, errorBody("NOT_FOUND", "No such endpoint. See /api/openapi.json."));
  if (found === "METHOD") return json(405, errorBody("METHOD_NOT_ALLOWED", `${req.method} is not allowed on this path. See /api/openapi.json.`));
  const auth = await authenticate(req);
  if (!auth.ok) return auth.res;
  const body = await readBody(req);
  if (!body.ok) return body.res;
  const ctx = await createTRPCContext({ headers: req.headers, auth: auth.auth ?? null });
  const caller = appRouter.createCaller(ctx);
  try {
    const out = await found.route.run(caller, { params: found.params, query: new URL(req.url).searchParams, body: body.body });
    return json(200, out);
  } catch (err) {
    if (err instanceof TRPCError) {
      const status = getHTTPStatusCodeFromError(err);
      if (status >= 500) logger.error({ err, route: found.route.procedure }, "REST handler failed");
      const message = err.cause instanceof ZodError ? "Please fix the listed fields." : err.message;
      const headers: Record<string, string> = {};
      const retry = isAppError(err.cause) ? (err.cause.details?.retryAfterSeconds as number | undefined) : undefined;
      if (retry) headers["retry-after"] = String(Math.ceil(retry));
      return json(status, errorBody(err.code, status >= 500 ? "Something went wrong on our side." : message, fieldErrorsOf(err)), headers);
    }
    logger.error({ err, route: found.route.procedure }, "REST handler failed");
    return json(500, errorBody("INTERNAL_SERVER_ERROR", "Something went wrong on our side."));
  }
}
