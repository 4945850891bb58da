/**
 * tRPC setup, in the create-t3-app order:
 * 1. context (database, session, request meta)  2. initialisation  3. procedures.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { getSession } from "~/server/auth/next-auth";
import { getDb } from "~/server/db";
import { requestMeta } from "~/server/http/request-meta";

// 1. CONTEXT
export async function createTRPCContext(opts: { headers: Headers }) {
  const session = await getSession();
  return { db: getDb(), session, meta: requestMeta(opts.headers), headers: opts.headers };
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
    }
    const message = error.cause instanceof ZodError ? "Please fix the highlighted fields." : shape.message;
    return { ...shape, message, data: { ...shape.data, stack: undefined, fieldErrors } };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

// 3. PROCEDURES
export const publicProcedure = t.procedure;

export const protectedProcedure = t.procedure.use(async ({ ctx, next }) => {
  const uid = ctx.session?.user?.id;
  if (!uid) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  // Load the account on every call so a role change or a disabled account takes effect at once.
  const user = await ctx.db.user.findUnique({
    where: { id: uid },
    select: { id: true, email: true, name: true, role: true, tier: true, trialEndsAt: true, disabledAt: true, tradingMode: true },
  });
  if (!user || user.disabledAt) throw new TRPCError({ code: "UNAUTHORIZED", message: "Your session has ended. Sign in again." });
  return next({ ctx: { ...ctx, user } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only." });
  return next({ ctx });
});
