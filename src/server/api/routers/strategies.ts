/** Strategies (admin), subscriptions (users), and the signal / execution views of both. */
import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "~/server/api/trpc";
import {
  createStrategy,
  rotateWebhookToken,
  setPaused,
  signalProgress,
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
  allowedSymbols: z.array(z.string()),
  marketType: z.enum(["SPOT", "LINEAR"]),
  defaultOrderType: z.enum(["MARKET", "LIMIT"]),
  enabled: z.boolean(),
  webhookPath: z.string(),
  alertTemplate: z.string(),
  allowedIps: z.array(z.string()),
  rateLimitPerMinute: z.number(),
  cooldownSeconds: z.number(),
  maxPriceDeviationPct: z.number(),
  createdAt: z.date(),
});

const progressOutput = z.object({
  queued: z.number(),
  sent: z.number(),
  filled: z.number(),
  failed: z.number(),
  skipped: z.number(),
  total: z.number(),
});

function progressOf(m: Record<string, number> | undefined) {
  const c = (k: string) => m?.[k] ?? 0;
  const p = {
    queued: c("QUEUED"),
    sent: c("SUBMITTING") + c("SUBMITTED"),
    filled: c("FILLED") + c("PARTIALLY_FILLED"),
    failed: c("FAILED") + c("REJECTED"),
    skipped: c("SKIPPED"),
  };
  return { ...p, total: p.queued + p.sent + p.filled + p.failed + p.skipped };
}

const executionOutput = z.object({
  id: z.string(),
  signalId: z.string(),
  userEmail: z.string().optional(),
  strategyName: z.string(),
  tier: z.enum(["PRO", "FLEX", "TRIAL"]),
  exchange: z.enum(["BINANCE", "BYBIT"]).nullable(),
  symbol: z.string(),
  side: z.string(),
  status: z.string(),
  paper: z.boolean(),
  amount: z.string().nullable(),
  filledAmount: z.string().nullable(),
  averagePrice: z.string().nullable(),
  clientOrderId: z.string(),
  exchangeOrderId: z.string().nullable(),
  errorKind: z.string().nullable(),
  message: z.string().nullable(),
  queuedAt: z.date(),
  sentAt: z.date().nullable(),
  ackAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  latencyMs: z.number().nullable(),
});

type ExecRow = {
  id: string; signalId: string; tier: "PRO" | "FLEX" | "TRIAL"; exchange: "BINANCE" | "BYBIT" | null; symbol: string; side: string; status: string; paper: boolean;
  amount: { toString(): string } | null; filledAmount: { toString(): string } | null; averagePrice: { toString(): string } | null;
  clientOrderId: string; exchangeOrderId: string | null; errorKind: string | null; message: string | null;
  queuedAt: Date; sentAt: Date | null; ackAt: Date | null; completedAt: Date | null;
  signal: { receivedAt: Date; strategy: { name: string } };
};

function execView(e: ExecRow, email?: string) {
  return {
    id: e.id, signalId: e.signalId, userEmail: email, strategyName: e.signal.strategy.name, tier: e.tier, exchange: e.exchange, symbol: e.symbol, side: e.side,
    status: e.status, paper: e.paper, amount: e.amount?.toString() ?? null, filledAmount: e.filledAmount?.toString() ?? null, averagePrice: e.averagePrice?.toString() ?? null,
    clientOrderId: e.clientOrderId, exchangeOrderId: e.exchangeOrderId, errorKind: e.errorKind, message: e.message,
    queuedAt: e.queuedAt, sentAt: e.sentAt, ackAt: e.ackAt, completedAt: e.completedAt,
    latencyMs: e.ackAt ? e.ackAt.getTime() - e.signal.receivedAt.getTime() : null,
  };
}

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
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
  model: z.object({ decision: z.string(), reason: z.string(), source: z.string() }).nullable(),
  progress: progressOutput,
});

