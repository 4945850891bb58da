/** Signing up and recovering an account: public procedures, each rate-limited per IP. */
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "~/server/api/trpc";
import { requestPasswordReset, resetPassword } from "~/server/auth/passwords";
import { emailSchema, passwordSchema, signUp, signUpInput } from "~/server/auth/users";
import { assertWithinLimit } from "~/server/ratelimit/process-rate-limits";

/** The same answer whether or not the address already had an account. */
const checkEmail = z.object({ status: z.literal("check_email") });

export const authRouter = createTRPCRouter({
  signUp: publicProcedure
    .input(signUpInput)
    .output(checkEmail)
    .mutation(async ({ ctx, input }) => {
      // Per call, so a batch of sign-ups in one request is limited like separate requests.
      await assertWithinLimit("signUp", ctx.meta.ip ?? "unknown");
      return signUp(ctx.db, input, { meta: ctx.meta });
    }),
  requestPasswordReset: publicProcedure
    .input(z.object({ email: emailSchema }))
    .output(checkEmail)
    .mutation(({ ctx, input }) => requestPasswordReset(ctx.db, input.email, ctx.meta)),
  resetPassword: publicProcedure
    .input(z.object({ token: z.string({ error: "The reset link is incomplete: open it again from the email." }).min(1).max(200), password: passwordSchema }))
    .output(z.object({ email: z.string() }))
    .mutation(({ ctx, input }) => resetPassword(ctx.db, input, ctx.meta)),
});
