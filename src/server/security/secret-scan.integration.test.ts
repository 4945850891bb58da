/**
 * Secret scan: a full flow (sign-up, keys over tRPC and REST, a wrong secret, an API token,
 * a signal traded on both keys, a key rotation) with known secrets, then every log line, HTTP
 * response body, audit row and database column (except the sealed one) is searched: 0 hits.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSimAccount, simPost } from "~/sim/ccxt-test-clients";
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
    LOG_LEVEL: "trace",
  });
});
afterAll(async () => {
  const { closeDatabase } = await import("~/server/db");
  await closeDatabase();
  await sim.close();
  await t.drop();
});

it("no secret, password or token appears in any log line, response, audit row or column", async () => {
  const { captureLogs } = await import("~/server/logger");
  const logs = captureLogs();
  const { appRouter } = await import("~/server/api/root");
  const { handleUserApiKeys } = await import("~/server/api/rest/user-api-keys");
  const { receiveSignal } = await import("~/server/signals/receive-signal");
  const { getEngine, startEngineWorkers } = await import("~/server/engine/runtime");
  const { rotateCredentials } = await import("~/server/vault/rotate");
  const { createKeyring } = await import("~/server/vault/keyring");
  const { configureRateLimits } = await import("~/server/ratelimit/process-rate-limits");
  configureRateLimits({ databaseUrl: null });
  const db = t.database.prisma;
  const responses: string[] = [];
  const keep = (x: unknown) => (responses.push(JSON.stringify(x) ?? ""), x);
  const meta = { ip: "192.0.2.44", userAgent: "secret-scan" };

  const password = `pw-${crypto.randomBytes(12).toString("hex")}`;
  const anon = appRouter.createCaller({ db, auth: null, meta, headers: new Headers() });
  const { userId } = keep(await anon.auth.signUp({ name: "Scan", email: "scan@example.com", password })) as { userId: string };
  const me = appRouter.createCaller({ db, auth: { userId, via: "session" }, meta, headers: new Headers() });

  for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: "BTC/USDT", price: "50000" });
  const binance = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: "10000" } });
  const bybit = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: "10000" } });
  keep(await me.keys.save({ exchange: "binance", apiKey: binance.apiKey, apiSecret: binance.secret }));
  const wrong = await me.keys.save({ exchange: "binance", apiKey: binance.apiKey, apiSecret: binance.secret.slice(0, -1) + "Q" }).catch((e: Error) => e.message);
  keep(wrong);
  keep(await me.keys.save({ exchange: "binance", apiKey: binance.apiKey, apiSecret: binance.secret }));
  // The one response meant to carry the token (shown once); every other place must not.
  const created = await me.tokens.create({ name: "scan", days: 1 });
  const token = created.token;

  const rest = async (method: string, path: string, body?: unknown) => {
    const req = new Request(`http://localhost/api/user-api-keys${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-keyrelay-client-ip": meta.ip },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const res = await handleUserApiKeys(req, path.split("/").filter(Boolean));
    responses.push(await res.text());
    return res.status;
  };
  expect(await rest("POST", "/bybit", { apiKey: bybit.apiKey, apiSecret: bybit.secret })).toBe(200);
  expect(await rest("GET", "/all/status")).toBe(200);
  expect(await rest("POST", "/trading-mode", { mode: "PERSONAL" })).toBe(200);

  // A signal traded on both keys (the jobs run in this process on graphile-worker).
  const strategy = await db.strategy.create({ data: { name: "scan", allowedSymbols: ["BTC/USDT"], webhookToken: crypto.randomBytes(24).toString("base64url") } });
  const creds = await db.exchangeCredential.findMany({ where: { userId } });
  keep(await me.strategies.subscribe({ strategyId: strategy.id, credentialId: creds.find((c) => c.exchange === "BINANCE")!.id, sizingMode: "FIXED_QUOTE", sizingValue: 20 }));
  const engine = await startEngineWorkers({ concurrency: 4 });
  const r = keep(await receiveSignal({ db, jobs: getEngine().deps.jobs }, { pathToken: strategy.webhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000 }), ip: null })) as { body: { signalId: string } };
  for (let i = 0; i < 200 && (await db.signal.findUnique({ where: { id: r.body.signalId } }))?.status !== "DONE"; i++) await new Promise((res) => setTimeout(res, 50));
  expect((await db.execution.findMany({ where: { signalId: r.body.signalId } })).map((e) => e.status)).toEqual(["FILLED"]);
  keep(await me.strategies.myExecutions());
  keep(await me.user.securityLog());
  await engine.worker?.stop();

  // Rotation to a new master key.
  const oldKey = Buffer.from(process.env.ENCRYPTION_KEY!, "hex");
  keep(await rotateCredentials(db, createKeyring({ primary: crypto.randomBytes(32), old: [oldKey] })));
  logs.restore();

  const needles = { binanceSecret: binance.secret, bybitSecret: bybit.secret, password, token };
  const haystacks: Record<string, string> = { logs: logs.text(), responses: responses.join("\n") };
  expect(logs.lines().length).toBeGreaterThan(2); // the scan must have had log lines to search
  // Every text-like column of every table (ours and the job queue's), except the sealed secret.
  const columns = await t.database.raw.query<{ table_schema: string; table_name: string; column_name: string }>(
    `SELECT table_schema, table_name, column_name FROM information_schema.columns
     WHERE table_schema IN ('public', 'graphile_worker') AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')
       AND NOT (table_name = 'ExchangeCredential' AND column_name = 'sealedSecret')`,
  );
  expect(columns.length).toBeGreaterThan(30);
  const hits: string[] = [];
  for (const [name, value] of Object.entries(needles)) {
    for (const [where, text] of Object.entries(haystacks)) if (text.includes(value)) hits.push(`${name} in ${where}`);
    for (const c of columns) {
      const rows = await t.database.raw.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM "${c.table_schema}"."${c.table_name}" WHERE "${c.column_name}"::text LIKE '%' || $1 || '%'`,
        [value],
      );
      if (rows[0]!.n !== "0") hits.push(`${name} in ${c.table_name}.${c.column_name}`);
    }
  }
  expect(hits).toEqual([]);
  // And the sealed column holds no plaintext either.
  const sealed = await db.exchangeCredential.findMany({ select: { sealedSecret: true } });
  expect(sealed.some((s) => s.sealedSecret.includes(binance.secret) || s.sealedSecret.includes(bybit.secret))).toBe(false);
}, 120_000);