export const strategiesRouter = createTRPCRouter({
  list: adminProcedure.output(z.array(strategyAdminOutput)).query(async ({ ctx }) =>
    (await ctx.db.strategy.findMany({ orderBy: { createdAt: "asc" } })).map(strategyAdminView),
  ),
  tradingViewIps: adminProcedure.output(z.array(z.string())).query(() => TRADINGVIEW_IPS),
  create: adminProcedure.input(strategyInput).output(strategyAdminOutput).mutation(async ({ ctx, input }) =>
    strategyAdminView(await createStrategy(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input)),
  ),
  update: adminProcedure
    .input(z.object({ id: z.string(), patch: strategyInput.partial() }))
    .output(strategyAdminOutput)
    .mutation(async ({ ctx, input }) => strategyAdminView(await updateStrategy(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input.id, input.patch))),
  rotateToken: adminProcedure
    .input(z.object({ id: z.string() }))
    .output(strategyAdminOutput)
    .mutation(async ({ ctx, input }) => strategyAdminView(await rotateWebhookToken(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input.id))),

  /** What users may subscribe to (no webhook tokens), with their own subscription if any. */
  available: protectedProcedure
    .output(
      z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          allowedSymbols: z.array(z.string()),
          marketType: z.enum(["SPOT", "LINEAR"]),
          enabled: z.boolean(),
          subscription: subscriptionInput.extend({ id: z.string() }).nullable(),
        }),
      ),
    )
    .query(async ({ ctx }) => {
      const rows = await ctx.db.strategy.findMany({ orderBy: { createdAt: "asc" }, include: { subscriptions: { where: { userId: ctx.user.id } } } });
      return rows.map((s) => {
        const sub = s.subscriptions[0];
        return {
          id: s.id, name: s.name, allowedSymbols: s.allowedSymbols, marketType: s.marketType, enabled: s.enabled,
          subscription: sub
            ? { id: sub.id, strategyId: s.id, credentialId: sub.credentialId, sizingMode: sub.sizingMode, sizingValue: Number(sub.sizingValue), leverageCap: sub.leverageCap, maxNotional: sub.maxNotional === null ? null : Number(sub.maxNotional), paused: sub.paused }
            : null,
        };
      });
    }),
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

  myExecutions: protectedProcedure.output(z.array(executionOutput)).query(async ({ ctx }) => {
    const rows = await ctx.db.execution.findMany({
      where: { userId: ctx.user.id },
      orderBy: { queuedAt: "desc" },
      take: 50,
      include: { signal: { select: { receivedAt: true, strategy: { select: { name: true } } } } },
    });
    return rows.map((e) => execView(e));
  }),

  signals: adminProcedure.output(z.array(signalOutput)).query(async ({ ctx }) => {
    const rows = await ctx.db.signal.findMany({ orderBy: { receivedAt: "desc" }, take: 50, include: { strategy: { select: { name: true } } } });
    const progress = await signalProgress(ctx.db, rows.map((r) => r.id));
    return rows.map((s) => {
      const d = (s.decision ?? null) as { approved?: boolean; reasons?: { code: string; message: string }[]; model?: { decision: string; reason: string; source: string } } | null;
      return {
        id: s.id, strategyName: s.strategy.name, action: s.action, symbol: s.symbol, status: s.status, receivedAt: s.receivedAt, completedAt: s.completedAt,
        subscriberCount: s.subscriberCount, approved: d?.approved ?? null, reasons: d?.reasons ?? [], model: d?.model ?? null, progress: progressOf(progress.get(s.id)),
      };
    });
  }),
  signalExecutions: adminProcedure
    .input(z.object({ signalId: z.string() }))
    .output(z.array(executionOutput))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.execution.findMany({
        where: { signalId: input.signalId },
        orderBy: [{ priority: "asc" }, { queuedAt: "asc" }],
        include: { signal: { select: { receivedAt: true, strategy: { select: { name: true } } } } },
      });
      const users = new Map((await ctx.db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.userId))] } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]));
      return rows.map((e) => execView(e, users.get(e.userId)));
    }),
});
