/**
 * What users do with their exchange keys: save (and verify at once), verify, status, delete,
 * and the trading mode that depends on them. Every change and its audit row share a transaction.
 * Another user's key is reported as not found (never forbidden), so keys cannot be enumerated.
 */
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import type { Exchange, ExchangeEnvironment, TradingMode } from "~/generated/prisma/enums";
import { writeAudit } from "~/server/audit/write-audit";
import { assertMayTradeLive, isCohortRefusal } from "~/server/cohorts/cohort-settings";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { PROFILES } from "~/server/exchanges/profiles";
import type { RequestMeta } from "~/server/http/request-meta";
import type { JobSink } from "~/server/jobs/job-sink";
import { notifySecurityEvent } from "~/server/mail/security-notices";
import { storeCredential } from "~/server/keys/store-credential";
import { verifyCredential, type VerificationResult } from "~/server/keys/verify-credential";
import type { Keyring } from "~/server/vault/keyring";
import { decStr } from "~/server/money/decimal";
import { maskApiKey } from "~/server/vault/mask";
import { helpAnchorForKind } from "~/server/error-catalogue/catalogue";

export interface KeyContext {
  db: Db;
  adapter: ExchangeAdapter;
  keyring: Keyring;
  userId: string;
  meta: RequestMeta | null;
  egressIps: readonly string[];
  /** REQUIRE_KEY_IP_RESTRICTION: refuse keys the exchange reports as usable from any IP. */
  requireIpRestriction?: boolean;
  /** Where a "key disabled" notification's deliveries are queued (none: the bell only). */
  jobs?: JobSink | null;
}

export const EXCHANGE_VALUES = ["BINANCE", "BYBIT"] as const;
export const ENVIRONMENT_VALUES = ["LIVE", "TESTNET", "DEMO"] as const;

/** `:exchange` as users type it (bybit, Binance, BYBIT); anything else names the allowed values. */
export const exchangeParam = z
  .string({ error: "exchange is required: use binance or bybit" })
  .transform((v, ctx) => {
    const up = v.trim().toUpperCase();
    if (up === "BINANCE" || up === "BYBIT") return up as Exchange;
    ctx.addIssue({ code: "custom", message: "exchange must be one of: binance, bybit" });
    return z.NEVER;
  });

export const environmentParam = z.enum(ENVIRONMENT_VALUES, { error: "environment must be one of: LIVE, TESTNET, DEMO" });

