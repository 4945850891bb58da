/**
 * process_signal: the decision step, then in ONE transaction one execution row per eligible
 * subscriber (a recorded reason for each one skipped) and the jobs that place them, PRO before
 * FLEX before TRIAL, then by subscription age. Idempotent: a re-run finds the signal decided.
 */
import crypto from "node:crypto";
import type { Prisma } from "~/generated/prisma/client";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { TIER_PRIORITY } from "~/server/engine/engine-deps";
import type { JobSpec } from "~/server/jobs/job-types";
import { logger } from "~/server/logger";
import { decideAlert, type Decision } from "~/server/signals/decision";
import { askModelHook, type ModelVerdict } from "~/server/signals/model-hook";
import type { ParsedAlert } from "~/server/signals/webhook-payload";

export const DEFAULT_BATCH_SIZE = 32;

/** Ids that double as exchange client order ids: <= 36 chars of [A-Za-z0-9_-] on both exchanges. */
export function newExecutionId(): string {
  return `x${Date.now().toString(36)}${crypto.randomBytes(8).toString("hex")}`;
}
export function clientOrderIdFor(executionId: string): string {
  return `kr-${executionId}`;
}

export function revive(alert: Prisma.JsonValue): ParsedAlert {
  const a = alert as unknown as ParsedAlert & { timestamp: string | null };
  return { ...a, timestamp: a.timestamp ? new Date(a.timestamp) : null } as ParsedAlert;
}

async function marketContext(deps: EngineDeps, exchange: "BINANCE" | "BYBIT", symbol: string) {
  try {
    const loader = await deps.adapter.clients.publicClient(exchange, "LIVE");
    const listed = new Set(Object.keys(loader.markets ?? {}));
    let price: number | null = null;
    if (listed.has(symbol)) price = await deps.adapter.fetchPrice(exchange, symbol).catch(() => null);
    return { listed, price };
  } catch (err) {
    logger.warn({ err, exchange }, "markets unavailable for the decision step");
    return { listed: new Set<string>(), price: null };
  }
}

export async function processSignal(deps: EngineDeps, signalId: string): Promise<void> {
  const now = deps.now?.() ?? new Date();
  const signal = await deps.db.signal.findUnique({ where: { id: signalId }, include: { strategy: true } });
  if (!signal || signal.status !== "RECEIVED") return;
  const strategy = signal.strategy;
  const alert = revive(signal.alert);
  const marketType = strategy.marketType === "LINEAR" ? "linear" : "spot";

  const subs = await loadSubscriptions(deps, strategy.id);
  // The rules need the market: ask the exchange most subscribers trade on (no call happened before the webhook answered).
  const exchanges = subs.map((s) => s.credential?.exchange).filter((e): e is "BINANCE" | "BYBIT" => !!e);
  const primary = exchanges.filter((e) => e === "BYBIT").length > exchanges.length / 2 ? "BYBIT" : "BINANCE";
  const symbolGuess = `${alert.ticker.base}/${alert.ticker.quote}${marketType === "linear" ? `:${alert.ticker.quote}` : ""}`;
  const market = await marketContext(deps, primary, symbolGuess);
  let decision: Decision & { model?: ModelVerdict } = decideAlert({
    strategy: { enabled: strategy.enabled, allowedSymbols: strategy.allowedSymbols, marketType },
    alert,
    now,
    marketPrice: market.price,
    maxPriceDeviationPct: Number(strategy.maxPriceDeviationPct),
    listedSymbols: market.listed,
  });
  if (decision.approved && deps.model) {
    const verdict = await askModelHook(deps.model, { alert, rules: decision });
    decision = { ...decision, model: verdict, approved: verdict.decision === "approve" };
  }
  const decisionJson = { ...decision, marketPrice: market.price } as unknown as Prisma.InputJsonValue;
  if (!decision.approved) {
    await deps.db.signal.update({ where: { id: signal.id }, data: { status: "REJECTED", decision: decisionJson, decidedAt: new Date(), completedAt: new Date() } });
    return;
  }

  const symbol = decision.symbol;
  const side = alert.action === "sell" ? "sell" : alert.action === "exit" ? "exit" : alert.action === "cancel" ? "cancel" : "buy";
  const orderType = (alert.orderType ?? strategy.defaultOrderType.toLowerCase()) === "limit" ? "LIMIT" : "MARKET";
  const lastBySymbol = strategy.cooldownSeconds > 0 ? await recentOrders(deps, subs.map((s) => s.userId), symbol, now, strategy.cooldownSeconds) : new Set<string>();

  const rows: ExecutionRow[] = [];
  const ordered = [...subs].sort((a, b) => TIER_PRIORITY[a.user.tier] - TIER_PRIORITY[b.user.tier] || a.createdAt.getTime() - b.createdAt.getTime());
  for (const sub of ordered) {
    const skip = skipReason(sub, now, side, lastBySymbol, strategy.cooldownSeconds);
    const id = newExecutionId();
    rows.push({
      id,
      signalId: signal.id,
      subscriptionId: sub.id,
      userId: sub.userId,
      credentialId: sub.credential?.id ?? null,
      exchange: sub.credential?.exchange ?? null,
      tier: sub.user.tier,
      priority: TIER_PRIORITY[sub.user.tier],
      clientOrderId: clientOrderIdFor(id),
      status: skip ? "SKIPPED" : "QUEUED",
      paper: sub.user.tradingMode === "PAPER",
      symbol,
      side,
      orderType,
      price: alert.price ?? null,
      message: skip,
      queuedAt: new Date(),
      completedAt: skip ? now : null,
    });
  }
  const queued = rows.filter((r) => r.status === "QUEUED");
  const jobs = batchJobs(queued, deps.batchSize ?? DEFAULT_BATCH_SIZE);
  await deps.db.$transaction(async (tx) => {
    await insertExecutions(tx, rows);
    await tx.signal.update({
      where: { id: signal.id },
      data: {
        status: queued.length ? "FANNING_OUT" : "DONE",
        decision: decisionJson,
        decidedAt: new Date(),
        completedAt: queued.length ? null : new Date(),
      },
    });
    await deps.jobs.addInTx(tx, jobs);
  });
  deps.jobs.afterCommit(jobs);
}

