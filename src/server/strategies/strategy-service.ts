/**
 * Strategies (admin) and subscriptions (users). A strategy's webhook token is a long random
 * secret in its URL, stored only as a hash and shown once (webhook-token.ts); rotating it
 * invalidates the old URL at once.
 */
import { z } from "zod";
import { writeAudit } from "~/server/audit/write-audit";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import { protectionSettings } from "~/server/positions/protection/protection-settings";
import { alertTemplate, alertTemplates } from "~/server/signals/alert-template";
import { forgetWebhookStrategy } from "~/server/signals/webhook-cache";
import { readStrategyProtection, readSubscriptionProtection, subscriptionProtectionValue } from "~/server/strategies/protection-service";
import { issueWebhookToken, maskedWebhookPath, webhookPath } from "~/server/strategies/webhook-token";

const symbolSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{1,15}\/[A-Z0-9]{1,10}$/, "symbols look like BTC/USDT");

export const strategyInput = z.object({
  name: z.string({ error: "name is required" }).trim().min(1, "name is required").max(80, "name must be at most 80 characters"),
  description: z.string({ error: "description must be text" }).trim().max(500, "description must be at most 500 characters").default(""),
  allowedSymbols: z.array(symbolSchema, { error: "allowedSymbols must be a list like [\"BTC/USDT\"]" }).min(1, "allow at least one symbol, e.g. BTC/USDT").max(100),
  marketType: z.enum(["SPOT", "LINEAR"], { error: "marketType must be SPOT or LINEAR" }),
  defaultOrderType: z.enum(["MARKET", "LIMIT"], { error: "defaultOrderType must be MARKET or LIMIT" }).default("MARKET"),
  enabled: z.boolean().default(true),
  allowedIps: z.array(z.ipv4({ error: "allowedIps must be IPv4 addresses" })).max(20, "allowedIps: at most 20 addresses").default([]),
  rateLimitPerMinute: z.number({ error: "rateLimitPerMinute must be a whole number from 1 to 10000" }).int("rateLimitPerMinute must be a whole number from 1 to 10000").min(1, "rateLimitPerMinute must be at least 1").max(10_000, "rateLimitPerMinute must be at most 10000").default(120),
  maxPriceDeviationPct: z.number({ error: "maxPriceDeviationPct must be a number from 0.1 to 50" }).min(0.1, "maxPriceDeviationPct must be at least 0.1").max(50, "maxPriceDeviationPct must be at most 50").default(2),
  cooldownSeconds: z.number({ error: "cooldownSeconds must be a whole number from 0 to 86400" }).int("cooldownSeconds must be a whole number of seconds").min(0, "cooldownSeconds must be 0 or more").max(86_400, "cooldownSeconds must be at most 86400 (a day)").default(0),
});

/** TradingView's published webhook source IPs, offered as the allowlist preset. */
export const TRADINGVIEW_IPS = ["52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7"];

/** Every strategy, oldest first, as admins see them (the webhook URL only as its hint). */
export async function listStrategies(db: Db) {
  const [rows, last] = await Promise.all([
    db.strategy.findMany({ orderBy: { createdAt: "asc" }, include: { _count: { select: { subscriptions: true } } } }),
    db.signal.groupBy({ by: ["strategyId"], where: { test: false }, _max: { receivedAt: true } }),
  ]);
  const lastAt = new Map(last.map((l) => [l.strategyId, l._max.receivedAt]));
  return rows.map((s) => ({ ...strategyAdminView(s), subscriberCount: s._count.subscriptions, lastAlertAt: lastAt.get(s.id) ?? null }));
}

/** What a user may subscribe to (no webhook tokens), with the user's own subscription if any. */
export async function availableStrategies(db: Db, userId: string) {
  // Archived strategies are hidden, except to their subscribers (who may still pause or leave them).
  const rows = await db.strategy.findMany({ where: { OR: [{ archivedAt: null }, { subscriptions: { some: { userId } } }] }, orderBy: { createdAt: "asc" }, include: { subscriptions: { where: { userId } } } });
  return rows.map((s) => {
    const sub = s.subscriptions[0];
    return {
      id: s.id, name: s.name, description: s.description, allowedSymbols: s.allowedSymbols, marketType: s.marketType, enabled: s.enabled, archived: s.archivedAt !== null,
      protection: readStrategyProtection(s.protection),
      subscription: sub
        ? {
            id: sub.id, strategyId: s.id, credentialId: sub.credentialId, sizingMode: sub.sizingMode, sizingValue: Number(sub.sizingValue), leverageCap: sub.leverageCap,
            leverage: sub.leverage, marginMode: sub.marginMode, maxNotional: sub.maxNotional === null ? null : Number(sub.maxNotional), paused: sub.paused, protection: readSubscriptionProtection(sub.protection),
          }
        : null,
    };
  });
}

/** A strategy and its webhook URL's path: the only time the token is returned (never stored, logged or shown again). */
export interface StrategyWithWebhook<S> {
  strategy: S;
  webhookPath: string;
}

