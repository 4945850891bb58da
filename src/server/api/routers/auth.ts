import { z } from "zod";
import { createTRPCRouter, fieldError, publicProcedure } from "~/server/api/trpc";
import { signUp, signUpInput } from "~/server/auth/users";
import { getEnv } from "~/env";

export const authRouter = createTRPCRouter({
  signUp: publicProcedure
    .input(signUpInput)
    .output(z.object({ userId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const result = await signUp(ctx.db, input, { meta: ctx.meta, adminEmails: getEnv().ADMIN_EMAILS });
      if (!result.ok) throw fieldError(result.fieldErrors);
      return { userId: result.userId };
    }),
});