type SubRow = {
  paused: boolean;
  userId: string;
  user: { tier: "PRO" | "FLEX" | "TRIAL"; trialEndsAt: Date | null; tradingMode: "PERSONAL" | "PAPER" | "OFF"; disabledAt: Date | null };
  credential: { status: string } | null;
};

type Tier = keyof typeof TIER_PRIORITY;

/**
 * The strategy's subscriptions with the user and key fields the fan-out needs, in one SQL join
 * (a thousand subscribers through the ORM's relation loading cost ~100 ms of CPU; this costs a few).
 */
async function loadSubscriptions(deps: EngineDeps, strategyId: string) {
  const rows = await deps.db.$queryRawUnsafe<
    {
      id: string;
      userId: string;
      paused: boolean;
      createdAt: Date | string;
      tier: Tier;
      trialEndsAt: Date | string | null;
      tradingMode: "PERSONAL" | "PAPER" | "OFF";
      disabledAt: Date | string | null;
      credId: string | null;
      credExchange: "BINANCE" | "BYBIT" | null;
      credStatus: string | null;
    }[]
  >(
    `SELECT s.id, s."userId", s.paused, s."createdAt",
            u.tier::text AS tier, u."trialEndsAt", u."tradingMode"::text AS "tradingMode", u."disabledAt",
            c.id AS "credId", c.exchange::text AS "credExchange", c.status::text AS "credStatus"
       FROM "Subscription" s
       JOIN "User" u ON u.id = s."userId"
       LEFT JOIN "ExchangeCredential" c ON c.id = s."credentialId"
      WHERE s."strategyId" = $1`,
    strategyId,
  );
  return rows.map((r) => ({
    id: r.id,
    userId: r.userId,
    paused: r.paused,
    createdAt: asDate(r.createdAt)!,
    user: { id: r.userId, tier: r.tier, trialEndsAt: asDate(r.trialEndsAt), tradingMode: r.tradingMode, disabledAt: asDate(r.disabledAt) },
    credential: r.credId ? { id: r.credId, exchange: r.credExchange!, status: r.credStatus! } : null,
  }));
}