export async function createStrategy(db: Db, actor: { id: string; meta: RequestMeta | null }, raw: z.input<typeof strategyInput>) {
  const input = strategyInput.parse(raw);
  const issued = issueWebhookToken();
  const strategy = await db.$transaction(async (tx) => {
    const s = await tx.strategy.create({ data: { ...input, ...issued.stored, createdById: actor.id } });
    await writeAudit(tx, { action: "strategy.create", outcome: "SUCCESS", actorId: actor.id, targetType: "strategy", targetId: s.id, meta: actor.meta, details: { name: s.name } });
    return s;
  });
  return { strategy, webhookPath: webhookPath(issued.token) };
}

/** Any settings of a strategy; only the fields sent change (a partial schema: no defaults filled in). */
export const strategyPatch = strategyInput.partial().transform((patch) => Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<z.output<typeof strategyInput>>);

export async function updateStrategy(db: Db, actor: { id: string; meta: RequestMeta | null }, id: string, raw: Partial<z.input<typeof strategyInput>>) {
  const input = strategyPatch.parse(raw);
  const s = await db.$transaction(async (tx) => {
    const before = await tx.strategy.findUnique({ where: { id } });
    if (!before) throw new AppError("NOT_FOUND", "No such strategy: reload the Strategies page.", { field: "id" });
    if (before.archivedAt) throw new AppError("CONFLICT", "This strategy is archived: its settings can no longer change.", { field: "id" });
    const s = await tx.strategy.update({ where: { id }, data: input });
    const changed = Object.keys(input).filter((k) => JSON.stringify((before as Record<string, unknown>)[k]?.toString()) !== JSON.stringify((s as Record<string, unknown>)[k]?.toString()));
    const action = changed.length === 1 && changed[0] === "enabled" ? (s.enabled ? "strategy.enable" : "strategy.disable") : "strategy.update";
    await writeAudit(tx, { action, outcome: "SUCCESS", actorId: actor.id, targetType: "strategy", targetId: id, meta: actor.meta, details: { changed } });
    return s;
  });
  // The webhook reads enabled and the IP allowlist from its cache: drop it so the change holds at once here.
  forgetWebhookStrategy(s.id);
  return s;
}

/** Archive ("delete"): the webhook refuses, subscribers stop seeing it; signals, executions and positions stay. */
export async function archiveStrategy(db: Db, actor: { id: string; meta: RequestMeta | null }, id: string) {
  const s = await db.$transaction(async (tx) => {
    const r = await tx.strategy.updateMany({ where: { id, archivedAt: null }, data: { archivedAt: new Date(), enabled: false } });
    if (r.count === 0) throw new AppError("NOT_FOUND", "No such strategy, or it is already archived: reload the Strategies page.", { field: "id" });
    const s = await tx.strategy.findUniqueOrThrow({ where: { id } });
    await writeAudit(tx, { action: "strategy.archive", outcome: "SUCCESS", actorId: actor.id, targetType: "strategy", targetId: id, meta: actor.meta, details: { name: s.name } });
    return s;
  });
  forgetWebhookStrategy(s.id);
  return s;
}

/** A new token for the strategy: the old URL stops working at once; the new one is returned once. */
export async function rotateWebhookToken(db: Db, actor: { id: string; meta: RequestMeta | null }, id: string) {
  const issued = issueWebhookToken();
  const strategy = await db.$transaction(async (tx) => {
    const s = await tx.strategy.update({ where: { id }, data: issued.stored }).catch(() => {
      throw new AppError("NOT_FOUND", "No such strategy: reload the Strategies page.", { field: "id" });
    });
    await writeAudit(tx, { action: "strategy.rotate_token", outcome: "SUCCESS", actorId: actor.id, targetType: "strategy", targetId: id, meta: actor.meta, details: { hint: s.webhookTokenHint } });
    return s;
  });
  forgetWebhookStrategy(strategy.id);
  return { strategy, webhookPath: webhookPath(issued.token) };
}

export function strategyAdminView(s: { id: string; name: string; description: string; archivedAt: Date | null; allowedSymbols: string[]; marketType: string; defaultOrderType: string; enabled: boolean; webhookTokenHint: string; allowedIps: string[]; rateLimitPerMinute: number; cooldownSeconds: number; maxPriceDeviationPct: unknown; protection: unknown; createdAt: Date }) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    archivedAt: s.archivedAt,
    allowedSymbols: s.allowedSymbols,
    marketType: s.marketType as "SPOT" | "LINEAR",
    defaultOrderType: s.defaultOrderType as "MARKET" | "LIMIT",
    enabled: s.enabled,
    webhookHint: s.webhookTokenHint,
    maskedWebhookPath: maskedWebhookPath(s.webhookTokenHint),
    alertTemplate: alertTemplate(),
    templates: alertTemplates(),
    allowedIps: s.allowedIps,
    rateLimitPerMinute: s.rateLimitPerMinute,
    cooldownSeconds: s.cooldownSeconds,
    maxPriceDeviationPct: Number(s.maxPriceDeviationPct),
    protection: readStrategyProtection(s.protection),
    createdAt: s.createdAt,
  };
}

