import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimAccount } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { storeCredential } from "~/server/keys/store-credential";
import { disableAfterAuthFailure, verifyCredential } from "~/server/keys/verify-credential";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createKeyring } from "~/server/vault/keyring";

let t: TestDatabase;
let sim: Simulator;
let adapter: ExchangeAdapter;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });
const meta = { ip: "198.51.100.4", userAgent: "verify-test" };

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  adapter = new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url }), {
    onAuthFailure: (cred, err) => disableAfterAuthFailure(t.database.prisma, cred.id, err.message),
  });
});
afterAll(async () => {
  await sim.close();
  await t.drop();
});

let n = 0;
async function connect(exchange: "BINANCE" | "BYBIT", spec: Record<string, unknown> = {}, mutateSecret = false) {
  const user = await t.database.prisma.user.create({ data: { email: `v${++n}@example.com`, name: "V", passwordHash: "x" } });
  const acct = await createSimAccount(sim.url, { exchange: exchange.toLowerCase() as "bybit", ...spec });
  const secret = mutateSecret ? acct.secret.replace(/.$/, (c) => (c === "A" ? "B" : "A")) : acct.secret;
  const cred = await t.database.prisma.$transaction((tx) => storeCredential(tx, keyring, user.id, { exchange, apiKey: acct.apiKey, apiSecret: secret }));
  return { user, cred, acct };
}

describe.each(["BINANCE", "BYBIT"] as const)("verifying a %s key", (exchange) => {
  it("a valid trading key becomes ACTIVE with its permissions, and warns when not IP-restricted", async () => {
    const { user, cred } = await connect(exchange);
    const r = await verifyCredential(t.database.prisma, adapter, cred.id, { actorId: user.id, meta, egressIps: ["203.0.113.10"] });
    expect(r).toMatchObject({ status: "ACTIVE", ok: true, message: null, permissions: { read: true, trade: true, futures: true, withdraw: false, ipRestricted: false } });
    expect(r.warnings).toEqual([expect.stringContaining("203.0.113.10")]);
    const row = await t.database.prisma.exchangeCredential.findUniqueOrThrow({ where: { id: cred.id } });
    expect(row).toMatchObject({ status: "ACTIVE", canRead: true, canTrade: true, canFutures: true, canWithdraw: false, consecutiveFailures: 0, lastError: null });
    expect(row.lastVerifiedAt).toBeInstanceOf(Date);
  });

  it("an IP-restricted key verifies without the warning", async () => {
    const { user, cred } = await connect(exchange, { ipRestricted: true });
    const r = await verifyCredential(t.database.prisma, adapter, cred.id, { actorId: user.id, meta });
    expect(r.status).toBe("ACTIVE");
    expect(r.warnings).toEqual([]);
  });

  it("a read-only key is REJECTED: trading is off", async () => {
    const { user, cred } = await connect(exchange, { permissions: { read: true, spotTrade: false, futures: false, withdraw: false } });
    const r = await verifyCredential(t.database.prisma, adapter, cred.id, { actorId: user.id, meta });
    expect(r.status).toBe("REJECTED");
    expect(r.message).toMatch(/Trading is off for this key: enable spot or futures trading/);
  });

  it("a withdraw-enabled key is REJECTED with the withdraw message", async () => {
    const { user, cred } = await connect(exchange, { permissions: { read: true, spotTrade: true, futures: true, withdraw: true } });
    const r = await verifyCredential(t.database.prisma, adapter, cred.id, { actorId: user.id, meta });
    expect(r.status).toBe("REJECTED");
    expect(r.message).toMatch(/disable withdrawals on this key/);
    expect(r.permissions.withdraw).toBe(true);
  });

  it("a wrong secret makes the key DISABLED with a clear message, and the user is told", async () => {
    const { user, cred } = await connect(exchange, {}, true);
    const r = await verifyCredential(t.database.prisma, adapter, cred.id, { actorId: user.id, meta });
    expect(r.status).toBe("DISABLED");
    expect(r.message).toMatch(/rejected this API key.*Re-enter the key/);
    const row = await t.database.prisma.exchangeCredential.findUniqueOrThrow({ where: { id: cred.id } });
    expect(row.consecutiveFailures).toBe(1);
    const notes = await t.database.prisma.notification.findMany({ where: { userId: user.id } });
    expect(notes.map((x) => x.kind)).toContain("KEY_DISABLED");
  });

  it("every attempt is audited with actor and IP, and recorded in the key's history", async () => {
    const { user, cred } = await connect(exchange);
    await verifyCredential(t.database.prisma, adapter, cred.id, { actorId: user.id, meta });
    await verifyCredential(t.database.prisma, adapter, cred.id, { actorId: user.id, meta });
    const audits = await t.database.prisma.auditLog.findMany({ where: { action: "key.verify", targetId: cred.id } });
    expect(audits).toHaveLength(2);
    expect(audits.every((a) => a.actorId === user.id && a.ip === meta.ip && a.outcome === "SUCCESS")).toBe(true);
    expect(await t.database.prisma.credentialCheck.count({ where: { credentialId: cred.id } })).toBe(2);
  });

  it("an AUTH failure in any later exchange call disables the key and records why", async () => {
    const { user, cred, acct } = await connect(exchange);
    await verifyCredential(t.database.prisma, adapter, cred.id, { actorId: user.id, meta });
    // The user deletes the key on the exchange: simulate by rotating the account to a new key.
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    await expect(adapter.fetchBalance(cred)).rejects.toMatchObject({ kind: "AUTH" });
    const row = await t.database.prisma.exchangeCredential.findUniqueOrThrow({ where: { id: cred.id } });
    expect(row.status).toBe("DISABLED");
    expect(row.lastError).toMatch(/rejected this API key/);
    const audit = await t.database.prisma.auditLog.findFirst({ where: { action: "key.auto_disable", targetId: cred.id } });
    expect(audit).not.toBeNull();
    void acct;
  });
});
