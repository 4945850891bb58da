/**
 * Issue 12, finding 4: "a read-only database leak is enough to trade". The attack, against a
 * database filled by the real code (an admin with 2FA, strategies made on the admin procedures, a
 * user with an API token and a subscription, an alert received, audit rows, queued jobs): every
 * value of every text-like column of every table is tried against the real webhook handler
 * (the server entry's, over HTTP), as the URL's token and as the "secret" beside a strategy id.
 * None is accepted; the URL shown once still is. Then rotation: step-up first, audited, the old
 * URL refused at once (even while cached), the new one accepted; neither token in any log line.
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { generate } from "otplib";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AuthInfo } from "~/server/auth/request-context";
import { hashWebhookToken } from "~/server/strategies/webhook-token";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { sessionAuth } from "~/server/test/test-session";

let t: TestDatabase;
let server: http.Server;
let base: string;
let logs: { text(): string; restore(): void };
const meta = { ip: "192.0.2.80", userAgent: "webhook-leak-test/1.0" };
const PASSWORD = "webhook leak test password";
/** Tokens shown once during the test: none may reach a log line. */
const shown: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
    LOG_LEVEL: "trace",
  });
  const { captureLogs } = await import("~/server/logger");
  logs = captureLogs();
  const { configureRateLimits } = await import("~/server/ratelimit/process-rate-limits");
  configureRateLimits({ databaseUrl: null });
  // The webhook as the server entry (scripts/server.ts) serves it, ahead of Next.
  const { serveWebhook, webhookToken } = await import("~/server/signals/webhook-http");
  const { graphileSink } = await import("~/server/engine/runtime");
  const deps = { db: t.database.prisma, sql: t.database.sql, jobs: graphileSink() };
  server = http.createServer((req, res) => {
    const token = webhookToken(req.method, req.url);
    if (token === null) return void res.writeHead(405).end();
    void serveWebhook(deps, req, res, { token, ip: "52.89.214.238" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  logs.restore();
  await new Promise((r) => server.close(r));
  const { closeDatabase } = await import("~/server/db");
  await closeDatabase();
  await t.drop();
});

const db = () => t.database.prisma;
const alert = (extra: Record<string, unknown> = {}) => JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000, id: crypto.randomUUID(), ...extra });
const post = async (pathSegment: string, body = alert()) => {
  const res = await fetch(`${base}/api/webhooks/tradingview/${encodeURIComponent(pathSegment)}`, { method: "POST", headers: { "content-type": "application/json" }, body });
  await res.arrayBuffer();
  return res.status;
};
const tokenOf = (webhookPath: string) => {
  const token = webhookPath.split("/").at(-1)!;
  shown.push(token);
  return token;
};

async function caller(auth: AuthInfo) {
  const { appRouter } = await import("~/server/api/root");
  return appRouter.createCaller({ db: db(), auth, meta, headers: new Headers() });
}

/** An admin as the operator CLI makes one, with 2FA enrolled (admin procedures require it). */
async function admin(email: string) {
  const { createOrUpdateUser } = await import("~/server/auth/users");
  const { claimSessionHandoff } = await import("~/server/auth/sessions");
  const user = (await createOrUpdateUser(db(), { email, password: PASSWORD, admin: true, tier: "PRO" })).user;
  const first = await sessionAuth(db(), user.id);
  const setup = await (await caller(first)).account.twoFactorSetup();
  const { handoff } = await (await caller(first)).account.twoFactorEnable({ code: await generate({ secret: setup.secret }) });
  const sessionId = await claimSessionHandoff(db(), user.id, first.sessionId, handoff ?? "");
  if (!sessionId) throw new Error("the 2FA handoff did not work");
  const auth = { userId: user.id, via: "session" as const, sessionId };
  return { user, auth, api: await caller(auth) };
}

/** Every value of every text-like column of every table (arrays element by element), as a read-only leak would give. */
async function dumpAllText(): Promise<string[]> {
  const columns = await t.database.raw.query<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
    `SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')`,
  );
  const values = new Set<string>();
  for (const c of columns) {
    const col = `"${c.column_name}"`;
    const expr = c.data_type === "ARRAY" ? `unnest(${col})::text` : `${col}::text`;
    const rows = await t.database.raw.query<{ v: string | null }>(`SELECT ${expr} AS v FROM "${c.table_schema}"."${c.table_name}"`);
    for (const r of rows) if (r.v) values.add(r.v);
  }
  expect(columns.length).toBeGreaterThan(30);
  return [...values];
}

/** Each value, and every token-shaped piece inside it (a token could hide in JSON or a longer string). */
function candidatesFrom(values: string[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    out.add(v);
    for (const m of v.matchAll(/[A-Za-z0-9_-]{8,128}/g)) out.add(m[0]);
  }
  return [...out];
}

