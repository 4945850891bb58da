/** Live-trading cohorts: the user's own access and request; the admin's setting, beta list and requests. Thin over src/server/cohorts. */
import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure, type Context } from "~/server/api/trpc";
import { cohortInput, decideRequestInput, listRequestsInput, requestAccessInput, userAccessInput } from "~/server/cohorts/cohort-input";
import { getCohort, previewCohort, updateCohort } from "~/server/cohorts/cohort-settings";
import { decideAccessRequest, listAccessRequests, myLiveAccess, requestLiveAccess, setUserLiveAccess } from "~/server/cohorts/live-access";
import { getJobSink } from "~/server/keys/exchange-access";

const tier = z.enum(["PRO", "FLEX", "TRIAL"]);
const status = z.enum(["PENDING", "APPROVED", "REFUSED"]);
const request = z.object({ id: z.string(), message: z.string().nullable(), status, decisionNote: z.string().nullable(), decidedAt: z.date().nullable(), createdAt: z.date() });
const cohortView = z.object({ everyone: z.boolean(), tiers: z.array(tier), description: z.string(), updatedAt: z.date().nullable() });

const actor = (ctx: Context & { user: { id: string } }) => ({ db: ctx.db, jobs: getJobSink(), actorId: ctx.user.id, meta: ctx.meta });

export const cohortsRouter = createTRPCRouter({
  myAccess: protectedProcedure
    .output(z.object({ allowed: z.boolean(), cohort: z.string(), why: z.string().nullable(), onBetaList: z.boolean(), pendingRequest: request.nullable(), lastDecision: request.nullable() }))
    .query(({ ctx }) => myLiveAccess(ctx.db, ctx.user.id)),
  requestAccess: protectedProcedure
    .input(requestAccessInput)
    .output(request)
    .mutation(({ ctx, input }) => requestLiveAccess({ db: ctx.db, userId: ctx.user.id, meta: ctx.meta, jobs: getJobSink() }, input)),

  get: adminProcedure.output(cohortView).query(({ ctx }) => getCohort(ctx.db)),
  preview: adminProcedure
    .input(cohortInput)
    .output(z.object({ description: z.string(), wouldMoveToPaper: z.number().int() }))
    .query(({ ctx, input }) => previewCohort(ctx.db, input)),
  update: adminProcedure
    .input(cohortInput)
    .output(z.object({ cohort: cohortView, movedToPaper: z.array(z.object({ id: z.string(), email: z.string() })) }))
    .mutation(async ({ ctx, input }) => {
      const r = await updateCohort(actor(ctx), input);
      return { cohort: r.cohort, movedToPaper: r.movedToPaper };
    }),
  setUserAccess: adminProcedure
    .input(userAccessInput)
    .output(z.object({ userId: z.string(), email: z.string(), liveAccess: z.boolean(), changed: z.boolean(), movedToPaper: z.boolean() }))
    .mutation(({ ctx, input }) => setUserLiveAccess(actor(ctx), input)),
  listRequests: adminProcedure
    .input(listRequestsInput)
    .output(z.array(request.extend({ userId: z.string(), email: z.string(), name: z.string(), tier, tradingMode: z.enum(["PERSONAL", "PAPER", "OFF"]) })))
    .query(({ ctx, input }) => listAccessRequests(ctx.db, input)),
  decide: adminProcedure
    .input(decideRequestInput)
    .output(request.extend({ userId: z.string() }))
    .mutation(({ ctx, input }) => decideAccessRequest(actor(ctx), input)),
});
