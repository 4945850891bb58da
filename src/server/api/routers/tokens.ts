import { z } from "zod";
import { createTRPCRouter, protectedProcedure, requireStepUp } from "~/server/api/trpc";
import { AppError } from "~/server/errors";
import { assertWithinLimit } from "~/server/ratelimit/process-rate-limits";
import { createApiToken, createApiTokenInput, listApiTokens, revokeApiToken } from "~/server/tokens/api-tokens";

const tokenSummary = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.date(),
  expiresAt: z.date(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  status: z.enum(["active", "expired", "revoked"]),
});

export const tokensRouter = createTRPCRouter({
  list: protectedProcedure.output(z.array(tokenSummary)).query(({ ctx }) => listApiTokens(ctx.db, ctx.user.id)),

  create: protectedProcedure
    .use(requireStepUp)
    .input(createApiTokenInput)
    // The only response that ever carries the token.
    .output(z.object({ token: z.string(), id: z.string(), name: z.string(), expiresAt: z.date() }))
    .mutation(async ({ ctx, input }) => {
      // A leaked token must not be able to mint itself successors that outlive its revocation.
      if (ctx.auth?.via !== "session") {
        throw new AppError("FORBIDDEN", "Create API tokens in Settings while signed in, not with an API token.");
      }
      await assertWithinLimit("tokenCreate", ctx.user.id);
      return createApiToken(ctx.db, { userId: ctx.user.id, name: input.name, days: input.days }, ctx.meta);
    }),

  revoke: protectedProcedure
    .input(z.object({ tokenId: z.string().min(1).max(64) }))
    .output(tokenSummary)
    .mutation(({ ctx, input }) => revokeApiToken(ctx.db, { userId: ctx.user.id, tokenId: input.tokenId }, ctx.meta)),
});
