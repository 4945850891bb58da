/** Strategies (admin), subscriptions (users), and the signal / execution views of both. */
import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure, requireStepUp } from "~/server/api/trpc";
import { EXECUTION_STATUSES } from "~/server/engine/execution-state";
import { strategyProtection } from "~/server/positions/protection/protection-settings";
import { convertAlert } from "~/server/signals/alert-formats/convert-alert";
import { ALERT_FORMATS } from "~/server/signals/webhook-payload";
import { setStrategyProtection } from "~/server/strategies/protection-service";
import { getEngine } from "~/server/engine/runtime";
import { deliveryBody, deliveryFilter, listDeliveries } from "~/server/strategies/delivery-log-query";
import { helpLinkSchema } from "~/server/error-catalogue/help-link";
import { recentSignals, signalExecutions, userExecutions, userRejectedSignals } from "~/server/strategies/signal-activity";
import { sendTestAlert, testAlertResult } from "~/server/strategies/test-alert";
import { webhookUrlBase } from "~/server/strategies/webhook-url";
import {
  archiveStrategy,
  availableStrategies,
  createStrategy,
  listStrategies,
  rotateWebhookToken,
  setPaused,
  strategyAdminView,
  strategyInput,
  subscribe,
  subscriptionInput,
  TRADINGVIEW_IPS,
  unsubscribe,
  updateStrategy,
} from "~/server/strategies/strategy-service";

const strategyAdminOutput = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  archivedAt: z.date().nullable(),
  allowedSymbols: z.array(z.string()),
  marketType: z.enum(["SPOT", "LINEAR"]),
  defaultOrderType: z.enum(["MARKET", "LIMIT"]),
  enabled: z.boolean(),
  /** The webhook token's last 4 characters: the URL itself is shown once (create, rotate). */
  webhookHint: z.string(),
  maskedWebhookPath: z.string(),
  alertTemplate: z.string(),
  templates: z.array(z.object({ kind: z.enum(["strategy", "indicator", "manual-buy", "manual-sell", "manual-close"]), label: z.string(), hint: z.string(), message: z.string() })),
  allowedIps: z.array(z.string()),
  rateLimitPerMinute: z.number(),
  cooldownSeconds: z.number(),
  maxPriceDeviationPct: z.number(),
  protection: strategyProtection.nullable(),
  createdAt: z.date(),
});

/** The one answer that carries the webhook URL's path (token included): shown once, never again. */
const strategyWithWebhookOutput = strategyAdminOutput.extend({ webhookPath: z.string() });
const withWebhook = (r: { strategy: Parameters<typeof strategyAdminView>[0]; webhookPath: string }) => ({ ...strategyAdminView(r.strategy), webhookPath: r.webhookPath });

const progressOutput = z.object({
  queued: z.number(),
  sent: z.number(),
  filled: z.number(),
  failed: z.number(),
  skipped: z.number(),
  total: z.number(),
});

const executionOutput = z.object({
  id: z.string(),
  signalId: z.string(),
  userEmail: z.string().optional(),
  strategyName: z.string(),
  tier: z.enum(["PRO", "FLEX", "TRIAL"]),
  exchange: z.enum(["BINANCE", "BYBIT"]).nullable(),
  symbol: z.string(),
  side: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  paper: z.boolean(),
  amount: z.string().nullable(),
  filledAmount: z.string().nullable(),
  averagePrice: z.string().nullable(),
  clientOrderId: z.string(),
  exchangeOrderId: z.string().nullable(),
  errorKind: z.string().nullable(),
  help: helpLinkSchema,
  message: z.string().nullable(),
  queuedAt: z.date(),
  sentAt: z.date().nullable(),
  ackAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  latencyMs: z.number().nullable(),
});