export const credentialView = z.object({
  id: z.string(),
  exchange: z.enum(EXCHANGE_VALUES),
  environment: z.enum(ENVIRONMENT_VALUES),
  label: z.string().nullable(),
  apiKeyMasked: z.string(),
  status: z.enum(["UNVERIFIED", "ACTIVE", "DISABLED", "REJECTED"]),
  permissions: z.object({ read: z.boolean(), trade: z.boolean(), futures: z.boolean(), withdraw: z.boolean() }),
  /** false when the permissions could not be read (never verified, or the exchange refused the key since): show them as unknown. */
  permissionsKnown: z.boolean(),
  ipRestricted: z.boolean(),
  /** The addresses the exchange binds the key to, when it lists them (Bybit); empty for unbound keys and for Binance. */
  boundIps: z.array(z.string()),
  /** When the exchange says the key (or its trading permission) expires; null: no expiry reported. */
  expiresAt: z.date().nullable(),
  /** The quote-currency balance read at the last verification that reached the exchange. */
  balance: z.object({ amount: z.string(), currency: z.string(), readAt: z.date() }).nullable(),
  lastVerifiedAt: z.date().nullable(),
  lastError: z.string().nullable(),
  /** The last error's entry in the troubleshooting guide (docs/troubleshooting.md, /help/troubleshooting). */
  lastErrorHelp: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type CredentialView = z.infer<typeof credentialView>;

export const verificationView = z.object({
  status: z.enum(["UNVERIFIED", "ACTIVE", "DISABLED", "REJECTED"]),
  ok: z.boolean(),
  message: z.string().nullable(),
  warnings: z.array(z.string()),
  errorKind: z.string().nullable(),
});

type CredentialRow = Prisma.ExchangeCredentialGetPayload<object>;

export function toView(c: CredentialRow): CredentialView {
  return {
    id: c.id,
    exchange: c.exchange,
    environment: c.environment,
    label: c.label,
    apiKeyMasked: maskApiKey(c.apiKey),
    status: c.status,
    permissions: { read: c.canRead, trade: c.canTrade, futures: c.canFutures, withdraw: c.canWithdraw },
    permissionsKnown: c.permissionsReadAt !== null,
    ipRestricted: c.ipRestricted,
    boundIps: c.boundIps,
    expiresAt: c.expiresAt,
    balance: c.balance !== null && c.balanceCurrency !== null && c.balanceAt !== null ? { amount: decStr(c.balance), currency: c.balanceCurrency, readAt: c.balanceAt } : null,
    lastVerifiedAt: c.lastVerifiedAt,
    lastError: c.lastError,
    lastErrorHelp: c.lastError ? helpAnchorForKind(c.lastErrorKind) : null,
    consecutiveFailures: c.consecutiveFailures,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

function verifyOptions(ctx: KeyContext) {
  return { actorId: ctx.userId, meta: ctx.meta, egressIps: ctx.egressIps, requireIpRestriction: ctx.requireIpRestriction ?? false, jobs: ctx.jobs ?? null };
}

function verificationOf(r: VerificationResult) {
  return { status: r.status, ok: r.ok, message: r.message, warnings: r.warnings, errorKind: r.errorKind };
}

/** Saves (or replaces) the user's key for an exchange + environment, then verifies it at once. */
export async function saveKey(
  ctx: KeyContext,
  exchange: Exchange,
  body: { apiKey?: unknown; apiSecret?: unknown; environment?: unknown; label?: unknown },
) {
  const saved = await ctx.db.$transaction(async (tx) => {
    const row = await storeCredential(tx, ctx.keyring, ctx.userId, { ...body, exchange });
    await writeAudit(tx, {
      action: "key.save",
      outcome: "SUCCESS",
      actorId: ctx.userId,
      targetType: "credential",
      targetId: row.id,
      meta: ctx.meta,
      details: { exchange, environment: row.environment, apiKey: maskApiKey(row.apiKey) },
    });
    return row;
  });
  ctx.adapter.clients.evict(saved.id);
  notifySecurityEvent(ctx.db, ctx.userId, { kind: "exchange_key_added", exchange, environment: saved.environment, apiKeyMasked: maskApiKey(saved.apiKey) });
  const verification = await verifyCredential(ctx.db, ctx.adapter, saved.id, verifyOptions(ctx));
  const fresh = await ctx.db.exchangeCredential.findUniqueOrThrow({ where: { id: saved.id } });
  return { credential: toView(fresh), verification: verificationOf(verification) };
}

/** The user's key for an exchange; with several environments the caller must say which. */
async function findOwnKey(ctx: KeyContext, exchange: Exchange, environment?: ExchangeEnvironment) {
  const rows = await ctx.db.exchangeCredential.findMany({
    where: { userId: ctx.userId, exchange, ...(environment ? { environment } : {}) },
    orderBy: { createdAt: "asc" },
  });
  const name = PROFILES[exchange].label;
  if (rows.length === 0) {
    throw new AppError("NOT_FOUND", `No ${name} key${environment ? ` for ${environment}` : ""} is connected. Save one first.`);
  }
  if (rows.length > 1) {
    throw new AppError("BAD_INPUT", `You have ${name} keys for ${rows.map((r) => r.environment).join(" and ")}: say which with environment.`, {
      field: "environment",
    });
  }
  return rows[0]!;
}

export async function verifyKey(ctx: KeyContext, exchange: Exchange, environment?: ExchangeEnvironment) {
  const row = await findOwnKey(ctx, exchange, environment);
  const verification = await verifyCredential(ctx.db, ctx.adapter, row.id, verifyOptions(ctx));
  const fresh = await ctx.db.exchangeCredential.findUniqueOrThrow({ where: { id: row.id } });
  return { credential: toView(fresh), verification: verificationOf(verification) };
}

export async function keyStatus(ctx: Pick<KeyContext, "db" | "userId">, exchange: Exchange) {
  const rows = await ctx.db.exchangeCredential.findMany({ where: { userId: ctx.userId, exchange }, orderBy: { environment: "asc" } });
  return { exchange, connected: rows.length > 0, keys: rows.map(toView) };
}

export async function allKeyStatus(ctx: Pick<KeyContext, "db" | "userId">) {
  const rows = await ctx.db.exchangeCredential.findMany({ where: { userId: ctx.userId }, orderBy: [{ exchange: "asc" }, { environment: "asc" }] });
  const user = await ctx.db.user.findUniqueOrThrow({ where: { id: ctx.userId }, select: { tradingMode: true } });
  return {
    tradingMode: user.tradingMode,
    exchanges: EXCHANGE_VALUES.map((exchange) => {
      const keys = rows.filter((r) => r.exchange === exchange).map(toView);
      return { exchange, connected: keys.length > 0, keys };
    }),
  };
}

/** Verification history (newest first) for the status page. */
export async function keyHistory(ctx: Pick<KeyContext, "db" | "userId">, limit = 20) {
  const creds = await ctx.db.exchangeCredential.findMany({
    where: { userId: ctx.userId },
    orderBy: [{ exchange: "asc" }, { environment: "asc" }],
    include: { checks: { orderBy: { createdAt: "desc" }, take: limit } },
  });
  return creds.map((c) => ({
    credential: toView(c),
    checks: c.checks.map((k) => ({
      id: k.id,
      at: k.createdAt,
      status: k.status,
      ok: k.ok,
      errorKind: k.errorKind,
      message: k.message,
      permissions: { read: k.canRead, trade: k.canTrade, futures: k.canFutures, withdraw: k.canWithdraw },
      ipRestricted: k.ipRestricted,
      durationMs: k.durationMs,
    })),
  }));
}

export async function deleteKey(ctx: KeyContext, exchange: Exchange, environment?: ExchangeEnvironment) {
  const row = await findOwnKey(ctx, exchange, environment);
  await ctx.db.$transaction(async (tx) => {
    await tx.exchangeCredential.delete({ where: { id: row.id } });
    await writeAudit(tx, {
      action: "key.delete",
      outcome: "SUCCESS",
      actorId: ctx.userId,
      targetType: "credential",
      targetId: row.id,
      meta: ctx.meta,
      details: { exchange, environment: row.environment, apiKey: maskApiKey(row.apiKey) },
    });
  });
  ctx.adapter.clients.evict(row.id);
  notifySecurityEvent(ctx.db, ctx.userId, { kind: "exchange_key_deleted", exchange, environment: row.environment, apiKeyMasked: maskApiKey(row.apiKey) });
  return { deleted: true as const, exchange, environment: row.environment };
}

export const POOLED_REFUSAL = "pooled trading is not offered: every user trades with their own keys";

/** PERSONAL / PAPER / OFF. POOLED and HYBRID get their own refusal; PERSONAL needs an ACTIVE key. */
export const tradingModeInput = z.object({
  mode: z
    .string({ error: "mode is required: PERSONAL, PAPER or OFF" })
    .transform((v, ctx) => {
      const up = v.trim().toUpperCase();
      if (up === "PERSONAL" || up === "PAPER" || up === "OFF") return up as TradingMode;
      ctx.addIssue({
        code: "custom",
        message: up === "POOLED" || up === "HYBRID" ? POOLED_REFUSAL : "mode must be one of: PERSONAL, PAPER, OFF",
      });
      return z.NEVER;
    }),
});

/** Refused outside the live-trading cohort (src/server/cohorts), audited DENIED like a missing key. */
const auditCohortRefusal = (ctx: Pick<KeyContext, "db" | "userId" | "meta">, err: AppError) =>
  writeAudit(ctx.db, { action: "user.trading_mode", outcome: "DENIED", actorId: ctx.userId, meta: ctx.meta, details: { mode: "PERSONAL", reason: "outside_live_cohort", cohort: String(err.details?.cohort ?? "") } });

export async function setTradingMode(ctx: Pick<KeyContext, "db" | "userId" | "meta">, mode: TradingMode) {
  if (mode === "PERSONAL") {
    // The cohort first: no point asking for a key to someone who may not trade live yet.
    try {
      await assertMayTradeLive(ctx.db, ctx.userId);
    } catch (err) {
      if (isCohortRefusal(err)) await auditCohortRefusal(ctx, err);
      throw err;
    }
    const active = await ctx.db.exchangeCredential.count({ where: { userId: ctx.userId, status: "ACTIVE" } });
    if (active === 0) {
      // Outside any transaction: the refusal itself must stay on record.
      await writeAudit(ctx.db, { action: "user.trading_mode", outcome: "DENIED", actorId: ctx.userId, meta: ctx.meta, details: { mode, reason: "no_active_key" } });
      throw new AppError(
        "CONFLICT",
        "PERSONAL trading needs at least one ACTIVE exchange key: connect and verify a Binance or Bybit key on the Keys page, then switch again.",
        { field: "mode" },
      );
    }
  }
  try {
    return await ctx.db.$transaction(async (tx) => {
      // Checked again under lock: a cohort shrinking meanwhile either sees this switch or is seen by it.
      if (mode === "PERSONAL") await assertMayTradeLive(tx, ctx.userId, { lock: true });
      const before = await tx.user.findUniqueOrThrow({ where: { id: ctx.userId }, select: { tradingMode: true } });
      await tx.user.update({ where: { id: ctx.userId }, data: { tradingMode: mode } });
      await writeAudit(tx, {
        action: "user.trading_mode",
        outcome: "SUCCESS",
        actorId: ctx.userId,
        targetType: "user",
        targetId: ctx.userId,
        meta: ctx.meta,
        details: { from: before.tradingMode, to: mode },
      });
      return { mode, previous: before.tradingMode };
    });
  } catch (err) {
    if (isCohortRefusal(err)) await auditCohortRefusal(ctx, err);
    throw err;
  }
}
