/** The satisfaction prompt (src/server/satisfaction): a user's prompt, answer and dismissal; the admins' report. */
import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "~/server/api/trpc";
import { answer, answerInput, dismiss, promptFor } from "~/server/satisfaction/satisfaction-prompt";
import { REPORT_MAX_DAYS, REPORT_MIN_DAYS, satisfactionReport } from "~/server/satisfaction/satisfaction-report";

const tier = z.enum(["PRO", "FLEX", "TRIAL"]);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const count = z.number().int().nonnegative();
const stats = {
  answers: count,
  dismissals: count,
  average: z.number().min(0).max(10).nullable(),
  promoters: count,
  detractors: count,
  nps: z.number().min(-100).max(100).nullable(),
};

export const reportOutput = z.object({
  window: z.object({ days: z.number().int(), from: day, to: day, bucket: z.enum(["week", "month"]) }),
  overTime: z.array(z.object({ start: day, ...stats })),
  perTier: z.array(z.object({ tier: z.enum(["PRO", "FLEX", "TRIAL", "ALL"]), ...stats })),
  responseRate: z.number().min(0).max(100).nullable(),
  comments: z.array(z.object({ id: z.string(), score: z.number().int(), comment: z.string(), tier, createdAt: z.date(), userEmail: z.string() })),
});

const saved = z.object({ ok: z.literal(true) });

export const satisfactionRouter = createTRPCRouter({
  /** Whether to show the prompt now (the reason it is not shown stays on the server). */
  prompt: protectedProcedure.output(z.object({ show: z.boolean() })).query(async ({ ctx }) => ({ show: (await promptFor(ctx.db, ctx.user.id)).show })),
  answer: protectedProcedure
    .input(answerInput)
    .output(saved)
    .mutation(async ({ ctx, input }) => {
      await answer(ctx.db, { userId: ctx.user.id, meta: ctx.meta }, input);
      return { ok: true as const };
    }),
  dismiss: protectedProcedure.output(saved).mutation(async ({ ctx }) => {
    await dismiss(ctx.db, { userId: ctx.user.id, meta: ctx.meta });
    return { ok: true as const };
  }),
  /** Read with the metrics dashboard, whose view is audited (metrics.dashboard). */
  report: adminProcedure
    .input(z.object({ days: z.number().int().min(REPORT_MIN_DAYS).max(REPORT_MAX_DAYS).default(365) }))
    .output(reportOutput)
    .query(({ ctx, input }) => satisfactionReport(ctx.db, { days: input.days })),
});
