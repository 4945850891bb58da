/**
 * REQUIRE_KEY_IP_RESTRICTION through the real path: the tRPC keys router (env read as in
 * production), key-service, verify-credential, the exchange adapter, unmodified ccxt and the
 * simulator's own apiRestrictions / query-api answers. Bybit reports the whitelist as
 * `result.ips` (["*"]: any IP), Binance as `ipRestrict`.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSimAccount, simPost, type SimAccount } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

const EGRESS = "203.0.113.10";
let t: TestDatabase;
let sim: Simulator;

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    EXCHANGE_SIMULATOR_URL: sim.url,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
    EGRESS_IPS: EGRESS,
  });
});
afterAll(async () => {
  const { closeRoot } = await import("~/server/composition");
  await closeRoot();
  await sim.close();
  await t.drop();
});

/** The app's modules as a process started with REQUIRE_KEY_IP_RESTRICTION=<required> loads them. */
async function appWith(required: boolean) {
  process.env.REQUIRE_KEY_IP_RESTRICTION = required ? "true" : "false";
  vi.resetModules();
  const [{ appRouter }, { getDb }] = await Promise.all([import("~/server/api/root"), import("~/server/db")]);
  const db = getDb();
  const callerFor = (userId: string) => appRouter.createCaller({ db, auth: { userId, via: "token" }, meta: { ip: "192.0.2.9", userAgent: "vitest" }, headers: new Headers() });
  return {
    db,
    callerFor,
    async caller() {
      const user = await db.user.create({ data: { email: `ip-${crypto.randomUUID()}@example.com`, name: "Ip", passwordHash: "x" } });
      return { user, me: callerFor(user.id) };
    },
  };
}
type Caller = Awaited<ReturnType<Awaited<ReturnType<typeof appWith>>["caller"]>>["me"];

const unrestricted = (exchange: "binance" | "bybit") => createSimAccount(sim.url, { exchange });
// Restricted to loopback (where the test runs) and the server's egress IP, as a user following the instructions would.
const restricted = (exchange: "binance" | "bybit") => createSimAccount(sim.url, { exchange, ips: ["127.0.0.1", "::1", EGRESS] });

describe.each(["binance", "bybit"] as const)("REQUIRE_KEY_IP_RESTRICTION on %s keys", (exchange) => {
  const name = exchange === "binance" ? "Binance" : "Bybit";
  const save = (me: Caller, a: SimAccount) => me.keys.save({ exchange, apiKey: a.apiKey, apiSecret: a.secret });

  it("on: a key usable from any IP is REJECTED with the problem and the fix, recorded and audited, no secret anywhere", async () => {
    const app = await appWith(true);
    const { user, me } = await app.caller();
    const acct = await unrestricted(exchange);
    const r = await save(me, acct);
    expect(r.verification).toMatchObject({ status: "REJECTED", ok: false, errorKind: "IP_RESTRICTION", warnings: [] });
    expect(r.verification.message).toBe(
      `This key has no IP restriction; the operator requires one. In ${name}'s API management, edit the key and restrict it to this server's IP: ${EGRESS}, then verify again.`,
    );
    // The summary shows what the exchange reported: it can trade, and it is not IP-restricted.
    expect(r.credential).toMatchObject({ status: "REJECTED", ipRestricted: false, permissions: { read: true, trade: true, withdraw: false }, lastError: r.verification.message });
    expect(r.credential.lastVerifiedAt).toBeInstanceOf(Date);

    const audit = await app.db.auditLog.findFirstOrThrow({ where: { action: "key.verify", targetId: r.credential.id } });
    expect(audit).toMatchObject({ outcome: "FAILURE", actorId: user.id, ip: "192.0.2.9" });
    expect(audit.details).toMatchObject({ status: "REJECTED", errorKind: "IP_RESTRICTION", ipRestrictionRequired: true, permissions: { ipRestricted: false } });
    const check = await app.db.credentialCheck.findFirstOrThrow({ where: { credentialId: r.credential.id } });
    expect(check).toMatchObject({ status: "REJECTED", errorKind: "IP_RESTRICTION", ipRestricted: false });

    const everything = JSON.stringify([r, audit, check], (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
    expect(everything).not.toContain(acct.secret);
    expect(everything).not.toContain(acct.apiKey);
    // A rejected key cannot be traded on.
    await expect(me.keys.setTradingMode({ mode: "PERSONAL" })).rejects.toThrow(/needs at least one ACTIVE exchange key/);
  });

  it("on: a key restricted to IP addresses is ACTIVE, shown as IP-restricted", async () => {
    const { me } = await (await appWith(true)).caller();
    const r = await save(me, await restricted(exchange));
    expect(r.verification).toMatchObject({ status: "ACTIVE", ok: true, message: null, errorKind: null, warnings: [] });
    expect(r.credential).toMatchObject({ status: "ACTIVE", ipRestricted: true });
  });

  it("on: restricting the key on the exchange and verifying again makes it ACTIVE", async () => {
    const { me } = await (await appWith(true)).caller();
    const acct = await unrestricted(exchange);
    expect((await save(me, acct)).verification.status).toBe("REJECTED");
    // The user follows the message: a key with the whitelist replaces the open one (the exchanges do not
    // let a key change from open to restricted without editing it; the simulator models that as a new key).
    const fixed = await simPost<SimAccount>(sim.url, `/__sim/accounts/${acct.accountId}/keys`, { ips: ["127.0.0.1", "::1", EGRESS] });
    expect((await save(me, fixed)).verification).toMatchObject({ status: "ACTIVE", ok: true });
  });

  it("off (the default): both keys are ACTIVE; the open one with a warning naming the egress IP", async () => {
    const { me } = await (await appWith(false)).caller();
    const open = await save(me, await unrestricted(exchange));
    expect(open.verification).toMatchObject({ status: "ACTIVE", ok: true, errorKind: null });
    expect(open.verification.warnings).toEqual([expect.stringContaining(EGRESS)]);
    expect(open.credential.ipRestricted).toBe(false);
    const { me: other } = await (await appWith(false)).caller();
    const bound = await save(other, await restricted(exchange));
    expect(bound.verification).toMatchObject({ status: "ACTIVE", ok: true, warnings: [] });
    expect(bound.credential.ipRestricted).toBe(true);
  });

  it("turning it on later: re-verifying an ACTIVE open key rejects it", async () => {
    const { user, me } = await (await appWith(false)).caller();
    expect((await save(me, await unrestricted(exchange))).verification.status).toBe("ACTIVE");
    const restarted = await appWith(true); // the operator sets the variable and restarts
    const again = await restarted.callerFor(user.id).keys.verify({ exchange });
    expect(again.verification).toMatchObject({ status: "REJECTED", errorKind: "IP_RESTRICTION" });
    expect(again.credential.status).toBe("REJECTED");
  });
});
