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

export const userRouter = createTRPCRouter({
  me: protectedProcedure.output(meOutput).query(({ ctx }) => {
    const { disabledAt: _disabled, ...me } = ctx.user;
    return me;
  }),
});
