/**
 * tRPC setup, in the create-t3-app order:
 * 1. context (database, session, request meta)  2. initialisation  3. procedures.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { authorize } from "~/server/auth/access";
import { requestContext, type AuthInfo, type RequestContext } from "~/server/auth/request-context";
import { assertRecentStepUp } from "~/server/auth/step-up";
import { isAppError, trpcCodeFor } from "~/server/errors";

// 1. CONTEXT
export type { AuthInfo };
export type Context = RequestContext;

/** The database, the caller (`auth` given by REST bearer tokens, else the session cookie) and request meta. */
export function createTRPCContext(opts: { headers: Headers; auth?: AuthInfo | null }): Promise<Context> {
  return requestContext(opts);
}

/** Thrown by routers when a module returns field-level errors (e.g. "email already taken"). */
export class FieldErrorsCause extends Error {
  constructor(public fieldErrors: Partial<Record<string, string>>) {
    super("Invalid input");
  }
}

export function fieldError(fieldErrors: Partial<Record<string, string>>, message = "Please fix the highlighted fields.") {
  return new TRPCError({ code: "BAD_REQUEST", message, cause: new FieldErrorsCause(fieldErrors) });
}

/**
 * A failed call's errors by input field, or null: zod issues, fieldError(), or an AppError's field
 * or `details.issues`. `rootKey` names an issue about the whole input. Shared with the REST handler.
 */
export function fieldErrorsOf(cause: unknown, rootKey = "_"): Partial<Record<string, string>> | null {
  if (cause instanceof ZodError) {
    const out: Partial<Record<string, string>> = {};
    for (const issue of cause.issues) out[issue.path.join(".") || rootKey] ??= issue.message;
    return out;
  }
  if (cause instanceof FieldErrorsCause) return cause.fieldErrors;
  if (isAppError(cause)) {
    const issues = cause.details?.issues as { field: string; message: string }[] | undefined;
    if (issues?.length) return Object.fromEntries(issues.map((i) => [i.field, i.message]));
    if (cause.field) return { [cause.field]: cause.message };
  }
  return null;
}

// 2. INITIALISATION
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const message = error.cause instanceof ZodError ? "Please fix the highlighted fields." : shape.message;
    // appCode lets the client react to a module's code (STEP_UP_REQUIRED: ask for the password, retry).
    const appCode = isAppError(error.cause) ? error.cause.code : null;
    return { ...shape, message, data: { ...shape.data, stack: undefined, fieldErrors: fieldErrorsOf(error.cause), appCode } };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

/** Modules throw AppError; this maps it to its tRPC (and so HTTP) code through the one table in errors.ts. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isAppError(result.error.cause)) {
    const cause = result.error.cause;
    throw new TRPCError({ code: trpcCodeFor(cause.code), message: cause.message, cause });
  }
  return result;
});

// 3. PROCEDURES
export const publicProcedure = t.procedure.use(appErrors);

// The checks themselves (account still there and enabled, role) live in auth/access.ts, shared
// with route handlers and pages; a refusal is audited there and mapped by appErrors above.
export const protectedProcedure = publicProcedure.use(async ({ ctx, next, path }) => {
  const user = await authorize(ctx, "user", { type: "procedure", id: path });
  return next({ ctx: { ...ctx, user } });
});

export const adminProcedure = publicProcedure.use(async ({ ctx, next, path }) => {
  const user = await authorize(ctx, "admin", { type: "procedure", id: path });
  return next({ ctx: { ...ctx, user } });
});

/** Signed in, nothing more: what an account needs to secure itself (2FA setup, password, sessions) when the rest requires 2FA. */
export const accountProcedure = publicProcedure.use(async ({ ctx, next, path }) => {
  const user = await authorize(ctx, "account", { type: "procedure", id: path });
  return next({ ctx: { ...ctx, user } });
});

/** For actions that can move money or weaken the account: a browser session must have re-entered its password or a 2FA code lately (auth/step-up.ts). */
export const requireStepUp = t.middleware(async ({ ctx, next }) => {
  await assertRecentStepUp(ctx.db, ctx.auth);
  return next();
});
