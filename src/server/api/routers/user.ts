import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "~/server/api/trpc";

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
  securityLog: protectedProcedure.output(securityLogOutput).query(async ({ ctx }) => {
    const rows = await ctx.db.auditLog.findMany({
      where: { actorId: ctx.user.id },
      orderBy: { id: "desc" },
      take: 50,
      select: { id: true, createdAt: true, action: true, outcome: true, ip: true, userAgent: true },
    });
    return rows.map((r) => ({ id: r.id.toString(), at: r.createdAt, action: r.action, outcome: r.outcome, ip: r.ip, userAgent: r.userAgent }));
  }),
  notifications: protectedProcedure
    .output(z.array(z.object({ id: z.string(), kind: z.string(), message: z.string(), at: z.date(), read: z.boolean() })))
    .query(async ({ ctx }) => {
      const rows = await ctx.db.notification.findMany({ where: { userId: ctx.user.id }, orderBy: { createdAt: "desc" }, take: 20 });
      return rows.map((n) => ({ id: n.id, kind: n.kind, message: n.message, at: n.createdAt, read: n.readAt !== null }));
    }),
  me: protectedProcedure.output(meOutput).query(({ ctx }) => {
    const { disabledAt: _disabled, ...me } = ctx.user;
    return me;
  }),
});
