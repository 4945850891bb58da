import { z } from "zod";
import { recentNotifications } from "~/server/notifications/feed";
import { createTRPCRouter, protectedProcedure } from "~/server/api/trpc";
import { userSecurityLog } from "~/server/audit/audit-query";

export const meOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["USER", "ADMIN"]),
  tier: z.enum(["PRO", "FLEX", "TRIAL"]),
  trialEndsAt: z.date().nullable(),
  tradingMode: z.enum(["PERSONAL", "PAPER", "OFF"]),
});

const securityLogOutput = z.array(
  z.object({
    id: z.string(),
    at: z.date(),
    action: z.string(),
    outcome: z.enum(["SUCCESS", "FAILURE", "DENIED"]),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  }),
);

export const userRouter = createTRPCRouter({
  /** The user's own audit rows: what, when, from which IP. */
  securityLog: protectedProcedure.output(securityLogOutput).query(({ ctx }) => userSecurityLog(ctx.db, ctx.user.id)),
  notifications: protectedProcedure
    .output(z.array(z.object({ id: z.string(), kind: z.string(), message: z.string(), at: z.date(), read: z.boolean() })))
    .query(({ ctx }) => recentNotifications(ctx.db, ctx.user.id)),
  me: protectedProcedure.output(meOutput).query(({ ctx }) => {
    const { disabledAt: _disabled, ...me } = ctx.user;
    return me;
  }),
});
