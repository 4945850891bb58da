/**
 * process_signal: the decision step, then in ONE transaction the executions of every subscriber
 * (the legs their position calls for, or a recorded reason why none) and the jobs that place
 * them, PRO before FLEX before TRIAL, then by subscription age. Idempotent: a re-run finds the
 * signal decided.
 */
import type { Prisma } from "~/generated/prisma/client";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { TIER_PRIORITY } from "~/server/engine/engine-deps";
import { ES } from "~/server/engine/execution-state";
import { insertExecutions, loadSubscriptions, recentOrders, type ExecutionRow } from "~/server/engine/fan-out-sql";
import { ruleAlertOf, subscriberRows, type LegContext } from "~/server/engine/subscriber-legs";
import { heldBySubscription } from "~/server/positions/position-ledger";
import type { Held } from "~/server/positions/position-rules";
import { batchJobs } from "~/server/engine/batch-jobs";
import { logger } from "~/server/logger";
import { decideAlert, type Decision } from "~/server/signals/decision";
import { askModelHook, type ModelVerdict } from "~/server/signals/model-hook";
import { reviveAlert } from "~/server/signals/stored-alert";

const FLAT: Held = { side: "flat", size: "0" };

async function marketContext(deps: EngineDeps, exchange: "BINANCE" | "BYBIT", symbol: string) {
  try {
    const loader = await deps.adapter.clients.publicClient(exchange, "LIVE");
    const listed = new Set(Object.keys(loader.markets ?? {}));
    let price: string | null = null;
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
  const alert = reviveAlert(signal.alert);
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
    maxPriceDeviationPct: strategy.maxPriceDeviationPct.toString(),
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
  const orderType = (alert.orderType ?? strategy.defaultOrderType.toLowerCase()) === "limit" ? "LIMIT" : "MARKET";
  const [cooling, held] = await Promise.all([
    strategy.cooldownSeconds > 0 ? recentOrders(deps, subs.map((s) => s.userId), symbol, now, strategy.cooldownSeconds) : new Set<string>(),
    heldBySubscription(deps.db, subs.map((s) => s.id), symbol),
  ]);
  const ctx: LegContext = { signalId: signal.id, symbol, marketType, orderType, alert, rule: ruleAlertOf(alert), now, cooling, cooldownSeconds: strategy.cooldownSeconds };

  const rows: ExecutionRow[] = [];
  const ordered = [...subs].sort((a, b) => TIER_PRIORITY[a.user.tier] - TIER_PRIORITY[b.user.tier] || a.createdAt.getTime() - b.createdAt.getTime());
  for (const sub of ordered) {
    const books = held.get(sub.id);
    const book = (sub.user.tradingMode === "PAPER" ? books?.paper : books?.live) ?? FLAT;
    rows.push(...subscriberRows(sub, book, ctx));
  }
  const queued = rows.filter((r) => r.status === ES.QUEUED);
  const pending = queued.length > 0 || rows.some((r) => r.status === ES.WAITING);
  const jobs = batchJobs(queued, deps.batchSize);
  await deps.db.$transaction(async (tx) => {
    await insertExecutions(tx, rows);
    await tx.signal.update({
      where: { id: signal.id },
      data: {
        status: pending ? "FANNING_OUT" : "DONE",
        decision: decisionJson,
        decidedAt: new Date(),
        completedAt: pending ? null : new Date(),
      },
    });
    await deps.jobs.addInTx(tx, jobs);
  });
  deps.jobs.afterCommit(jobs);
}
