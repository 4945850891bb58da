/** The dashboard (onboarding checklist, key health, mode, latest activity, attention) and the go-live confirmation's summary. */
import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "~/server/api/trpc";
import { dashboardOverview } from "~/server/dashboard/dashboard-overview";
import { goLivePreview } from "~/server/dashboard/go-live-preview";
import { EXECUTION_STATUSES } from "~/server/engine/execution-state";
import { helpLinkSchema } from "~/server/error-catalogue/help-link";

const exchange = z.enum(["BINANCE", "BYBIT"]);
const environment = z.enum(["LIVE", "TESTNET", "DEMO"]);
const keyStatus = z.enum(["UNVERIFIED", "ACTIVE", "DISABLED", "REJECTED"]);
const mode = z.enum(["PERSONAL", "PAPER", "OFF"]);

export const overviewOutput = z.object({
  tradingMode: mode,
  checklist: z.array(z.object({ step: z.enum(["KEY", "MODE", "SUBSCRIBE", "FIRST_ORDER"]), done: z.boolean() })),
  keys: z.array(
    z.object({
      exchange,
      keys: z.array(
        z.object({
          id: z.string(),
          environment,
          status: keyStatus,
          apiKeyMasked: z.string(),
          lastVerifiedAt: z.date().nullable(),
          lastError: z.string().nullable(),
          balance: z.array(z.object({ currency: z.string(), amount: z.string() })).nullable(),
        }),
      ),
    }),
  ),
  attention: z.array(
    z.object({
      kind: z.enum(["KEY_DISABLED", "KEY_REJECTED", "NO_ACTIVE_KEY_LIVE", "SUBSCRIPTION_KEY", "ORDERS_FAILED", "UNPROTECTED"]),
      message: z.string(),
      href: z.string(),
    }),
  ),
  subscriptions: z.number().int(),
  recentSignals: z.array(
    z.object({ id: z.string(), strategyName: z.string(), action: z.string(), symbol: z.string(), status: z.enum(["RECEIVED", "REJECTED", "FANNING_OUT", "DONE"]), receivedAt: z.date() }),
  ),
  recentOrders: z.array(
    z.object({
      id: z.string(),
      strategyName: z.string(),
      exchange: exchange.nullable(),
      symbol: z.string(),
      side: z.string(),
      status: z.enum(EXECUTION_STATUSES),
      paper: z.boolean(),
      errorKind: z.string().nullable(),
      help: helpLinkSchema,
      message: z.string().nullable(),
      queuedAt: z.date(),
    }),
  ),
  firstOrderPaper: z.boolean().nullable(),
});

export const goLivePreviewOutput = z.object({
  activeKeys: z.number().int(),
  subscriptions: z.array(
    z.object({
      id: z.string(),
      strategyName: z.string(),
      sizingMode: z.enum(["FIXED_QUOTE", "PERCENT_BALANCE", "FIXED_BASE", "CONTRACTS_MULTIPLIER"]),
      sizingValue: z.string(),
      maxNotional: z.string().nullable(),
      leverageCap: z.number().int().nullable(),
      paused: z.boolean(),
      key: z.object({ exchange, environment, apiKeyMasked: z.string(), status: keyStatus, label: z.string().nullable() }).nullable(),
      willTrade: z.boolean(),
    }),
  ),
});

export const dashboardRouter = createTRPCRouter({
  overview: protectedProcedure.output(overviewOutput).query(({ ctx }) => dashboardOverview(ctx.db, ctx.user.id)),
  goLivePreview: protectedProcedure.output(goLivePreviewOutput).query(({ ctx }) => goLivePreview(ctx.db, ctx.user.id)),
});
