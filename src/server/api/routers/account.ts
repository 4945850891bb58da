/**
 * The signed-in account securing itself: password, sessions ("sign out" per device, everywhere),
 * step-up, and two-factor authentication. accountProcedure, so an account that must still set up
 * 2FA can do so; the 2FA changes need a recent step-up.
 */
import { z } from "zod";
import { accountProcedure, createTRPCRouter, requireStepUp, type Context } from "~/server/api/trpc";
import { twoFactorRequired } from "~/server/auth/access";
import { changePassword } from "~/server/auth/passwords";
import { listLiveSessions, revokeAllOwnSessions, revokeOwnSession } from "~/server/auth/sessions";
import { stepUp } from "~/server/auth/step-up";
import { beginTwoFactorSetup, disableTwoFactor, enableTwoFactor, regenerateRecoveryCodes, twoFactorStatus } from "~/server/auth/two-factor";
import { AppError } from "~/server/errors";
import { getKeyring } from "~/server/vault/process-keyring";

const sessionOutput = z.object({
  id: z.string(),
  current: z.boolean(),
  createdAt: z.date(),
  lastSeenAt: z.date(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});

const recoveryCodesOutput = z.object({ recoveryCodes: z.array(z.string()) });
/** Single-use: this browser moves to its fresh session with it (next-auth session update, see auth/sessions.ts). */
const handoffOutput = z.string().nullable();

function sessionIdOf(ctx: Context): string | null {
  return ctx.auth?.via === "session" ? ctx.auth.sessionId : null;
}

function actorOf(ctx: Context & { user: { id: string } }) {
  return { userId: ctx.user.id, sessionId: sessionIdOf(ctx), meta: ctx.meta };
}

/** Procedures that only make sense from a signed-in browser (the session they act on). */
function browserSession(ctx: Context): string {
  const id = sessionIdOf(ctx);
  if (!id) throw new AppError("FORBIDDEN", "Do this in the browser while signed in, not with an API token.");
  return id;
}

export const accountRouter = createTRPCRouter({
  changePassword: accountProcedure
    .input(z.object({ currentPassword: z.string({ error: "Enter your current password." }).min(1, "Enter your current password.").max(200), newPassword: z.string({ error: "Enter a new password." }).max(200) }))
    .output(z.object({ otherSessionsSignedOut: z.number(), handoff: handoffOutput }))
    .mutation(({ ctx, input }) => changePassword(ctx.db, actorOf(ctx), input)),

  sessions: accountProcedure.output(z.array(sessionOutput)).query(async ({ ctx }) => {
    const current = sessionIdOf(ctx);
    const rows = await listLiveSessions(ctx.db, ctx.user.id);
    return rows.map((s) => ({ id: s.id, current: s.id === current, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, ip: s.ip, userAgent: s.userAgent }));
  }),
  revokeSession: accountProcedure
    .input(z.object({ sessionId: z.string().min(1).max(64) }))
    .output(z.object({ revoked: z.boolean(), current: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const r = await revokeOwnSession(ctx.db, { userId: ctx.user.id, meta: ctx.meta }, input.sessionId);
      return { ...r, current: input.sessionId === sessionIdOf(ctx) };
    }),
  signOutEverywhere: accountProcedure
    .output(z.object({ revoked: z.number() }))
    .mutation(({ ctx }) => revokeAllOwnSessions(ctx.db, { userId: ctx.user.id, meta: ctx.meta })),

  /** Re-enter the password (or a 2FA code) to unlock the step-up actions for a few minutes. */
  stepUp: accountProcedure
    .input(z.object({ password: z.string().max(200).optional(), code: z.string().max(64).optional() }))
    .output(z.object({ until: z.date() }))
    .mutation(({ ctx, input }) => {
      if (!input.password && !input.code) throw new AppError("BAD_INPUT", "Enter your password or a two-factor code.", { field: "password" });
      return stepUp(ctx.db, getKeyring(), { userId: ctx.user.id, sessionId: browserSession(ctx), meta: ctx.meta }, input);
    }),

  twoFactorStatus: accountProcedure
    .output(z.object({ enabled: z.boolean(), enabledAt: z.date().nullable(), recoveryCodesLeft: z.number(), required: z.boolean() }))
    .query(async ({ ctx }) => ({ ...(await twoFactorStatus(ctx.db, ctx.user.id)), required: twoFactorRequired(ctx.user) })),
  twoFactorSetup: accountProcedure
    .use(requireStepUp)
    .output(z.object({ secret: z.string(), otpauthUrl: z.string(), qrCodeDataUrl: z.string() }))
    .mutation(({ ctx }) => beginTwoFactorSetup(ctx.db, getKeyring(), ctx.user.id)),
  twoFactorEnable: accountProcedure
    .use(requireStepUp)
    .input(z.object({ code: z.string({ error: "Enter the 6-digit code from your authenticator app." }).max(16) }))
    .output(recoveryCodesOutput.extend({ handoff: handoffOutput }))
    .mutation(({ ctx, input }) => enableTwoFactor(ctx.db, getKeyring(), actorOf(ctx), input.code)),
  twoFactorDisable: accountProcedure
    .use(requireStepUp)
    .output(z.object({ enabled: z.literal(false), handoff: handoffOutput }))
    .mutation(async ({ ctx }) => ({ enabled: false as const, ...(await disableTwoFactor(ctx.db, actorOf(ctx))) })),
  regenerateRecoveryCodes: accountProcedure
    .use(requireStepUp)
    .output(recoveryCodesOutput)
    .mutation(({ ctx }) => regenerateRecoveryCodes(ctx.db, actorOf(ctx))),
});