function asDate(v: Date | string | null): Date | null {
  if (v === null) return null;
  return v instanceof Date ? v : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`); // TIMESTAMP(3) columns hold UTC
}

interface ExecutionRow {
  id: string;
  signalId: string;
  subscriptionId: string;
  userId: string;
  credentialId: string | null;
  exchange: "BINANCE" | "BYBIT" | null;
  tier: Tier;
  priority: number;
  clientOrderId: string;
  status: "QUEUED" | "SKIPPED";
  paper: boolean;
  symbol: string;
  side: string;
  orderType: "MARKET" | "LIMIT";
  price: number | null;
  message: string | null;
  queuedAt: Date;
  completedAt: Date | null;
}

/** All the signal's executions in one INSERT (duplicates skipped), the ORM's createMany without its per-value CPU. */
async function insertExecutions(tx: Pick<EngineDeps["db"], "$executeRawUnsafe">, rows: ExecutionRow[]) {
  if (rows.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO "Execution" (id, "signalId", "subscriptionId", "userId", "credentialId", exchange, tier, priority, "clientOrderId",
                              status, paper, symbol, side, "orderType", price, message, "queuedAt", "completedAt")
     SELECT id, "signalId", "subscriptionId", "userId", "credentialId", exchange, tier, priority, "clientOrderId",
            status, paper, symbol, side, "orderType", price, message, "queuedAt", "completedAt"
       FROM json_to_recordset($1::json) AS x(id text, "signalId" text, "subscriptionId" text, "userId" text, "credentialId" text,
            exchange "Exchange", tier "Tier", priority int, "clientOrderId" text, status "ExecutionStatus", paper boolean, symbol text,
            side text, "orderType" "OrderType", price numeric, message text, "queuedAt" timestamp(3), "completedAt" timestamp(3))
     ON CONFLICT DO NOTHING`,
    JSON.stringify(rows),
  );
}

function skipReason(sub: SubRow, now: Date, side: string, recent: Set<string>, cooldownSeconds: number): string | null {
  if (sub.user.disabledAt) return "Account disabled by an admin.";
  if (sub.paused) return "Subscription paused.";
  if (sub.user.tradingMode === "OFF") return "Trading mode is OFF.";
  if (sub.user.tier === "TRIAL" && sub.user.trialEndsAt && sub.user.trialEndsAt < now) return "Trial ended: upgrade to keep trading signals.";
  if (side === "cancel") return "Cancel alerts are recorded only: KeyRelay's orders fill at once, so there is nothing to cancel.";
  if (sub.user.tradingMode === "PERSONAL") {
    if (!sub.credential) return "No exchange key chosen for this subscription.";
    if (sub.credential.status !== "ACTIVE") return `The subscription's exchange key is ${sub.credential.status}, not ACTIVE: verify or replace it on the Keys page.`;
  }
  if (recent.has(sub.userId)) return `Cooldown: an order on this symbol was placed less than ${cooldownSeconds} s ago.`;
  return null;
}

async function recentOrders(deps: EngineDeps, userIds: string[], symbol: string, now: Date, cooldownSeconds: number) {
  const rows = await deps.db.execution.findMany({
    where: { userId: { in: userIds }, symbol, status: { in: ["SUBMITTED", "FILLED", "PARTIALLY_FILLED", "SUBMITTING"] }, queuedAt: { gte: new Date(now.getTime() - cooldownSeconds * 1000) } },
    select: { userId: true },
  });
  return new Set(rows.map((r) => r.userId));
}

/**
 * Consecutive chunks of the priority-ordered executions; a chunk runs at the priority of its first
 * (best) member, and sends its orders in list order, so PRO goes before FLEX before TRIAL both
 * across and within batches.
 */
export function batchJobs(queued: { id?: string; priority: number }[], size: number): JobSpec[] {
  const jobs: JobSpec[] = [];
  for (let i = 0; i < queued.length; i += size) {
    const chunk = queued.slice(i, i + size);
    const priority = chunk[0]!.priority;
    jobs.push({ task: "execute_batch", payload: { ids: chunk.map((q) => q.id!), priority }, priority, jobKey: `exec:${chunk[0]!.id}`, maxAttempts: 25 });
  }
  return jobs;
}
