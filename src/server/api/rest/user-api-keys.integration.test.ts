/**
 * The REST surface end to end through its real handler, a real PostgreSQL and the exchange
 * simulator: isolation between users, no secret anywhere, bad input never a 500, and the
 * OpenAPI document validates.
 */
import crypto from "node:crypto";
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimAccount } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
let sim: Simulator;
let handle: typeof import("~/server/api/rest/user-api-keys").handleUserApiKeys;
let buildDoc: typeof import("~/server/api/rest/openapi").buildOpenApiDocument;
let capture: import("~/server/logger").LogCapture;
const tokens: Record<"a" | "b", string> = { a: "", b: "" };
const userIds: Record<"a" | "b", string> = { a: "", b: "" };

beforeAll(async () => {
  [t, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    EXCHANGE_SIMULATOR_URL: sim.url,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
    LOG_LEVEL: "debug",
  });
  ({ handleUserApiKeys: handle } = await import("~/server/api/rest/user-api-keys"));
  ({ buildOpenApiDocument: buildDoc } = await import("~/server/api/rest/openapi"));
  const { captureLogs } = await import("~/server/logger");
  const { configureRateLimits } = await import("~/server/ratelimit/process-rate-limits");
  configureRateLimits({ databaseUrl: null, limits: { keySave: { points: 10_000, durationSeconds: 3600 }, keyVerify: { points: 10_000, durationSeconds: 3600 } } });
  capture = captureLogs();
  const { createApiToken } = await import("~/server/tokens/api-tokens");
  for (const who of ["a", "b"] as const) {
    const u = await t.database.prisma.user.create({ data: { email: `${who}@rest.example.com`, name: who, passwordHash: "x" } });
    userIds[who] = u.id;
    tokens[who] = (await createApiToken(t.database.prisma, { userId: u.id, name: "test", days: 1 }, { ip: "127.0.0.1", userAgent: "vitest" })).token;
  }
});
afterAll(async () => {
  capture?.restore();
  const { closeDatabase } = await import("~/server/db");
  await closeDatabase();
  await sim.close();
  await t.drop();
});

