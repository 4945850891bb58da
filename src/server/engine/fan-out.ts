/**
 * process_signal: the decision step, then in ONE transaction the executions of every subscriber
 * (the legs their position calls for, or a recorded reason why none) and the jobs that place
 * them, PRO before FLEX before TRIAL, then by subscription age. Subscribers are read and written a
 * page at a time (FAN_OUT_PAGE), so memory stays flat however many follow the strategy.
 * Idempotent: a re-run finds the signal decided.
 */
import type { Prisma } from "~/generated/prisma/client";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { TIER_PRIORITY } from "~/server/engine/engine-deps";
import { ES } from "~/server/engine/execution-state";
import { insertExecutions, loadSubscriptionPage, primaryExchange, recentOrders, type ExecutionRow, type SubscriberCursor } from "~/server/engine/fan-out-sql";
import type { JobSpec } from "~/server/jobs/job-types";
import { ruleAlertOf, skipReason, subscriberRows, tradesPaper, type LegContext } from "~/server/engine/subscriber-legs";
import { breakEvenPage } from "~/server/positions/protection/break-even-alert";
import { heldBySubscription } from "~/server/positions/position-ledger";
import { activeHalts } from "~/server/halts/halts";
import type { Held } from "~/server/positions/position-rules";
import { batchJobs } from "~/server/engine/batch-jobs";
import { logger } from "~/server/logger";
import { notifyOrdersJob, notifySignalRejectedJob } from "~/server/notifications/engine-events";
import { decideAlert, type Decision } from "~/server/signals/decision";
import { pruneDeliveriesSometimes } from "~/server/signals/delivery-log";
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

  // The rules need the market: ask the exchange most subscribers trade on (no call happened before the webhook answered).
  const primary = await primaryExchange(deps.db, strategy.id);
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
    // Its subscribers are told why, by a job of its own (a page of them at a time).
    const tell = [notifySignalRejectedJob(signal.id)];
    await deps.db.$transaction(async (tx) => {
      await tx.signal.update({ where: { id: signal.id }, data: { status: "REJECTED", decision: decisionJson, decidedAt: new Date(), completedAt: new Date() } });
      await deps.jobs.addInTx(tx, tell);
    });
    deps.jobs.afterCommit(tell);
    return;
  }

  const symbol = decision.symbol;
  const orderType = (alert.orderType ?? strategy.defaultOrderType.toLowerCase()) === "limit" ? "LIMIT" : "MARKET";
  const after: JobSpec[] = [];
  const page = deps.fanOutPage ?? FAN_OUT_PAGE;
  // Operator halts, read once per signal (a test alert trades paper only: no halt applies). A halt
  // committed after this read is caught before the send (engine/send-order.ts).
  const halts = signal.test ? [] : await activeHalts(deps.sql);
  // On the direct SQL path (Database.sql): a 1,000-row page of executions is one 300 KB JSON
  // parameter, which Prisma's raw path would serialise and parse back before sending.
  await deps.sql.$transaction(async (tx) => {
    let cursor: SubscriberCursor = null;
    let pending = false;
    for (;;) {
      const subs = await loadSubscriptionPage(tx, strategy.id, cursor, page);
      if (subs.length === 0) break;
      const [cooling, held] = await Promise.all([
        strategy.cooldownSeconds > 0 ? recentOrders(deps, subs.map((s) => s.userId), symbol, now, strategy.cooldownSeconds) : new Set<string>(),
        heldBySubscription(tx, subs.map((s) => s.id), symbol),
      ]);
      // A break-even alert moves the stops of those who may trade now (live books only: a test alert moves none); it places no order.
      const breakEven = alert.action === "breakeven" ? await breakEvenPage(tx, signal.test ? [] : subs.filter((s) => skipReason(s, now, signal.test) === null).map((s) => s.id), symbol, market.price) : null;
      const ctx: LegContext = {
        signalId: signal.id, symbol, marketType, orderType, alert, rule: ruleAlertOf(alert), now, cooling, cooldownSeconds: strategy.cooldownSeconds, test: signal.test, breakEven: breakEven?.messages,
        strategyId: strategy.id, halts,
      };
      const rows: ExecutionRow[] = [];
      for (const sub of subs) {
        const books = held.get(sub.id);
        const book = (tradesPaper(sub, signal.test) ? books?.paper : books?.live) ?? FLAT;
        rows.push(...subscriberRows(sub, book, ctx));
      }
      const queued = rows.filter((r) => r.status === ES.QUEUED);
      pending ||= queued.length > 0 || rows.some((r) => r.status === ES.WAITING);
      const jobs = [...batchJobs(queued, deps.batchSize), ...(breakEven?.jobs ?? [])];
      // Subscribers skipped here (with the reason) are told by one job per page, after every order job.
      const skipped = rows.filter((r) => r.status === ES.SKIPPED).map((r) => r.id);
      if (skipped.length) jobs.push(notifyOrdersJob(skipped));
      await insertExecutions(tx, rows, now);
      await deps.jobs.addInTx(tx, jobs);
      after.push(...jobs);
      const last = subs.at(-1)!;
      cursor = { rank: TIER_PRIORITY[last.user.tier], createdAt: last.createdAt, id: last.id };
      if (subs.length < page) break;
    }
    await tx.$executeRawUnsafe(
      `UPDATE "Signal" SET status = $2::"SignalStatus", decision = $3::jsonb, "decidedAt" = $4::timestamp(3),
              "completedAt" = CASE WHEN $2 = 'DONE' THEN $4::timestamp(3) END WHERE id = $1`,
      signal.id,
      pending ? "FANNING_OUT" : "DONE",
      JSON.stringify(decisionJson),
      new Date().toISOString(),
    );
  });
  deps.jobs.afterCommit(after);
  // The delivery log's retention, here rather than on the webhook's answer path (at most once a minute per process).
  await pruneDeliveriesSometimes(deps.db).catch((err: unknown) => logger.warn({ err }, "webhook delivery log prune failed"));
}

/** Subscribers read, decided and written per page of the fan-out. */
export const FAN_OUT_PAGE = 2_000;
