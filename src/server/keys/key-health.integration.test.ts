/**
 * The key-health watch against real PostgreSQL and the simulator (unmodified ccxt, real signatures):
 * the expiry and IP binding each exchange reports, the 14 / 3 / 1-day warnings (each once), the
 * deadline of keys without an IP restriction, and a key that dies while its user holds open positions.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimAccount, setSimKeyExpiry, simPost, type AccountSpec } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { checkKeyHealth } from "~/server/keys/key-health";
import { storeCredential } from "~/server/keys/store-credential";
import { disableAfterAuthFailure, verifyCredential } from "~/server/keys/verify-credential";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createKeyring } from "~/server/vault/keyring";

const DAY = 86_400_000;
const EGRESS = "203.0.113.10";
let t: TestDatabase;
let sim: Simulator;
let adapter: ExchangeAdapter;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });

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

const db = () => t.database.prisma;
/** One round of the watch, only over the keys of these users (other tests' keys are left alone). */
async function round(userIds: string[], now?: Date) {
  const others = await db().exchangeCredential.findMany({ where: { status: "ACTIVE", userId: { notIn: userIds } }, select: { id: true } });
  // Park the other tests' keys for the round (the watch checks every ACTIVE key).
  await db().exchangeCredential.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { status: "UNVERIFIED" } });
  try {
    return await checkKeyHealth({ db: db(), adapter, jobs: null, egressIps: [EGRESS], requireIpRestriction: false, ...(now ? { now: () => now } : {}) });
  } finally {
    await db().exchangeCredential.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { status: "ACTIVE" } });
  }
}

async function connect(exchange: "BINANCE" | "BYBIT", spec: Omit<AccountSpec, "exchange"> = {}) {
  const user = await db().user.create({ data: { email: `kh-${crypto.randomUUID()}@example.com`, name: "K", passwordHash: "x" } });
  const acct = await createSimAccount(sim.url, { exchange: exchange.toLowerCase() as "bybit", balances: { USDT: 2500.5 }, ...spec });
  const cred = await db().$transaction((tx) => storeCredential(tx, keyring, user.id, { exchange, apiKey: acct.apiKey, apiSecret: acct.secret }));
  const r = await verifyCredential(db(), adapter, cred.id, { actorId: user.id });
  expect(r.status).toBe("ACTIVE");
  return { user, cred, acct, verification: r };
}
const notices = (userId: string, kind = "KEY_EXPIRING") => db().notification.findMany({ where: { userId, kind }, orderBy: { createdAt: "asc" } });
const inDays = (days: number) => new Date(Date.now() + days * DAY - 60_000);