const signalOutput = z.object({
  id: z.string(),
  strategyName: z.string(),
  action: z.string(),
  symbol: z.string(),
  status: z.enum(["RECEIVED", "REJECTED", "FANNING_OUT", "DONE"]),
  receivedAt: z.date(),
  completedAt: z.date().nullable(),
  subscriberCount: z.number(),
  approved: z.boolean().nullable(),
  reasons: z.array(z.object({ code: z.string(), message: z.string(), help: helpLinkSchema })),
  model: z.object({ decision: z.string(), reason: z.string(), source: z.string() }).nullable(),
  progress: progressOutput,
});

const conversionOutput = z.object({
  format: z.enum(ALERT_FORMATS).nullable(),
  understood: z
    .object({
      action: z.string(),
      symbol: z.string(),
      perpetual: z.boolean(),
      size: z.string().nullable(),
      orderType: z.string().nullable(),
      price: z.string().nullable(),
      position: z.string().nullable(),
      protection: z.string().nullable(),
      ignored: z.array(z.string()),
    })
    .nullable(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
  template: z.string().nullable(),
});

const deliveryOutput = z.object({
  id: z.string(),
  receivedAt: z.date(),
  answeredMs: z.number(),
  status: z.number(),
  accepted: z.boolean(),
  reason: z.string().nullable(),
  help: helpLinkSchema,
  format: z.string().nullable(),
  sourceIp: z.string().nullable(),
  signalId: z.string().nullable(),
  test: z.boolean(),
  /** More than 1: an aggregated row standing for that many refusals. */
  count: z.number(),
  bodyBytes: z.number(),
  bodyTruncated: z.boolean(),
  preview: z.string(),
});

const strategyId = z.string({ error: "id is required: the strategy's id" }).min(1, "id is required: the strategy's id");

export const strategiesRouter = createTRPCRouter({
  list: adminProcedure
    .output(z.array(strategyAdminOutput.extend({ subscriberCount: z.number(), lastAlertAt: z.date().nullable() })))
    .query(({ ctx }) => listStrategies(ctx.db)),
  /** The origin webhook URLs start with (NEXTAUTH_URL), and why TradingView could not call it, if so. */
  webhookBase: adminProcedure.output(z.object({ base: z.string(), warning: z.string().nullable() })).query(() => webhookUrlBase()),
  archive: adminProcedure
    .input(z.object({ id: strategyId }))
    .output(strategyAdminOutput)
    .mutation(async ({ ctx, input }) => strategyAdminView(await archiveStrategy(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input.id))),
  sendTestAlert: adminProcedure
    .input(z.object({ id: strategyId }))
    .output(z.object({ signalId: z.string(), subscribers: z.number() }))
    .mutation(({ ctx, input }) => sendTestAlert(getEngine().deps, { id: ctx.user.id, meta: ctx.meta }, input.id)),
  testAlertResult: adminProcedure
    .input(z.object({ signalId: z.string().min(1) }))
    .output(z.object({ signalId: z.string(), status: z.enum(["RECEIVED", "REJECTED", "FANNING_OUT", "DONE"]), reasons: z.array(z.object({ code: z.string(), message: z.string(), help: helpLinkSchema })), executions: z.array(executionOutput) }))
    .query(({ ctx, input }) => testAlertResult(ctx.db, input.signalId)),
  deliveries: adminProcedure
    .input(deliveryFilter)
    .output(z.object({ items: z.array(deliveryOutput), nextCursor: z.object({ receivedAt: z.date(), id: z.string() }).nullable(), retentionDays: z.number() }))
    .query(({ ctx, input }) => listDeliveries(ctx.db, input)),
  deliveryBody: adminProcedure
    .input(z.object({ id: z.string().min(1) }))
    .output(z.object({ id: z.string(), body: z.string(), bodyBytes: z.number(), bodyTruncated: z.boolean() }))
    .query(({ ctx, input }) => deliveryBody(ctx.db, input.id)),
  tradingViewIps: adminProcedure.output(z.array(z.string())).query(() => TRADINGVIEW_IPS),
  create: adminProcedure.input(strategyInput).output(strategyWithWebhookOutput).mutation(async ({ ctx, input }) =>
    withWebhook(await createStrategy(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input)),
  ),
  update: adminProcedure
    .input(strategyInput.partial().extend({ id: strategyId }))
    .output(strategyAdminOutput)
    .mutation(async ({ ctx, input: { id, ...patch } }) => strategyAdminView(await updateStrategy(ctx.db, { id: ctx.user.id, meta: ctx.meta }, id, patch))),
  /** Protective-order defaults for subscribers and the bounds on their own settings; null clears them. */
  setProtection: adminProcedure
    .input(z.object({ id: z.string().min(1), protection: strategyProtection.nullable() }))
    .output(strategyAdminOutput)
    .mutation(async ({ ctx, input }) => strategyAdminView(await setStrategyProtection(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input.id, input.protection))),
  /** Reads a pasted alert message in any supported format; changes nothing (a mutation only because it is sent on demand). */
  convertAlert: adminProcedure
    .input(z.object({ message: z.string({ error: "message is required: paste the alert message" }).trim().min(1, "message is required: paste the alert message").max(64 * 1024, "message is longer than 64 KB, the webhook's limit") }))
    .output(conversionOutput)
    .mutation(({ input }) => convertAlert(input.message)),
  rotateToken: adminProcedure
    .use(requireStepUp)
    .input(z.object({ id: z.string({ error: "id is required: the strategy whose webhook URL to rotate" }).min(1, "id is required: the strategy whose webhook URL to rotate") }))
    .output(strategyWithWebhookOutput)
    .mutation(async ({ ctx, input }) => withWebhook(await rotateWebhookToken(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input.id))),

  /** What users may subscribe to (no webhook tokens), with their own subscription if any. */
  available: protectedProcedure
    .output(
      z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          description: z.string(),
          allowedSymbols: z.array(z.string()),
          marketType: z.enum(["SPOT", "LINEAR"]),
          enabled: z.boolean(),
          archived: z.boolean(),
          /** The strategy's protection defaults and bounds, shown read-only beside the subscriber's own. */
          protection: strategyProtection.nullable(),
          subscription: subscriptionInput.extend({ id: z.string() }).nullable(),
        }),
      ),
    )
    .query(({ ctx }) => availableStrategies(ctx.db, ctx.user.id)),
  subscribe: protectedProcedure
    .input(subscriptionInput)
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => ({ id: (await subscribe(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input)).id })),
  setPaused: protectedProcedure
    .input(z.object({ subscriptionId: z.string(), paused: z.boolean() }))
    .output(z.object({ id: z.string(), paused: z.boolean() }))
    .mutation(({ ctx, input }) => setPaused(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input.subscriptionId, input.paused)),
  unsubscribe: protectedProcedure
    .input(z.object({ subscriptionId: z.string() }))
    .output(z.object({ id: z.string(), deleted: z.literal(true) }))
    .mutation(({ ctx, input }) => unsubscribe(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input.subscriptionId)),

  myExecutions: protectedProcedure.output(z.array(executionOutput)).query(({ ctx }) => userExecutions(ctx.db, ctx.user.id)),
  /** Alerts of the user's strategies the decision step rejected, with the reasons. */
  myRejectedSignals: protectedProcedure
    .output(z.array(z.object({ id: z.string(), strategyName: z.string(), action: z.string(), symbol: z.string(), receivedAt: z.date(), test: z.boolean(), reasons: z.array(z.object({ code: z.string(), message: z.string(), help: helpLinkSchema })) })))
    .query(({ ctx }) => userRejectedSignals(ctx.db, ctx.user.id)),

  signals: adminProcedure.output(z.array(signalOutput)).query(({ ctx }) => recentSignals(ctx.db)),
  signalExecutions: adminProcedure
    .input(z.object({ signalId: z.string() }))
    .output(z.array(executionOutput))
    .query(({ ctx, input }) => signalExecutions(ctx.db, input.signalId)),
});
