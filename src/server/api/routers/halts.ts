/** Operator halts of live trading: admins halt and resume; every signed-in page reads the banner. */
import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "~/server/api/trpc";
import { getEngine } from "~/server/engine/runtime";
import { HALT_EXCHANGES, HALT_SCOPES, haltBannerText, haltInput, resumeInput } from "~/server/halts/halt-rules";
import { activeHalts, haltHistory, haltTrading, resumeTrading } from "~/server/halts/halts";

const haltRow = z.object({
  id: z.string(),
  scope: z.enum(HALT_SCOPES),
  exchange: z.enum(HALT_EXCHANGES).nullable(),
  strategyId: z.string().nullable(),
  strategyName: z.string().nullable(),
  target: z.string(),
  reason: z.string(),
  createdAt: z.date(),
  createdBy: z.string().nullable(),
  liftedAt: z.date().nullable(),
  liftedBy: z.string().nullable(),
  liftReason: z.string().nullable(),
});

export const haltsRouter = createTRPCRouter({
  /** Active halts and the recent lifted ones. */
  list: adminProcedure
    .output(z.object({ active: z.array(haltRow), recent: z.array(haltRow) }))
    .query(({ ctx }) => haltHistory(ctx.db)),
  halt: adminProcedure
    .input(haltInput)
    .output(z.object({ id: z.string(), target: z.string(), reason: z.string(), createdAt: z.date() }))
    .mutation(({ ctx, input }) => haltTrading({ db: ctx.db, jobs: getEngine().deps.jobs }, { id: ctx.user.id, email: ctx.user.email, meta: ctx.meta }, input)),
  resume: adminProcedure
    .input(resumeInput)
    .output(z.object({ id: z.string(), target: z.string(), liftedAt: z.date() }))
    .mutation(({ ctx, input }) => resumeTrading({ db: ctx.db, jobs: getEngine().deps.jobs }, { id: ctx.user.id, email: ctx.user.email, meta: ctx.meta }, input)),
  /** What every signed-in page shows while live trading is halted anywhere (no ids, no actor). */
  banner: protectedProcedure
    .output(z.array(z.object({ scope: z.enum(HALT_SCOPES), text: z.string() })))
    .query(async ({ ctx }) => (await activeHalts(ctx.db)).map((h) => ({ scope: h.scope, text: haltBannerText(h) }))),
});
