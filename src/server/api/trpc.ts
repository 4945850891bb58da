/**
 * tRPC setup, in the create-t3-app order:
 * 1. context (database, session, request meta)  2. initialisation  3. procedures.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { isAppError, type AppErrorCode } from "~/server/errors";
import { writeAudit } from "~/server/audit/write-audit";
import { getSession } from "~/server/auth/next-auth";
import { getDb } from "~/server/db";
import { requestMeta } from "~/server/http/request-meta";

// 1. CONTEXT
export interface AuthInfo {
  userId: string;
  via: "session" | "token";
}

/** `auth` is given by callers that authenticated otherwise (REST bearer tokens); else the session cookie. */
export async function createTRPCContext(opts: { headers: Headers; auth?: AuthInfo | null }) {
  let auth = opts.auth;
  if (auth === undefined) {
    const session = await getSession();
    auth = session?.user?.id ? { userId: session.user.id, via: "session" } : null;
  }
  return { db: getDb(), auth, meta: requestMeta(opts.headers), headers: opts.headers };
}
export type Context = Awaited<ReturnType<typeof createTRPCContext>>;

/** Thrown by routers when a module returns field-level errors (e.g. "email already taken"). */
export class FieldErrorsCause extends Error {
  constructor(public fieldErrors: Partial<Record<string, string>>) {
    super("Invalid input");
  }
}

export function fieldError(fieldErrors: Partial<Record<string, string>>, message = "Please fix the highlighted fields.") {
  return new TRPCError({ code: "BAD_REQUEST", message, cause: new FieldErrorsCause(fieldErrors) });
}

// 2. INITIALISATION
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    let fieldErrors: Partial<Record<string, string>> | null = null;
    if (error.cause instanceof ZodError) {
      fieldErrors = {};
      for (const issue of error.cause.issues) {
        const key = issue.path.join(".") || "_";
        fieldErrors[key] ??= issue.message;
      }
    } else if (error.cause instanceof FieldErrorsCause) {
      fieldErrors = error.cause.fieldErrors;
    } else if (isAppError(error.cause)) {
      const issues = error.cause.details?.issues as { field: string; message: string }[] | undefined;
      if (issues?.length) fieldErrors = Object.fromEntries(issues.map((i) => [i.field, i.message]));
      else if (error.cause.field) fieldErrors = { [error.cause.field]: error.cause.message };
    }
    const message = error.cause instanceof ZodError ? "Please fix the highlighted fields." : shape.message;
    return { ...shape, message, data: { ...shape.data, stack: undefined, fieldErrors } };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

const TRPC_CODE: Record<AppErrorCode, TRPCError["code"]> = {
  BAD_INPUT: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  VAULT_OPEN_FAILED: "UNPROCESSABLE_CONTENT",
  VAULT_KEY_MISSING: "SERVICE_UNAVAILABLE",
  CONFIG: "SERVICE_UNAVAILABLE",
  EXCHANGE: "BAD_GATEWAY",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/** Modules throw AppError; this maps it once to the matching tRPC (and so HTTP) code. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isAppError(result.error.cause)) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
  }
  return result;
});

// 3. PROCEDURES
export const publicProcedure = t.procedure.use(appErrors);

async function deny(ctx: Context, path: string, outcome: "UNAUTHORIZED" | "FORBIDDEN", message: string, actorId?: string) {
  await writeAudit(ctx.db, {
    action: "auth.denied",
    outcome: "DENIED",
    actorId: actorId ?? null,
    meta: ctx.meta,
    targetType: "procedure",
    targetId: path,
    details: { status: outcome === "UNAUTHORIZED" ? 401 : 403 },
  });
  return new TRPCError({ code: outcome, message });
}

export const protectedProcedure = publicProcedure.use(async ({ ctx, next, path }) => {
  const uid = ctx.auth?.userId;
  if (!uid) throw await deny(ctx, path, "UNAUTHORIZED", "Sign in to continue.");
  // Load the account on every call so a role change or a disabled account takes effect at once.
  const user = await ctx.db.user.findUnique({
    where: { id: uid },
    select: { id: true, email: true, name: true, role: true, tier: true, trialEndsAt: true, disabledAt: true, tradingMode: true },
  });
  if (!user || user.disabledAt) throw await deny(ctx, path, "UNAUTHORIZED", "Your session has ended. Sign in again.", uid);
  return next({ ctx: { ...ctx, user } });
});

export const adminProcedure = protectedProcedure.use(async ({ ctx, next, path }) => {
  if (ctx.user.role !== "ADMIN") throw await deny(ctx, path, "FORBIDDEN", "Admins only.", ctx.user.id);
  return next({ ctx });
});
