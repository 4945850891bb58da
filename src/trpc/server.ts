/**
 * The tRPC caller for server components and pages (create-t3-app's server.ts): the same procedures,
 * checks, audit rows and output schemas as the browser's client, called in-process with the
 * request's session. Pages get data here, never from Prisma.
 */
import "server-only";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { createCaller } from "~/server/api/root";
import { createTRPCContext } from "~/server/api/trpc";
import { checkAccess, TWO_FACTOR_SETUP_REQUIRED, type AccessLevel } from "~/server/auth/access";

/** Where an account that must use 2FA and has not set it up is sent (the Settings page's 2FA section). */
export const TWO_FACTOR_SETUP_PATH = "/settings?twoFactor=required#two-factor";

/** One context per request (React cache), however many calls a render makes. */
const createContext = cache(async () => {
  const heads = new Headers(await headers());
  heads.set("x-trpc-source", "rsc");
  return createTRPCContext({ headers: heads });
});

export const api = createCaller(createContext);

/**
 * The signed-in account for a layout or page. Without one (or with a disabled one, or an ended
 * session) it redirects to sign-in and back to `callbackPath`; an `admin` page shows everyone else
 * the 403 page, and an admin without 2FA the 2FA setup. The check is
 * auth/access.ts's, the one adminProcedure makes; page views themselves are not audited (the
 * procedures they call are).
 */
export const requireAccount = cache(async (callbackPath: string, level: AccessLevel = "user") => {
  const ctx = await createContext();
  const result = await checkAccess(ctx.db, ctx.auth, level);
  if (result.ok) return result.account;
  // An admin (or, with REQUIRE_2FA=all, anyone) without 2FA is sent to set it up first.
  if (result.error.details?.reason === TWO_FACTOR_SETUP_REQUIRED) redirect(TWO_FACTOR_SETUP_PATH);
  if (result.error.code === "FORBIDDEN") forbidden();
  redirect(`/sign-in?callbackUrl=${encodeURIComponent(callbackPath)}`);
});