export const subscriptionInput = z.object({
  strategyId: z.string({ error: "strategyId is required" }).min(1),
  credentialId: z.string().min(1).nullable().default(null),
  sizingMode: z.enum(["FIXED_QUOTE", "PERCENT_BALANCE", "FIXED_BASE", "CONTRACTS_MULTIPLIER"], { error: "sizingMode must be FIXED_QUOTE, PERCENT_BALANCE, FIXED_BASE or CONTRACTS_MULTIPLIER" }),
  sizingValue: z.number({ error: "sizingValue must be a number" }).positive("sizingValue must be greater than 0").max(1e12),
  leverageCap: z.number().int().min(1).max(125).nullable().default(null),
  /** Perpetuals: leverage when the alert names none (at most leverageCap), and the margin mode set before entries; null: the account's own. */
  leverage: z.number({ error: "leverage must be a whole number from 1 to 125" }).int("leverage must be a whole number from 1 to 125").min(1, "leverage must be at least 1").max(125, "leverage must be at most 125").nullable().default(null),
  marginMode: z.enum(["ISOLATED", "CROSS"], { error: "marginMode must be ISOLATED or CROSS (or empty: the account's own)" }).nullable().default(null),
  maxNotional: z.number().positive().nullable().default(null),
  paused: z.boolean().default(false),
  /** The subscriber's own protective-order settings; null: the strategy's; left out: unchanged. */
  protection: protectionSettings.nullable().optional(),
});

export async function subscribe(db: Db, user: { id: string; meta: RequestMeta | null }, raw: z.input<typeof subscriptionInput>) {
  const input = subscriptionInput.parse(raw);
  if (input.sizingMode === "PERCENT_BALANCE" && input.sizingValue > 100) {
    throw new AppError("BAD_INPUT", "A percentage of the balance must be at most 100.", { field: "sizingValue" });
  }
  if (input.leverage !== null && input.leverageCap !== null && input.leverage > input.leverageCap) {
    throw new AppError("BAD_INPUT", `leverage ${input.leverage} is above your leverage cap of ${input.leverageCap}; lower it or raise the cap.`, { field: "leverage" });
  }
  const strategy = await db.strategy.findUnique({ where: { id: input.strategyId } });
  if (!strategy) throw new AppError("NOT_FOUND", "No such strategy.", { field: "strategyId" });
  if (strategy.archivedAt) throw new AppError("CONFLICT", "This strategy is archived: it takes no new subscriptions or changes.", { field: "strategyId" });
  if (input.credentialId) {
    const own = await db.exchangeCredential.findFirst({ where: { id: input.credentialId, userId: user.id } });
    if (!own) throw new AppError("NOT_FOUND", "No such key among yours; pick one from the Keys page.", { field: "credentialId" });
  }
  const { protection: own, ...rest } = input;
  const protection = subscriptionProtectionValue(strategy.protection, own);
  const data = { ...rest, userId: user.id, ...(protection === undefined ? {} : { protection }) };
  return db.$transaction(async (tx) => {
    const sub = await tx.subscription.upsert({
      where: { userId_strategyId: { userId: user.id, strategyId: input.strategyId } },
      create: data,
      update: data,
    });
    await writeAudit(tx, { action: "subscription.save", outcome: "SUCCESS", actorId: user.id, targetType: "subscription", targetId: sub.id, meta: user.meta, details: { strategyId: input.strategyId, sizingMode: input.sizingMode, paused: input.paused, protection: own === undefined ? "unchanged" : own === null ? "strategy" : "own" } });
    return sub;
  });
}

export async function setPaused(db: Db, user: { id: string; meta: RequestMeta | null }, subscriptionId: string, paused: boolean) {
  return db.$transaction(async (tx) => {
    const r = await tx.subscription.updateMany({ where: { id: subscriptionId, userId: user.id }, data: { paused } });
    if (r.count === 0) throw new AppError("NOT_FOUND", "No such subscription.");
    await writeAudit(tx, { action: paused ? "subscription.pause" : "subscription.resume", outcome: "SUCCESS", actorId: user.id, targetType: "subscription", targetId: subscriptionId, meta: user.meta });
    return { id: subscriptionId, paused };
  });
}

export async function unsubscribe(db: Db, user: { id: string; meta: RequestMeta | null }, subscriptionId: string) {
  return db.$transaction(async (tx) => {
    const r = await tx.subscription.deleteMany({ where: { id: subscriptionId, userId: user.id } });
    if (r.count === 0) throw new AppError("NOT_FOUND", "No such subscription.");
    await writeAudit(tx, { action: "subscription.delete", outcome: "SUCCESS", actorId: user.id, targetType: "subscription", targetId: subscriptionId, meta: user.meta });
    return { id: subscriptionId, deleted: true as const };
  });
}
