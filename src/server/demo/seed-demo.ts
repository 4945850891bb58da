/**
 * The demo's data, idempotent: accounts are upserted, keys re-created on the (in-memory)
 * simulator and re-verified, the strategy found by name, subscriptions upserted. The webhook URL
 * is shown once and only its hash is stored, so a re-run rotates the existing strategy's URL to
 * print a working one (the previous demo URL stops working).
 */
import type { Db } from "~/server/db";
import { createOrUpdateUser } from "~/server/auth/users";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { storeCredential } from "~/server/keys/store-credential";
import { disableAfterAuthFailure, verifyCredential } from "~/server/keys/verify-credential";
import { getKeyring } from "~/server/vault/process-keyring";
import { createStrategy, rotateWebhookToken } from "~/server/strategies/strategy-service";
import { seedSatisfactionSamples } from "~/server/satisfaction/satisfaction-samples";

export const DEMO_PASSWORD = "keyrelay-demo-1";
export const DEMO_STRATEGY = "Demo: BTC trend";
const USERS = [
  { email: "pro@demo.keyrelay", tier: "PRO" as const, exchange: "BYBIT" as const },
  { email: "flex@demo.keyrelay", tier: "FLEX" as const, exchange: "BINANCE" as const },
  { email: "trial@demo.keyrelay", tier: "TRIAL" as const, exchange: "BYBIT" as const },
];

async function sim<T>(base: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function seedDemo(db: Db, opts: { simulatorUrl: string }) {
  const keyring = getKeyring();
  const adapter = new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: opts.simulatorUrl }), {
    onAuthFailure: (cred, err) => disableAfterAuthFailure(db, cred.id, err.message),
  });
  const price = 65000;
  for (const exchange of ["binance", "bybit"]) await sim(opts.simulatorUrl, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: String(price) });

  const admin = (await createOrUpdateUser(db, { email: "admin@demo.keyrelay", password: DEMO_PASSWORD, name: "Demo Admin", admin: true, tier: "PRO" })).user;
  const actor = { id: admin.id, meta: null };
  const existing = await db.strategy.findFirst({ where: { name: DEMO_STRATEGY }, select: { id: true } });
  const { strategy, webhookPath } = existing
    ? await rotateWebhookToken(db, actor, existing.id)
    : await createStrategy(db, actor, { name: DEMO_STRATEGY, allowedSymbols: ["BTC/USDT", "ETH/USDT"], marketType: "SPOT" });

  const users = [];
  for (const u of USERS) {
    const { user } = await createOrUpdateUser(db, { email: u.email, password: DEMO_PASSWORD, name: `Demo ${u.tier}`, tier: u.tier });
    const acct = await sim<{ apiKey: string; secret: string }>(opts.simulatorUrl, "/__sim/accounts", { exchange: u.exchange.toLowerCase(), balances: { USDT: "10000" } });
    const cred = await db.$transaction((tx) => storeCredential(tx, keyring, user.id, { exchange: u.exchange, apiKey: acct.apiKey, apiSecret: acct.secret, label: "demo" }));
    const verification = await verifyCredential(db, adapter, cred.id, { actorId: user.id });
    await db.user.update({ where: { id: user.id }, data: { tradingMode: "PERSONAL" } });
    await db.subscription.upsert({
      where: { userId_strategyId: { userId: user.id, strategyId: strategy.id } },
      create: { userId: user.id, strategyId: strategy.id, credentialId: cred.id, sizingMode: "FIXED_QUOTE", sizingValue: 100 },
      update: { credentialId: cred.id, paused: false },
    });
    users.push({ email: u.email, tier: u.tier, exchange: u.exchange, apiKey: acct.apiKey, status: verification.status });
    await seedSatisfactionSamples(db, [{ id: user.id, tier: u.tier }]);
  }
  return { admin: { email: admin.email }, password: DEMO_PASSWORD, users, strategyId: strategy.id, webhookPath, price };
}