/** Runs the requests a few at a time; returns the ones not answered 404. */
async function accepted(requests: { label: string; run: () => Promise<number> }[]): Promise<string[]> {
  const bad: string[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < requests.length; i = next++) {
      const status = await requests[i]!.run();
      if (status !== 404) bad.push(`${requests[i]!.label} -> ${status}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  return bad;
}

let strategies: { id: string; token: string }[] = [];
let adminAuth: AuthInfo & { via: "session" };

it("ATTACK: every text value in a full database dump is refused by the webhook (as its URL token and as a secret); the URL shown once works", async () => {
  const a = await admin("leak-admin@example.com");
  adminAuth = a.auth;
  const made = [
    await a.api.strategies.create({ name: "Leak A", allowedSymbols: ["BTC/USDT"], marketType: "SPOT" }),
    await a.api.strategies.create({ name: "Leak B", allowedSymbols: ["BTC/USDT", "ETH/USDT"], marketType: "SPOT", rateLimitPerMinute: 10_000 }),
  ];
  strategies = made.map((s) => ({ id: s.id, token: tokenOf(s.webhookPath) }));
  expect(strategies.every((s) => /^[A-Za-z0-9_-]{32}$/.test(s.token))).toBe(true);

  // A user with an API token, subscribed; an alert received (a Signal, its job, audit rows).
  const { createOrUpdateUser } = await import("~/server/auth/users");
  const user = (await createOrUpdateUser(db(), { email: "leak-user@example.com", password: PASSWORD, tier: "PRO" })).user;
  const userApi = await caller(await sessionAuth(db(), user.id));
  await userApi.tokens.create({ name: "script", days: 7 });
  await userApi.strategies.subscribe({ strategyId: strategies[0]!.id, sizingMode: "FIXED_QUOTE", sizingValue: 20 });
  expect(await post(strategies[0]!.token)).toBe(202);

  // After its one showing, the console shows a hint, never the URL.
  const list = await a.api.strategies.list();
  const listed = JSON.stringify(list);
  for (const s of strategies) {
    expect(listed).not.toContain(s.token);
    expect(list.find((x) => x.id === s.id)).toMatchObject({ webhookHint: s.token.slice(-4), maskedWebhookPath: `/api/webhooks/tradingview/…${s.token.slice(-4)}` });
  }

  const values = await dumpAllText();
  const candidates = candidatesFrom(values);
  // The dump did reach the strategy rows: their hashes are in it, the tokens are not.
  for (const s of strategies) {
    expect(values).toContain(hashWebhookToken(s.token));
    expect(values.some((v) => v.includes(s.token))).toBe(false);
  }
  expect(candidates.length).toBeGreaterThan(100);

  const asPath = candidates.map((c) => ({ label: `path ${c.slice(0, 40)}`, run: () => post(c) }));
  const asSecret = strategies.flatMap((s) => candidates.map((c) => ({ label: `secret for ${s.id}: ${c.slice(0, 40)}`, run: () => post(s.id, alert({ secret: c })) })));
  expect(await accepted([...asPath, ...asSecret])).toEqual([]);

  // The URLs shown once still work, in both forms.
  for (const s of strategies) {
    expect(await post(s.token)).toBe(202);
    expect(await post(s.id, alert({ secret: s.token }))).toBe(202);
  }
}, 240_000);

it("ATTACK: rotating a webhook URL needs a step-up; then the old URL is refused at once, the new one works, and the rotation is audited", async () => {
  const [s] = strategies;
  if (!s) throw new Error("the first test sets up the strategies");
  const api = await caller(adminAuth);
  const rotations = () => db().auditLog.findMany({ where: { action: "strategy.rotate_token", targetId: s.id }, orderBy: { id: "asc" } });

  // A session that has not re-entered its password lately is refused; nothing changes.
  await db().session.update({ where: { id: adminAuth.sessionId }, data: { stepUpAt: new Date(Date.now() - 6 * 60_000) } });
  await expect(api.strategies.rotateToken({ id: s.id })).rejects.toMatchObject({ code: "FORBIDDEN", cause: { code: "STEP_UP_REQUIRED" } });
  expect(await rotations()).toEqual([]);
  expect(await post(s.token)).toBe(202); // still the URL, and now in the webhook's one-second cache

  await api.account.stepUp({ password: PASSWORD });
  const rotated = await api.strategies.rotateToken({ id: s.id });
  const fresh = tokenOf(rotated.webhookPath);
  expect(fresh).not.toBe(s.token);
  expect(await post(s.token)).toBe(404);
  expect(await post(s.id, alert({ secret: s.token }))).toBe(404);
  expect(await post(fresh)).toBe(202);
  expect(await post(s.id, alert({ secret: fresh }))).toBe(202);

  const [row, ...more] = await rotations();
  expect(more).toEqual([]);
  expect(row).toMatchObject({ actorId: adminAuth.userId, outcome: "SUCCESS", targetType: "strategy", ip: meta.ip, details: { hint: fresh.slice(-4) } });
  expect((await api.strategies.list()).find((x) => x.id === s.id)?.webhookHint).toBe(fresh.slice(-4));
  const stored = await db().strategy.findUniqueOrThrow({ where: { id: s.id } });
  expect(JSON.stringify(stored)).not.toContain(fresh);

  // No token shown once reached a log line.
  const text = logs.text();
  expect(text.length).toBeGreaterThan(0);
  expect(shown.filter((token) => text.includes(token))).toEqual([]);
}, 60_000);