async function call(who: "a" | "b" | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { "user-agent": "vitest", "x-keyrelay-client-ip": "192.0.2.9", ...headers };
  if (who) h.authorization = `Bearer ${tokens[who]}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    h["content-type"] ??= "application/json";
  }
  const req = new Request(`http://localhost/api/user-api-keys${path}`, { method, headers: h, body: payload });
  const res = await handle(req, path.split("?")[0]!.split("/").filter(Boolean));
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

const responses: string[] = [];
const secrets: string[] = [];

describe("REST /api/user-api-keys", () => {
  it("user A's token can neither read, verify nor delete user B's key (404, so keys cannot be enumerated)", async () => {
    const b = await createSimAccount(sim.url, { exchange: "bybit" });
    secrets.push(b.secret);
    const saved = await call("b", "POST", "/bybit", { apiKey: b.apiKey, apiSecret: b.secret });
    responses.push(saved.text);
    expect(saved.status).toBe(200);
    expect((saved.json!.credential as { status: string }).status).toBe("ACTIVE");

    const status = await call("a", "GET", "/bybit/status");
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ exchange: "BYBIT", connected: false, keys: [] });
    for (const [m, p] of [["POST", "/bybit/verify"], ["DELETE", "/bybit"], ["DELETE", "/bybit?environment=LIVE"], ["POST", "/bybit/verify?environment=LIVE"]] as const) {
      const r = await call("a", m, p);
      responses.push(r.text);
      expect(r.status, `${m} ${p}`).toBe(404);
    }
    const all = await call("a", "GET", "/all/status");
    expect(JSON.stringify(all.json)).not.toContain(b.apiKey.slice(-4) + "\"");
    expect(await t.database.prisma.exchangeCredential.count({ where: { userId: userIds.b } })).toBe(1);
  });

  it("the plaintext secret appears in no response, audit row, log line or database column except the sealed one", async () => {
    const a = await createSimAccount(sim.url, { exchange: "binance" });
    secrets.push(a.secret);
    for (const r of [
      await call("a", "POST", "/binance", { apiKey: a.apiKey, apiSecret: a.secret, label: "main" }),
      await call("a", "POST", "/binance/verify"),
      await call("a", "GET", "/binance/status"),
      await call("a", "GET", "/all/status"),
      await call("a", "POST", "/binance", { apiKey: a.apiKey, apiSecret: a.secret + "x" }), // a wrong secret's error
    ]) {
      responses.push(r.text);
      expect(r.status).toBeLessThan(500);
    }
    const audits = JSON.stringify(await t.database.prisma.auditLog.findMany(), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    const creds = await t.database.prisma.exchangeCredential.findMany();
    const columns = JSON.stringify(creds.map(({ sealedSecret: _s, ...rest }) => rest));
    const logs = capture.text();
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) {
      for (const text of [...responses, audits, columns, logs]) expect(text).not.toContain(s);
      expect(creds.some((c) => c.sealedSecret.includes(s))).toBe(false);
    }
  });

  it("bad input on every endpoint gets a 4xx with field-level messages, never a 500, and stores nothing", async () => {
    const before = await t.database.prisma.exchangeCredential.count();
    const injection = ["' OR 1=1; DROP TABLE \"User\"; --", "<script>alert(1)</script>", "${7*7}", "\u0000", "ａｐｉ"];
    const cases: [string, string, unknown, number, string?][] = [
      ["POST", "/bybit", {}, 400, "apiKey"],
      ["POST", "/bybit", { apiKey: 123, apiSecret: ["x"] }, 400, "apiKey"],
      ["POST", "/bybit", { apiKey: "abcdefghij1234", apiSecret: "abcdefghij1234567890", extra: 1 }, 400],
      ["POST", "/bybit", { apiKey: "abcdefghij1234", apiSecret: "abcdefghij1234567890", environment: "MAINNET" }, 400, "environment"],
      ["POST", "/kraken", { apiKey: "x", apiSecret: "y" }, 400, "exchange"],
      ["GET", "/kraken/status", undefined, 400, "exchange"],
      ["POST", "/trading-mode", { mode: "HYBRID" }, 400, "mode"],
      ["POST", "/trading-mode", { mode: 5 }, 400, "mode"],
      ["POST", "/trading-mode", {}, 400, "mode"],
      ["POST", "/trading-mode", "not json", 400],
      ["POST", "/trading-mode", "[1,2]", 400],
      ["POST", "/binance/verify", { environment: "PROD" }, 400, "environment"],
      ["DELETE", "/binance?environment=nope", undefined, 400, "environment"],
      ["PUT", "/binance", {}, 405],
      ["GET", "/binance/nothing/here", undefined, 404],
    ];
    for (const s of injection) {
      cases.push(["POST", "/bybit", { apiKey: s, apiSecret: s }, 400, "apiKey"]);
    cases.push(["POST", "/bybit", { apiKey: s, apiSecret: s, label: s }, 400, "*"]);
      cases.push(["POST", `/${encodeURIComponent(s)}`, { apiKey: s, apiSecret: s }, 400, "exchange"]);
      cases.push(["POST", "/trading-mode", { mode: s }, 400, "mode"]);
    }
    for (const [m, p, body, status, field] of cases) {
      const r = await call("a", m, p, body);
      expect(r.status, `${m} ${p} ${JSON.stringify(body)}`).toBe(status);
      const err = r.json!.error as { message: string; fieldErrors: Record<string, string> | null };
      expect(err.message.length).toBeGreaterThan(0);
      if (field === "*") expect(Object.keys(err.fieldErrors ?? {}).length, `${m} ${p}`).toBeGreaterThan(0);
      else if (field) expect(Object.keys(err.fieldErrors ?? {}), `${m} ${p}`).toContain(field);
      expect(r.text).not.toContain("<script>");
    }
    const big = await call("a", "POST", "/bybit", JSON.stringify({ apiKey: "a".repeat(1024 * 1024), apiSecret: "b" }));
    expect(big.status).toBe(413);
    const wrongType = await call("a", "POST", "/bybit", "apiKey=x", { "content-type": "application/x-www-form-urlencoded" });
    expect(wrongType.status).toBe(415);
    expect(await t.database.prisma.exchangeCredential.count()).toBe(before);
  });

  it("expired, revoked and malformed tokens get 401 with a clear message, and each refusal is audited", async () => {
    const r1 = await call(null, "GET", "/all/status", undefined, { authorization: "Bearer not.a.jwt" });
    expect(r1.status).toBe(401);
    const r2 = await call(null, "GET", "/all/status", undefined, { authorization: "Basic abc" });
    expect(r2.status).toBe(401);
    expect((r2.json!.error as { message: string }).message).toMatch(/Bearer/);
    const denied = await t.database.prisma.auditLog.count({ where: { action: "auth.bearer", outcome: "DENIED" } });
    expect(denied).toBeGreaterThanOrEqual(2);
  });

  it("serves an OpenAPI 3.1 document generated from the same schemas, and it validates", async () => {
    const doc = buildDoc();
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    const paths = Object.keys(doc.paths ?? {}).sort();
    expect(paths).toEqual([
      "/api/user-api-keys/all/status",
      "/api/user-api-keys/trading-mode",
      "/api/user-api-keys/{exchange}",
      "/api/user-api-keys/{exchange}/status",
      "/api/user-api-keys/{exchange}/verify",
    ]);
    const save = doc.paths!["/api/user-api-keys/{exchange}"]!.post!;
    expect(JSON.stringify(save.requestBody)).toContain("apiSecret");
    expect(JSON.stringify(save.responses)).not.toContain("apiSecret");
  });
});
