/**
 * Secret scan: a full flow (sign-up with email verification, 2FA enrolment and a TOTP sign-in, a
 * recovery code, a step-up, a password change and a password reset by email, keys over tRPC and
 * REST, a wrong secret, an API token, a strategy and its rotated webhook URL, a signal traded on
 * both keys, a key rotation) with known secrets, then every log line, HTTP response body, audit
 * row and database column (except the sealed ones) is searched: 0 hits. Emails travel through a real local SMTP server (their only
 * intended place).
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSimAccount, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { generate } from "otplib";
import { startSmtpCapture, tokenFromLink, type SmtpCapture } from "~/server/test/smtp-capture";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
let sim: Simulator;
let smtp: SmtpCapture;
beforeAll(async () => {
  [t, sim, smtp] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 }), startSmtpCapture()]);
  Object.assign(process.env, {
    SMTP_URL: smtp.url,
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
  await smtp.close();
  await t.drop();
});

it("no secret, password or token appears in any log line, response, audit row or column", async () => {
  const { captureLogs } = await import("~/server/logger");
  const logs = captureLogs();
  const { appRouter } = await import("~/server/api/root");
  const { handleUserApiKeys } = await import("~/server/api/rest/user-api-keys");
  const { receiveSignal } = await import("~/server/signals/receive-signal");
  const { getEngine, startEngineWorkers } = await import("~/server/engine/runtime");
  const { rotateCredentials } = await import("~/server/keys/rotate-credentials");
  const { createKeyring } = await import("~/server/vault/keyring");
  const { configureRateLimits } = await import("~/server/ratelimit/process-rate-limits");
  configureRateLimits({ databaseUrl: null });
  const db = t.database.prisma;
  const responses: string[] = [];
  const keep = (x: unknown) => (responses.push(JSON.stringify(x) ?? ""), x);
  const meta = { ip: "192.0.2.44", userAgent: "secret-scan" };

  const password = `pw-${crypto.randomBytes(12).toString("hex")}`;
  const anon = appRouter.createCaller({ db, auth: null, meta, headers: new Headers() });
  keep(await anon.auth.signUp({ name: "Scan", email: "scan@example.com", password }));

  // Account security: the email link, 2FA (its secret and recovery codes), step-up, password change and reset.
  const { signIn } = await import("~/server/auth/sign-in");
  const { flushMail } = await import("~/server/mail/mailer");
  const { getKeyring } = await import("~/server/vault/process-keyring");
  const signInCtx = { meta, adminEmails: [], keyring: getKeyring() };
  const mailLink = async (subject: string, path: string) => {
    await flushMail();
    const mail = await smtp.waitFor((m) => m.to.includes("scan@example.com") && m.subject === subject);
    return mail.links.find((l) => l.includes(path))!;
  };
  const verifyToken = tokenFromLink(await mailLink("Confirm your email address for KeyRelay", "/verify-email"));
  const first = keep(await signIn(db, { email: "scan@example.com", password, verifyToken }, signInCtx)) as { ok: true; user: { id: string }; sessionId: string };
  const userId = first.user.id;
  const me = appRouter.createCaller({ db, auth: { userId, via: "session", sessionId: first.sessionId }, meta, headers: new Headers() });

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
  // A strategy made and its webhook URL rotated as the admin console does: those two answers are
  // the ones meant to carry a webhook URL (shown once); the list and every other place must not.
  const { createStrategy, listStrategies, rotateWebhookToken } = await import("~/server/strategies/strategy-service");
  const made = await createStrategy(db, { id: userId, meta }, { name: "scan", allowedSymbols: ["BTC/USDT"], marketType: "SPOT" });
  const strategy = made.strategy;
  const firstWebhookToken = made.webhookPath.split("/").at(-1)!;
  const webhookToken = (await rotateWebhookToken(db, { id: userId, meta }, strategy.id)).webhookPath.split("/").at(-1)!;
  keep(await listStrategies(db));
  expect((keep(await receiveSignal({ db, sql: t.database.sql, jobs: getEngine().deps.jobs }, { pathToken: firstWebhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000 }), ip: null })) as { status: number }).status).toBe(404);
  const creds = await db.exchangeCredential.findMany({ where: { userId } });
  keep(await me.strategies.subscribe({ strategyId: strategy.id, credentialId: creds.find((c) => c.exchange === "BINANCE")!.id, sizingMode: "FIXED_QUOTE", sizingValue: 20 }));
  const engine = await startEngineWorkers({ concurrency: 4 });
  const r = keep(await receiveSignal({ db, sql: t.database.sql, jobs: getEngine().deps.jobs }, { pathToken: webhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: 50000 }), ip: null })) as { body: { signalId: string } };
  for (let i = 0; i < 200 && (await db.signal.findUnique({ where: { id: r.body.signalId } }))?.status !== "DONE"; i++) await new Promise((res) => setTimeout(res, 50));
  expect((await db.execution.findMany({ where: { signalId: r.body.signalId } })).map((e) => e.status)).toEqual(["FILLED"]);
  keep(await me.strategies.myExecutions());
  keep(await me.user.securityLog());
  await engine.worker?.stop();

  // Rotation to a new master key.
  const oldKey = Buffer.from(process.env.ENCRYPTION_KEY!, "hex");
  keep(await rotateCredentials(db, createKeyring({ primary: crypto.randomBytes(32), old: [oldKey] })));
  // 2FA, step-up, a password change and a reset (which ends `me`'s session, so it comes last).
  // twoFactorSetup and twoFactorEnable are the two responses meant to carry the secret and the codes.
  const { secret: totpSecret } = await me.account.twoFactorSetup();
  const { recoveryCodes, handoff } = await me.account.twoFactorEnable({ code: await generate({ secret: totpSecret }) });
  // Turning 2FA on ended `me`'s session; this "browser" moves on with the handoff, as the UI does.
  const { claimSessionHandoff } = await import("~/server/auth/sessions");
  const moved = (await claimSessionHandoff(db, userId, first.sessionId, handoff!))!;
  const me2 = appRouter.createCaller({ db, auth: { userId, via: "session", sessionId: moved }, meta, headers: new Headers() });
  keep(await signIn(db, { email: "scan@example.com", password, code: await generate({ secret: totpSecret, epoch: Math.floor(Date.now() / 1000) + 30 }) }, signInCtx));
  keep(await signIn(db, { email: "scan@example.com", password, code: recoveryCodes[0] }, signInCtx));
  keep(await signIn(db, { email: "scan@example.com", password, code: "000000" }, signInCtx));
  keep(await me2.account.stepUp({ password }));
  keep(await me2.account.stepUp({ code: recoveryCodes[1] }));
  const newPassword = `np-${crypto.randomBytes(12).toString("hex")}`;
  keep(await me2.account.changePassword({ currentPassword: password, newPassword }));
  keep(await anon.auth.requestPasswordReset({ email: "scan@example.com" }));
  const resetToken = tokenFromLink(await mailLink("Reset your KeyRelay password", "/reset-password"));
  const resetPassword = `rp-${crypto.randomBytes(12).toString("hex")}`;
  keep(await anon.auth.resetPassword({ token: resetToken, password: resetPassword }));
  keep(await anon.auth.resetPassword({ token: resetToken, password: resetPassword }).catch((e: Error) => e.message));
  const again = (await signIn(db, { email: "scan@example.com", password: resetPassword, code: recoveryCodes[2] }, signInCtx)) as { sessionId: string };
  const meAgain = appRouter.createCaller({ db, auth: { userId, via: "session", sessionId: again.sessionId }, meta, headers: new Headers() });
  keep(await meAgain.account.sessions());
  keep(await meAgain.account.twoFactorStatus());
  logs.restore();

  const needles: Record<string, string> = {
    binanceSecret: binance.secret,
    bybitSecret: bybit.secret,
    password,
    newPassword,
    resetPassword,
    token,
    webhookToken,
    firstWebhookToken,
    verifyToken,
    resetToken,
    totpSecret,
    ...Object.fromEntries(recoveryCodes.map((c, i) => [`recoveryCode${i}`, c])),
    ...Object.fromEntries(recoveryCodes.map((c, i) => [`recoveryCode${i}Bare`, c.replace(/-/g, "")])),
  };
  const haystacks: Record<string, string> = { logs: logs.text(), responses: responses.join("\n") };
  expect(logs.lines().length).toBeGreaterThan(2); // the scan must have had log lines to search
  // Every text-like column of every table (ours and the job queue's), except the sealed secret.
  const columns = await t.database.raw.query<{ table_schema: string; table_name: string; column_name: string }>(
    `SELECT table_schema, table_name, column_name FROM information_schema.columns
     WHERE table_schema IN ('public', 'graphile_worker') AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')
       AND NOT (table_name = 'ExchangeCredential' AND column_name = 'sealedSecret')
       AND NOT (table_name = 'User' AND column_name = 'totpSecretSealed')`,
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
  const totpSealed = await db.user.findMany({ select: { totpSecretSealed: true } });
  expect(totpSealed.some((u) => u.totpSecretSealed?.includes(totpSecret))).toBe(false);
  // The emails did carry the links (the one place they belong).
  expect(smtp.messages.some((m) => m.text.includes(resetToken))).toBe(true);
}, 120_000);
