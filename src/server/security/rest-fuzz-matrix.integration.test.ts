/**
 * The REST surface and the webhook under attack: an authorization matrix over every REST route
 * (anonymous, user, other user, admin), and 10,000 generated requests with 0 answers >= 500.
 */
import crypto from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimAccount } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { insertStrategy } from "~/server/test/strategy-fixtures";

let t: TestDatabase;
let sim: Simulator;
let handle: typeof import("~/server/api/rest/user-api-keys").handleUserApiKeys;
let receive: typeof import("~/server/signals/receive-signal").receiveSignal;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  Object.assign(process.env, { DATABASE_URL: t.url, EXCHANGE_SIMULATOR_URL: sim.url, NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"), ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex") });
  ({ handleUserApiKeys: handle } = await import("~/server/api/rest/user-api-keys"));
  ({ receiveSignal: receive } = await import("~/server/signals/receive-signal"));
  const { configureRateLimits } = await import("~/server/ratelimit/process-rate-limits");
  configureRateLimits({ databaseUrl: null, limits: { keySave: { points: 1_000_000, durationSeconds: 3600 }, keyVerify: { points: 1_000_000, durationSeconds: 3600 } } });
  const { createApiToken } = await import("~/server/tokens/api-tokens");
  for (const [who, role] of [["owner", "USER"], ["other", "USER"], ["admin", "ADMIN"]] as const) {
    const u = await t.database.prisma.user.create({ data: { email: `${who}@fuzz.example.com`, name: who, passwordHash: "x", role } });
    tokens[who] = (await createApiToken(t.database.prisma, { userId: u.id, name: "t", days: 1 }, { ip: null, userAgent: null })).token;
  }
});
afterAll(async () => {
  const { closeDatabase } = await import("~/server/db");
  await closeDatabase();
  await sim.close();
  await t.drop();
});

async function rest(who: string | null, method: string, path: string, body?: string, contentType = "application/json") {
  const headers: Record<string, string> = { "content-type": contentType };
  if (who) headers.authorization = `Bearer ${tokens[who]}`;
  const req = new Request(`http://localhost/api/user-api-keys${path}`, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : body });
  const segments = path.split("?")[0]!.split("/").filter(Boolean).map((s) => { try { return decodeURIComponent(s); } catch { return s; } });
  const res = await handle(req, segments);
  return { status: res.status, text: await res.text() };
}

describe("REST authorization matrix", () => {
  it("anonymous, owner, other user and admin on every route", async () => {
    const acct = await createSimAccount(sim.url, { exchange: "bybit" });
    expect((await rest("owner", "POST", "/bybit", JSON.stringify({ apiKey: acct.apiKey, apiSecret: acct.secret }))).status).toBe(200);
    const routes: [string, string, string?][] = [
      ["GET", "/all/status"],
      ["GET", "/bybit/status"],
      ["POST", "/bybit/verify"],
      ["POST", "/trading-mode", JSON.stringify({ mode: "PAPER" })],
      ["DELETE", "/bybit"],
    ];
    const table: Record<string, Record<string, number>> = {};
    for (const [m, p, b] of routes) {
      const key = `${m} ${p}`;
      table[key] = {};
      // The owner goes last: their DELETE must not change what the others see.
      for (const who of [null, "other", "admin", "owner"]) table[key][who ?? "anonymous"] = (await rest(who, m, p, b)).status;
    }
    expect(table).toEqual({
      "GET /all/status": { anonymous: 401, other: 200, admin: 200, owner: 200 },
      "GET /bybit/status": { anonymous: 401, other: 200, admin: 200, owner: 200 },
      // Another user's (or an admin's) request never reaches the owner's key: 404, not 403.
      "POST /bybit/verify": { anonymous: 401, other: 404, admin: 404, owner: 200 },
      "POST /trading-mode": { anonymous: 401, other: 200, admin: 200, owner: 200 },
      "DELETE /bybit": { anonymous: 401, other: 404, admin: 404, owner: 200 },
    });
    // Status for someone else shows their own (empty) state, never the owner's key.
    const other = await rest("other", "GET", "/bybit/status");
    expect(other.text).not.toContain(acct.apiKey.slice(-4) + '"');
  });
});

describe("fuzz: 10,000 generated requests, 0 answers >= 500", () => {
  const str = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom("'; DROP TABLE \"User\"; --", "<img src=x onerror=alert(1)>", "{{close}}", "__proto__", "../../etc/passwd", "%00", "\u202e"));
  const jsonValue = fc.oneof(str, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(str, { maxLength: 3 }));
  const body = fc.oneof(
    fc.dictionary(fc.constantFrom("apiKey", "apiSecret", "environment", "label", "mode", "exchange", "extra", "__proto__"), jsonValue).map((o) => JSON.stringify(o)),
    fc.json(),
    fc.string({ maxLength: 300 }),
    fc.constant(""),
  );

  it("5,000 REST requests", async () => {
    let fives = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH"),
        fc.oneof(fc.constantFrom("/bybit", "/binance", "/BYBIT/verify", "/binance/status", "/all/status", "/trading-mode", "/kraken", "/bybit/verify?environment=LIVE", "/"), str.map((s) => `/${encodeURIComponent(s)}`), fc.tuple(str, str).map(([a, b]) => `/${encodeURIComponent(a)}/${encodeURIComponent(b)}`)),
        body,
        fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", ""),
        fc.constantFrom("owner", "other", null),
        async (m, p, b, ct, who) => {
          const r = await rest(who, m, p, b, ct);
          if (r.status >= 500) fives++;
          expect(r.status, `${m} ${p} ${b.slice(0, 100)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 5000 },
    );
    expect(fives).toBe(0);
  }, 240_000);

  it("5,000 webhook requests", async () => {
    const strategy = await insertStrategy(t.database.prisma, { name: "fuzz", allowedSymbols: ["BTC/USDT"], rateLimitPerMinute: 1_000_000 });
    const jobs = { addInTx: async () => undefined, afterCommit: () => undefined };
    let fives = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(strategy.webhookToken), fc.constant(strategy.id), str),
        fc.oneof(body, fc.dictionary(fc.constantFrom("ticker", "action", "price", "qty", "timestamp", "maxLagSeconds", "id", "secret"), jsonValue).map((o) => JSON.stringify(o))),
        fc.constantFrom("application/json", "text/plain", "application/xml", null),
        async (token, b, ct) => {
          const r = await receive({ db: t.database.prisma, sql: t.database.sql, jobs }, { pathToken: token, contentType: ct, body: b, ip: "203.0.113.9" });
          if (r.status >= 500) fives++;
          expect(r.status).toBeLessThan(500);
        },
      ),
      { numRuns: 5000 },
    );
    expect(fives).toBe(0);
  }, 240_000);
});
