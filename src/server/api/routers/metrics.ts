/** Admin metrics dashboard (src/server/admin/metrics.ts). Viewing it is audited, like the rest of the admin console. */
import { z } from "zod";
import { getMetricsDashboard, MAX_DAYS, MIN_DAYS } from "~/server/admin/metrics";
import { adminProcedure, createTRPCRouter } from "~/server/api/trpc";
import { writeAudit } from "~/server/audit/write-audit";
import { unprotectedPositions } from "~/server/positions/protection-queries";

export const metricsInput = z.object({ days: z.number().int().min(MIN_DAYS).max(MAX_DAYS).default(14) });

const tier = z.enum(["PRO", "FLEX", "TRIAL", "ALL"]);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const count = z.number().int().nonnegative();
const pct = z.number().min(0).max(100).nullable();

export const metricsOutput = z.object({
  window: z.object({ days: z.number().int(), from: day, to: day }),
  activeKeys: z.array(z.object({ tier, users: count, withActiveKey: count, pct })),
  tradingModes: z.array(z.object({ tier, users: count, PERSONAL: count, PAPER: count, OFF: count })),
  executionSuccess: z.array(z.object({ day, tier, succeeded: count, total: count, pct })),
  keyCheckFailures: z.array(z.object({ day, tier, failed: count, total: count, pct })),
  latency: z.array(z.object({ day, tier, samples: count, medianMs: z.number().nullable() })),
});

const unprotectedOutput = z.object({
  count,
  items: z.array(
    z.object({
      id: z.string(),
      userEmail: z.string(),
      strategyName: z.string(),
      symbol: z.string(),
      side: z.enum(["LONG", "SHORT"]),
      size: z.string(),
      exchange: z.enum(["BINANCE", "BYBIT"]).nullable(),
      unprotectedAt: z.date(),
      protectionNote: z.string().nullable(),
    }),
  ),
});

export const metricsRouter = createTRPCRouter({
  /** Open positions whose stop-loss is not on the exchange (the protection watch keeps trying); shown with the dashboard, whose view is audited. */
  unprotected: adminProcedure.output(unprotectedOutput).query(({ ctx }) => unprotectedPositions(ctx.db)),
  dashboard: adminProcedure
    .input(metricsInput)
    .output(metricsOutput)
    .query(async ({ ctx, input }) => {
      const data = await getMetricsDashboard(ctx.db, { days: input.days });
      await writeAudit(ctx.db, { action: "admin.metrics.view", outcome: "SUCCESS", actorId: ctx.user.id, meta: ctx.meta, details: { days: input.days } });
      return data;
    }),
});
