/**
 * The dashboard as onboarding and health: the four first steps (a key, a mode, a subscription, a
 * first order), each exchange's key health, the trading mode, the latest signals and orders, and
 * what needs the user's attention. Read-only; positions and PnL come from positions/ (its own card).
 */
import type { Db } from "~/server/db";
import { FAILED_ATTEMPT, SUCCEEDED } from "~/server/engine/execution-state";
import { EXCHANGE_VALUES } from "~/server/keys/key-service";
import { maskApiKey } from "~/server/vault/mask";
import { userExecutions } from "~/server/strategies/signal-activity";
import { helpLinkForKind } from "~/server/error-catalogue/catalogue";

/** How far back a failed order still "needs attention". */
export const ATTENTION_WINDOW_MS = 24 * 60 * 60 * 1000;
const RECENT = 5;

export type ChecklistStep = "KEY" | "MODE" | "SUBSCRIBE" | "FIRST_ORDER";
export type AttentionKind = "KEY_DISABLED" | "KEY_REJECTED" | "NO_ACTIVE_KEY_LIVE" | "SUBSCRIPTION_KEY" | "ORDERS_FAILED" | "UNPROTECTED";

export interface Attention {
  kind: AttentionKind;
  message: string;
  href: string;
}

export async function dashboardOverview(db: Db, userId: string, now = new Date()) {
  const [user, creds, subs, firstOrder, failed, unprotected] = await Promise.all([
    db.user.findUniqueOrThrow({ where: { id: userId }, select: { tradingMode: true } }),
    db.exchangeCredential.findMany({ where: { userId }, orderBy: [{ exchange: "asc" }, { environment: "asc" }] }),
    db.subscription.findMany({ where: { userId }, include: { strategy: { select: { id: true, name: true } }, credential: { select: { status: true, exchange: true } } } }),
    db.execution.findFirst({ where: { userId, status: { in: [...SUCCEEDED] } }, select: { id: true, paper: true } }),
    db.execution.count({ where: { userId, status: { in: [...FAILED_ATTEMPT] }, queuedAt: { gte: new Date(now.getTime() - ATTENTION_WINDOW_MS) } } }),
    db.position.findMany({ where: { userId, closedAt: null, unprotectedAt: { not: null } }, select: { symbol: true, protectionNote: true }, take: 10 }),
  ]);
  const activeKey = creds.some((c) => c.status === "ACTIVE");
  const checklist: { step: ChecklistStep; done: boolean }[] = [
    { step: "KEY", done: activeKey },
    { step: "MODE", done: user.tradingMode !== "OFF" },
    { step: "SUBSCRIBE", done: subs.length > 0 },
    { step: "FIRST_ORDER", done: firstOrder !== null },
  ];

  const keys = EXCHANGE_VALUES.map((exchange) => ({
    exchange,
    keys: creds
      .filter((c) => c.exchange === exchange)
      .map((c) => ({
        id: c.id,
        environment: c.environment,
        status: c.status,
        apiKeyMasked: maskApiKey(c.apiKey),
        lastVerifiedAt: c.lastVerifiedAt,
        lastError: c.lastError,
        // The balance read at verification: not stored on the credential yet (the key-health work adds it).
        balance: null as { currency: string; amount: string }[] | null,
      })),
  }));

  const attention: Attention[] = [];
  for (const c of creds) {
    if (c.status === "DISABLED" || c.status === "REJECTED")
      attention.push({
        kind: c.status === "DISABLED" ? "KEY_DISABLED" : "KEY_REJECTED",
        message: `Your ${exchangeName(c.exchange)} key (${maskApiKey(c.apiKey)}) is ${c.status}${c.lastError ? `: ${c.lastError}` : "."}`,
        href: "/keys",
      });
  }
  if (user.tradingMode === "PERSONAL") {
    if (!activeKey) attention.push({ kind: "NO_ACTIVE_KEY_LIVE", message: "You trade live but have no ACTIVE key: no order can be placed.", href: "/keys" });
    for (const s of subs.filter((s) => !s.paused && s.credential?.status !== "ACTIVE"))
      attention.push({
        kind: "SUBSCRIPTION_KEY",
        message: s.credential ? `${s.strategy.name} uses a ${s.credential.status} ${exchangeName(s.credential.exchange)} key: its signals are skipped.` : `${s.strategy.name} has no exchange key chosen: its signals are skipped.`,
        href: "/signals",
      });
  }
  if (failed > 0) attention.push({ kind: "ORDERS_FAILED", message: `${failed} order${failed === 1 ? "" : "s"} failed or was rejected in the last 24 hours.`, href: "/signals" });
  for (const p of unprotected)
    attention.push({ kind: "UNPROTECTED", message: `Your ${p.symbol} position has no stop-loss on the exchange${p.protectionNote ? `: ${p.protectionNote}` : "."}`, href: "/positions" });

  const strategyIds = subs.map((s) => s.strategy.id);
  const signals = strategyIds.length
    ? await db.signal.findMany({ where: { strategyId: { in: strategyIds } }, orderBy: { receivedAt: "desc" }, take: RECENT, include: { strategy: { select: { name: true } } } })
    : [];
  const orders = (await userExecutions(db, userId)).slice(0, RECENT);

  return {
    tradingMode: user.tradingMode,
    checklist,
    keys,
    attention,
    subscriptions: subs.length,
    recentSignals: signals.map((s) => ({ id: s.id, strategyName: s.strategy.name, action: s.action, symbol: s.symbol, status: s.status, receivedAt: s.receivedAt })),
    recentOrders: orders.map((o) => ({
      id: o.id, strategyName: o.strategyName, exchange: o.exchange, symbol: o.symbol, side: o.side, status: o.status, paper: o.paper,
      errorKind: o.errorKind, message: o.message, help: helpLinkForKind(o.errorKind), queuedAt: o.queuedAt,
    })),
    firstOrderPaper: firstOrder?.paper ?? null,
  };
}

const exchangeName = (e: string) => (e === "BINANCE" ? "Binance" : "Bybit");
