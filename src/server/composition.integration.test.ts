/**
 * Two copies of the server modules in one process, as Next loads them (instrumentation, route
 * handlers and server components each get their own; vi.resetModules() makes the second copy here):
 * one of each resource between them, and each copy recognises, by `instanceof`, the errors its own
 * services throw. The case that once went wrong: an adapter built by one copy, its wrong-secret
 * error missed by the other copy's key verification (a 500 instead of a DISABLED key).
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createSimAccount } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
let sim: Simulator;
beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    EXCHANGE_SIMULATOR_URL: sim.url,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
  });
});
afterAll(async () => {
  const { closeRoot } = await import("~/server/composition");
  await closeRoot();
  await sim.close();
  await t.drop();
});

/** One copy of what a module graph loads. */
async function loadCopy() {
  return {
    errors: await import("~/server/errors"),
    mapError: await import("~/server/exchanges/map-error"),
    db: await import("~/server/db"),
    keyring: await import("~/server/vault/process-keyring"),
    access: await import("~/server/keys/exchange-access"),
    runtime: await import("~/server/engine/runtime"),
    rateLimits: await import("~/server/ratelimit/process-rate-limits"),
    root: await import("~/server/api/root"),
  };
}

it("two copies of the code share one of each resource, and each recognises the errors its own services throw", async () => {
  const a = await loadCopy();
  a.rateLimits.configureRateLimits({ databaseUrl: null, limits: { tokenCreate: { points: 1, durationSeconds: 60 } } });
  const adapterA = a.access.getExchangeAdapter(); // copy A builds the shared exchange state
  vi.resetModules();
  const b = await loadCopy();
  expect(b.errors.AppError).not.toBe(a.errors.AppError); // really two copies

  // One of each resource.
  expect(b.db.getDatabase()).toBe(a.db.getDatabase());
  expect(b.keyring.getKeyring()).toBe(a.keyring.getKeyring());
  const adapterB = b.access.getExchangeAdapter();
  expect(adapterB).not.toBe(adapterA);
  expect(adapterB.clients.state).toBe(adapterA.clients.state);
  expect(b.runtime.getEngine().inProcess).toBe(a.runtime.getEngine().inProcess);

  // Rate limits: one counter; the 429 comes from the copy that checks.
  await a.rateLimits.assertWithinLimit("tokenCreate", "u1");
  const limited = await b.rateLimits.assertWithinLimit("tokenCreate", "u1").catch((e: unknown) => e);
  expect(b.errors.isAppError(limited, "RATE_LIMITED")).toBe(true);
  expect(a.errors.isAppError(limited)).toBe(false);

  // Keys through copy B's router, on the exchange state copy A created.
  const db = b.db.getDb();
  const user = await db.user.create({ data: { email: "two-copies@example.com", name: "Two", passwordHash: "x" } });
  const me = b.root.appRouter.createCaller({ db, auth: { userId: user.id, via: "token" }, meta: { ip: "192.0.2.9", userAgent: "vitest" }, headers: new Headers() });
  const account = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: "1000" } });
  const wrong = account.secret.slice(0, -1) + (account.secret.endsWith("Q") ? "R" : "Q");

  const refused = await me.keys.save({ exchange: "bybit", apiKey: account.apiKey, apiSecret: wrong });
  expect(refused.verification).toMatchObject({ status: "DISABLED", errorKind: "AUTH" });
  const authError = await adapterB.fetchBalance({ ...(await db.exchangeCredential.findFirstOrThrow({ where: { userId: user.id } })) }).catch((e: unknown) => e);
  expect(b.mapError.isExchangeError(authError)).toBe(true);
  expect(a.mapError.isExchangeError(authError)).toBe(false);

  const saved = await me.keys.save({ exchange: "bybit", apiKey: account.apiKey, apiSecret: account.secret });
  expect(saved.verification.status).toBe("ACTIVE");

  // A secret that no longer opens: the VaultError is copy B's, so B's verification records it.
  await db.exchangeCredential.updateMany({ where: { userId: user.id }, data: { sealedSecret: "v1.deadbeef.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA" } });
  const unreadable = await me.keys.verify({ exchange: "bybit" });
  expect(unreadable.verification).toMatchObject({ status: "DISABLED", errorKind: "VAULT" });
});