describe.each(["BYBIT", "BINANCE"] as const)("key health on %s", (exchange) => {
  const name = exchange === "BYBIT" ? "Bybit" : "Binance";
  const expires = exchange === "BYBIT" ? "expires in" : "loses its trading permission in";

  it("verification stores the balance, the expiry and the IP binding the exchange reports", async () => {
    const at = inDays(40);
    const { cred } = await connect(exchange, { ips: ["127.0.0.1", "::1", EGRESS], expiresAt: at.toISOString() });
    const row = await db().exchangeCredential.findUniqueOrThrow({ where: { id: cred.id } });
    expect(row.balance?.toFixed()).toBe("2500.5");
    expect(row.balanceCurrency).toBe("USDT");
    expect(row.balanceAt).toBeInstanceOf(Date);
    expect(row.permissionsReadAt).toBeInstanceOf(Date);
    expect(Math.abs(row.expiresAt!.getTime() - at.getTime())).toBeLessThan(1_000);
    expect(row.ipRestricted).toBe(true);
    // Bybit lists the addresses; Binance says only that there is a list.
    expect(row.boundIps).toEqual(exchange === "BYBIT" ? ["127.0.0.1", "::1", EGRESS] : []);
  });

  it("a key in the simulator set to expire in 3 days produces the warning, once", async () => {
    const { user, verification } = await connect(exchange, { ipRestricted: true, expiresAt: inDays(3).toISOString() });
    // Verifying it says so at once...
    expect(verification.warnings).toEqual([expect.stringContaining(`${expires} 3 days`)]);
    // ...and the watch writes the notification.
    expect((await round([user.id])).warned).toBe(1);
    const [n, ...more] = await notices(user.id);
    expect(more).toEqual([]);
    expect(n!.message).toContain(`Your ${name} key`);
    expect(n!.message).toContain(`${expires} 3 days`);
    expect(n!.message).toContain("replace this one on the Keys page");
    // The next rounds do not repeat it.
    await round([user.id]);
    await round([user.id]);
    expect(await notices(user.id)).toHaveLength(1);
  });

  it("14 days ahead, then 3, then 1: each threshold once; the 14-day one is not sent late", async () => {
    const { user, cred } = await connect(exchange, { ipRestricted: true, expiresAt: inDays(14).getTime() });
    await round([user.id]);
    await round([user.id]);
    expect((await notices(user.id)).map((x) => x.message)).toEqual([expect.stringContaining(`${expires} 14 days`)]);
    const now = Date.now();
    await round([user.id], new Date(now + 11 * DAY)); // 3 days left
    await round([user.id], new Date(now + 11.5 * DAY));
    await round([user.id], new Date(now + 13.2 * DAY)); // under a day left
    await round([user.id], new Date(now + 13.5 * DAY));
    expect((await notices(user.id)).map((x) => x.message)).toEqual([
      expect.stringContaining(`${expires} 14 days`),
      expect.stringContaining(`${expires} 3 days`),
      expect.stringContaining(`${expires} 1 day `),
    ]);
    expect((await db().exchangeCredential.findUniqueOrThrow({ where: { id: cred.id } })).expiryWarnings).toEqual([14, 3, 1]);

    // Renewed on the exchange (a new expiry): the warnings start over for it.
    await setSimKeyExpiry(sim.url, (await db().exchangeCredential.findUniqueOrThrow({ where: { id: cred.id } })).apiKey, inDays(2).toISOString());
    await round([user.id]);
    expect((await notices(user.id)).at(-1)!.message).toContain(`${expires} 2 days`);
    expect((await db().exchangeCredential.findUniqueOrThrow({ where: { id: cred.id } })).expiryWarnings).toEqual([14, 3]);
  });

  it("a key without an IP restriction nearing the exchange's deadline: the warning says why and names the egress IP", async () => {
    const { user, acct } = await connect(exchange);
    await round([user.id]);
    expect(await notices(user.id)).toEqual([]); // Bybit's default 90 days (Binance: no deadline) is far away
    await setSimKeyExpiry(sim.url, acct.apiKey, inDays(10).toISOString()); // as if created 80 days ago
    await round([user.id]);
    const [n] = await notices(user.id);
    expect(n!.message).toContain("has no IP restriction");
    expect(n!.message).toContain(`so it ${expires} 10 days`);
    expect(n!.message).toContain(EGRESS);
  });

  it("a key that dies while its user holds open live positions: disabled, and the notice escalates with the count", async () => {
    const { user, cred, acct } = await connect(exchange, { ipRestricted: true });
    const strategy = await insertStrategy(db(), { name: `kh-${crypto.randomUUID()}`, allowedSymbols: [], allowedIps: [] });
    const sub = await db().subscription.create({ data: { userId: user.id, strategyId: strategy.id, credentialId: cred.id, sizingValue: "100" } });
    const position = (symbol: string, size: string, paper = false) =>
      db().position.create({ data: { subscriptionId: sub.id, userId: user.id, strategyId: strategy.id, paper, exchange, symbol, marketType: "LINEAR", side: size === "0" ? "FLAT" : "LONG", size } });
    await Promise.all([position("BTC/USDT:USDT", "0.01"), position("ETH/USDT:USDT", "0.5"), position("SOL/USDT:USDT", "0"), position("XRP/USDT:USDT", "100", true)]);

    // Unchanged outcome: no audit row for the scheduled check.
    const audits = () => db().auditLog.findMany({ where: { action: "key.verify", targetId: cred.id }, orderBy: { seq: "asc" } });
    const before = (await audits()).length;
    await round([user.id]);
    expect(await audits()).toHaveLength(before);

    await setSimKeyExpiry(sim.url, acct.apiKey, new Date(Date.now() - 1_000).toISOString());
    const totals = await round([user.id]);
    expect(totals).toMatchObject({ checked: 1, lost: 1 });
    const row = await db().exchangeCredential.findUniqueOrThrow({ where: { id: cred.id } });
    expect(row.status).toBe("DISABLED");
    expect(row.permissionsReadAt).toBeNull(); // now unknown, not "off"
    expect(row.lastError).toContain(`${name} rejected this API key`);
    const disabled = await notices(user.id, "KEY_DISABLED");
    expect(disabled).toHaveLength(1);
    expect(disabled[0]!.message).toMatch(/^URGENT: Your \w+ key was disabled/);
    expect(disabled[0]!.message).toContain(`You hold 2 open live positions on ${name}`);
    expect(disabled[0]!.message).toContain(`Stop-loss and take-profit orders already on ${name} stay there, but KeyRelay can no longer manage them`);
    // The change is audited, as the system's, with what it was before.
    const last = (await audits()).at(-1)!;
    expect(last).toMatchObject({ outcome: "FAILURE", actorId: null, actorEmail: "system" });
    expect(last.details).toMatchObject({ source: "key_health", previousStatus: "ACTIVE", status: "DISABLED", errorKind: "AUTH" });
    // A DISABLED key is no longer checked.
    expect((await round([user.id])).checked).toBe(0);
  });

  it("a dead key without open positions gets the plain notice", async () => {
    const { user, acct } = await connect(exchange);
    await setSimKeyExpiry(sim.url, acct.apiKey, Date.now() - 1_000);
    await round([user.id]);
    const [n] = await notices(user.id, "KEY_DISABLED");
    expect(n!.message).toMatch(/^Your \w+ key was disabled: /);
    expect(n!.message).not.toContain("open live position");
  });
});

it("one exchange failing does not stop the others; the failing key keeps its status", async () => {
  const a = await connect("BYBIT", { ipRestricted: true, expiresAt: inDays(3).toISOString() });
  const b = await connect("BINANCE", { ipRestricted: true, expiresAt: inDays(3).toISOString() });
  await simPost(sim.url, "/__sim/faults", { apiKey: a.acct.apiKey, status: 503 });
  try {
    const totals = await round([a.user.id, b.user.id]);
    expect(totals.checked).toBe(2);
    expect(await notices(b.user.id)).toHaveLength(1);
    const rowA = await db().exchangeCredential.findUniqueOrThrow({ where: { id: a.cred.id } });
    expect(rowA.status).toBe("ACTIVE"); // temporary trouble says nothing about the key
    expect(rowA.lastError).toMatch(/unreachable or unavailable/);
  } finally {
    await fetch(`${sim.url}/__sim/faults`, { method: "DELETE" });
  }
});
