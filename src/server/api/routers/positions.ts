/** Positions: a user's open positions, trade history, dashboard summary and close button; admins' per-strategy totals. */
import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "~/server/api/trpc";
import { EXECUTION_STATUSES } from "~/server/engine/execution-state";
import { closePosition } from "~/server/engine/manual-close";
import { exchangeAdapter, getEngine } from "~/server/engine/runtime";
import { openPositions, positionsSummary, type PriceFn } from "~/server/positions/position-queries";
import { HISTORY_PAGE_MAX, historyCursorSchema, historyFilterSchema, historyOptions, tradeHistory } from "~/server/positions/trade-history";
import { strategyTotals } from "~/server/positions/strategy-totals";
import { ProtectionKind, ProtectionStatus } from "~/generated/prisma/enums";
import { helpLinkSchema } from "~/server/error-catalogue/help-link";

// Built on first use: a user with no open position never loads the exchange clients.
const publicPrices: PriceFn = (exchange, symbol) => exchangeAdapter().fetchPrice(exchange, symbol);

const exchange = z.enum(["BINANCE", "BYBIT"]);
const amounts = z.array(z.object({ currency: z.string(), amount: z.string() }));

const openPositionOutput = z.object({
  id: z.string(),
  strategyId: z.string(),
  strategyName: z.string(),
  symbol: z.string(),
  quote: z.string(),
  marketType: z.enum(["SPOT", "LINEAR"]),
  side: z.enum(["LONG", "SHORT"]),
  size: z.string(),
  averageEntry: z.string().nullable(),
  markExchange: exchange,
  mark: z.string().nullable(),
  unrealizedPnl: z.string().nullable(),
  realizedPnl: z.string(),
  feesPaid: z.string(),
  paper: z.boolean(),
  exchange: exchange.nullable(),
  openedAt: z.date().nullable(),
  driftNote: z.string().nullable(),
  driftAt: z.date().nullable(),
  inFlight: z.object({ status: z.enum(EXECUTION_STATUSES), intent: z.enum(["OPEN", "CLOSE"]).nullable() }).nullable(),
  settling: z.boolean(),
  protectiveOrders: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(ProtectionKind),
      level: z.number().int(),
      status: z.enum(ProtectionStatus),
      side: z.enum(["buy", "sell"]),
      amount: z.string(),
      triggerPrice: z.string().nullable(),
      callbackPct: z.string().nullable(),
      filledAmount: z.string().nullable(),
      averagePrice: z.string().nullable(),
      message: z.string().nullable(),
      updatedAt: z.date(),
    }),
  ),
  protectionNotes: z.array(z.string()),
  breakEvenDone: z.boolean(),
  unprotectedAt: z.date().nullable(),
  protectionNote: z.string().nullable(),
  help: z.object({ unprotected: helpLinkSchema, refused: helpLinkSchema, leftOut: helpLinkSchema, drift: helpLinkSchema }),
});

const modeSummaryOutput = z.object({
  openPositions: z.number(),
  unrealizedPnl: amounts,
  unpriced: z.number(),
  realizedToday: amounts,
  realizedTotal: amounts,
});

const historyRowOutput = z.object({
  id: z.string(),
  executionId: z.string().nullable(),
  source: z.enum(["STRATEGY", "STOP_LOSS", "TAKE_PROFIT", "TRAILING_STOP"]),
  at: z.date(),
  strategyId: z.string(),
  strategyName: z.string(),
  symbol: z.string(),
  quote: z.string(),
  side: z.enum(["buy", "sell"]),
  effect: z.enum(["OPEN", "ADD", "REDUCE", "CLOSE", "FLIP"]),
  amount: z.string(),
  price: z.string(),
  fee: z.string().nullable(),
  feeCurrency: z.string().nullable(),
  feeQuote: z.string().nullable(),
  realizedPnl: z.string(),
  slippagePct: z.string().nullable(),
  paper: z.boolean(),
  exchange: exchange.nullable(),
});

const modeTotalsOutput = z.object({
  ordersPlaced: z.number(),
  fills: z.number(),
  volume: amounts,
  realizedPnl: amounts,
  avgSlippagePct: z.string().nullable(),
  openPositions: z.number(),
});

/** Midnight UTC today: "today" for callers that do not say where their day starts. */
const utcMidnight = () => new Date(new Date().toISOString().slice(0, 10));

export const positionsRouter = createTRPCRouter({
  open: protectedProcedure.output(z.array(openPositionOutput)).query(({ ctx }) => openPositions(ctx.db, ctx.user.id, publicPrices)),

  summary: protectedProcedure
    .input(z.object({ todayFrom: z.date({ error: "todayFrom must be a date" }).optional() }).optional())
    .output(z.object({ live: modeSummaryOutput, paper: modeSummaryOutput, todayFrom: z.date() }))
    .query(({ ctx, input }) => positionsSummary(ctx.db, ctx.user.id, publicPrices, input?.todayFrom ?? utcMidnight())),

  history: protectedProcedure
    .input(
      z.object({
        filter: historyFilterSchema.default({}),
        cursor: historyCursorSchema.nullish(),
        limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).default(50),
      }),
    )
    .output(z.object({ items: z.array(historyRowOutput), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => tradeHistory(ctx.db, ctx.user.id, input.filter, { cursor: input.cursor, limit: input.limit })),

  historyOptions: protectedProcedure
    .output(z.object({ strategies: z.array(z.object({ id: z.string(), name: z.string() })), symbols: z.array(z.string()) }))
    .query(({ ctx }) => historyOptions(ctx.db, ctx.user.id)),

  /** Closes the whole position through the engine (audited there); another user's position is NOT_FOUND. */
  close: protectedProcedure
    .input(z.object({ positionId: z.string({ error: "positionId is required" }).trim().min(1, "positionId is required").max(64) }))
    .output(z.object({ signalId: z.string(), executionId: z.string() }))
    .mutation(({ ctx, input }) => closePosition(getEngine().deps, { userId: ctx.user.id, positionId: input.positionId, meta: ctx.meta })),

  strategyTotals: adminProcedure
    .output(z.array(z.object({ strategyId: z.string(), name: z.string(), enabled: z.boolean(), live: modeTotalsOutput, paper: modeTotalsOutput })))
    .query(({ ctx }) => strategyTotals(ctx.db)),
});
