/** Test fixtures for the engine: users with simulator keys, strategies, subscriptions. Test-only. */
import crypto from "node:crypto";
import type { Db } from "~/server/db";
import { storeCredential } from "~/server/keys/store-credential";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import type { Keyring } from "~/server/vault/keyring";
import { createSimAccount } from "~/sim/ccxt-test-clients";

/** The strategy row, plus `webhookToken`: its URL's token, which the database holds only as a hash. */
export async function makeStrategy(db: Db, over: Partial<{ marketType: "SPOT" | "LINEAR"; allowedSymbols: string[]; cooldownSeconds: number; protection: object }> = {}) {
  return insertStrategy(db, {
    name: `S ${crypto.randomBytes(3).toString("hex")}`,
    allowedSymbols: over.allowedSymbols ?? ["BTC/USDT"],
    marketType: over.marketType ?? "SPOT",
    cooldownSeconds: over.cooldownSeconds ?? 0,
    ...(over.protection ? { protection: over.protection } : {}),
  });
}

export interface Subscriber {
  userId: string;
  apiKey: string;
  credentialId: string | null;
}

/** A user (tier, mode) with an ACTIVE simulator key, subscribed to the strategy. */
export async function makeSubscriber(
  db: Db,
  keyring: Keyring,
  simUrl: string,
  strategyId: string,
  opts: {
    tier?: "PRO" | "FLEX" | "TRIAL";
    exchange?: "BINANCE" | "BYBIT";
    mode?: "PERSONAL" | "PAPER" | "OFF";
    sizing?: number;
    paused?: boolean;
    keyStatus?: "ACTIVE" | "DISABLED";
    trialEndsAt?: Date;
    createdAt?: Date;
    wrongSecret?: boolean;
    /** Spot and futures wallets (default: 100,000 USDT spot). */
    balances?: Record<string, string>;
    futuresBalances?: Record<string, string>;
    /** The subscriber's own protection settings. */
    protection?: object;
    /** The simulator account trades in hedge mode (a long and a short side per symbol). */
    hedgeMode?: boolean;
  } = {},
): Promise<Subscriber & { secret: string }> {
  const exchange = opts.exchange ?? "BYBIT";
  const user = await db.user.create({
    data: {
      email: `sub-${crypto.randomBytes(5).toString("hex")}@example.com`,
      name: "Sub",
      passwordHash: "x",
      tier: opts.tier ?? "PRO",
      trialEndsAt: opts.trialEndsAt ?? (opts.tier === "TRIAL" ? new Date(Date.now() + 86_400_000) : null),
      tradingMode: opts.mode ?? "PERSONAL",
    },
  });
  const acct = await createSimAccount(simUrl, {
    exchange: exchange.toLowerCase() as "bybit",
    balances: opts.balances ?? { USDT: "100000" },
    ...(opts.futuresBalances ? { futuresBalances: opts.futuresBalances } : {}),
    ...(opts.hedgeMode ? { hedgeMode: true } : {}),
  });
  const secret = opts.wrongSecret ? acct.secret.slice(0, -1) + (acct.secret.endsWith("A") ? "B" : "A") : acct.secret;
  const cred = await db.$transaction((tx) => storeCredential(tx, keyring, user.id, { exchange, apiKey: acct.apiKey, apiSecret: secret }));
  await db.exchangeCredential.update({
    where: { id: cred.id },
    data: { status: opts.keyStatus ?? "ACTIVE", canRead: true, canTrade: true, canFutures: true },
  });
  await db.subscription.create({
    data: { userId: user.id, strategyId, credentialId: cred.id, sizingMode: "FIXED_QUOTE", sizingValue: opts.sizing ?? 50, paused: opts.paused ?? false, createdAt: opts.createdAt,
      ...(opts.protection ? { protection: opts.protection } : {}),
    },
  });
  return { userId: user.id, apiKey: acct.apiKey, credentialId: cred.id, secret: acct.secret };
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
