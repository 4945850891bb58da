/**
 * Two-factor authentication and step-up against a real database: enrolment from the QR secret,
 * sign-in needing the code, a code that cannot be replayed, recovery codes that work once, 2FA
 * required for admins, and the step-up in front of every action that can move money, on tRPC
 * and on the REST API's browser-session path (API tokens pass, as documented).
 */
import crypto from "node:crypto";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthInfo } from "~/server/auth/request-context";
import { startSmtpCapture, type SmtpCapture } from "~/server/test/smtp-capture";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import { sessionAuth } from "~/server/test/test-session";
import { startSimulator, type Simulator } from "~/sim/server";
import { createSimAccount, simPost } from "~/sim/ccxt-test-clients";

let t: TestDatabase;
let smtp: SmtpCapture;
let sim: Simulator;
const SECRET = crypto.randomBytes(32).toString("hex");
const meta = { ip: "192.0.2.60", userAgent: "2fa-test/1.0" };
const PASSWORD = "two factor test password";

beforeAll(async () => {
  [t, smtp, sim] = await Promise.all([createTestDatabase(), startSmtpCapture(), startSimulator({ port: 0 })]);
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    NEXTAUTH_SECRET: SECRET,
    ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
    SMTP_URL: smtp.url,
    EXCHANGE_SIMULATOR_URL: sim.url,
  });
  const { configureRateLimits } = await import("~/server/ratelimit/process-rate-limits");
  configureRateLimits({ databaseUrl: null });
});
afterAll(async () => {
  const { closeDatabase } = await import("~/server/db");
  await closeDatabase();
  await Promise.all([smtp.close(), sim.close()]);
  await t.drop();
});

const db = () => t.database.prisma;

async function keyring() {
  return (await import("~/server/vault/process-keyring")).getKeyring();
}

async function caller(auth: AuthInfo | null) {
  const { appRouter } = await import("~/server/api/root");
  return appRouter.createCaller({ db: db(), auth, meta, headers: new Headers() });
}

async function newUser(email: string, opts: { admin?: boolean } = {}) {
  const { createOrUpdateUser } = await import("~/server/auth/users");
  return (await createOrUpdateUser(db(), { email, password: PASSWORD, admin: opts.admin ?? false, tier: "PRO" })).user;
}

async function signIn(email: string, extra: { code?: string } = {}) {
  const { signIn: run } = await import("~/server/auth/sign-in");
  return run(db(), { email, password: PASSWORD, ...extra }, { meta, adminEmails: [], keyring: await keyring() });
}

/** A TOTP code for `offsetSteps` 30-second steps from now (a code already used for this step is refused). */
const totp = (secret: string, offsetSteps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

/** Turning 2FA on ends every session; the browser that did it moves on with the handoff (as the UI does). */
async function moveOn(auth: AuthInfo & { via: "session" }, handoff: string | null): Promise<AuthInfo & { via: "session" }> {
  const { claimSessionHandoff } = await import("~/server/auth/sessions");
  const sessionId = await claimSessionHandoff(db(), auth.userId, auth.sessionId, handoff ?? "");
  if (!sessionId) throw new Error("the handoff did not work");
  return { ...auth, sessionId };
}

async function enrol(auth: AuthInfo & { via: "session" }) {
  const api = await caller(auth);
  const setup = await api.account.twoFactorSetup();
  const { recoveryCodes, handoff } = await api.account.twoFactorEnable({ code: await totp(setup.secret) });
  return { secret: setup.secret, recoveryCodes, setup, auth: await moveOn(auth, handoff) };
}

describe("two-factor authentication", () => {
  it("enrols from the QR secret; sign-in then needs a code; a code works once; recovery codes work once each", async () => {
    const user = await newUser("totp@example.com");
    const auth = await sessionAuth(db(), user.id);
    const other = await sessionAuth(db(), user.id);
    const { secret, recoveryCodes, setup, auth: moved } = await enrol(auth);
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\/KeyRelay:totp%40example\.com\?secret=[A-Z2-7]+&issuer=KeyRelay/);
    expect(setup.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    // Stored: the secret sealed (not in the clear), the recovery codes only as hashes.
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.totpEnabledAt).toBeInstanceOf(Date);
    expect(row.totpSecretSealed).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(row.totpSecretSealed).not.toContain(secret);
    const hashes = await db().recoveryCode.findMany({ where: { userId: user.id } });
    expect(hashes.some((h) => recoveryCodes.some((c) => h.codeHash.includes(c.replace(/-/g, ""))))).toBe(false);
    // Turning 2FA on ended every session (a copy of this one's cookie too); this browser moved on.
    for (const id of [other.sessionId, auth.sessionId]) expect((await db().session.findUniqueOrThrow({ where: { id } })).revokedReason).toBe("two_factor_change");
    expect((await db().session.findUniqueOrThrow({ where: { id: moved.sessionId } })).revokedAt).toBeNull();

    expect(await signIn("totp@example.com")).toEqual({ ok: false, reason: "second_factor_required" });
    expect(await signIn("totp@example.com", { code: "000000" })).toEqual({ ok: false, reason: "second_factor_invalid" });
    const code = await totp(secret, 1);
    expect(await signIn("totp@example.com", { code })).toMatchObject({ ok: true });
    // ATTACK: the same code replayed (e.g. phished and relayed) is refused.
    expect(await signIn("totp@example.com", { code })).toEqual({ ok: false, reason: "second_factor_invalid" });

    const recovery = recoveryCodes[0]!;
    expect(await signIn("totp@example.com", { code: recovery.toUpperCase() })).toMatchObject({ ok: true });
    expect(await signIn("totp@example.com", { code: recovery })).toEqual({ ok: false, reason: "second_factor_invalid" });
    expect((await (await caller(moved)).account.twoFactorStatus()).recoveryCodesLeft).toBe(9);
    const { flushMail } = await import("~/server/mail/mailer");
    await flushMail();
    const used = await smtp.waitFor((m) => m.to.includes("totp@example.com") && m.subject === "A KeyRelay recovery code was used");
    expect(used.text).toContain("9 unused codes left");
    await smtp.waitFor((m) => m.to.includes("totp@example.com") && m.subject.startsWith("Two-factor authentication is on"));
    const audit = await db().auditLog.findMany({ where: { actorId: user.id, action: { in: ["auth.two_factor_enable", "auth.second_factor", "auth.sign_in"] } }, orderBy: { id: "asc" } });
    expect(audit.map((a) => `${a.action}:${a.outcome}:${(a.details as { reason?: string; secondFactor?: string } | null)?.reason ?? (a.details as { secondFactor?: string } | null)?.secondFactor ?? ""}`)).toEqual([
      "auth.two_factor_enable:SUCCESS:",
      "auth.sign_in:FAILURE:second_factor_required",
      "auth.second_factor:FAILURE:bad_code",
      "auth.sign_in:SUCCESS:totp",
      "auth.second_factor:FAILURE:bad_code",
      "auth.sign_in:SUCCESS:recovery_code",
      "auth.second_factor:FAILURE:bad_code",
    ]);
  });

  it("ATTACK: guessing codes is rate-limited per account, whatever the IP", async () => {
    const user = await newUser("guess@example.com");
    await enrol(await sessionAuth(db(), user.id));
    const results = [];
    for (let i = 0; i < 11; i++) results.push((await signIn("guess@example.com", { code: String(100000 + i) })) as { reason?: string });
    expect(results.slice(0, 10).every((r) => r.reason === "second_factor_invalid")).toBe(true);
    expect(results[10]!.reason).toBe("second_factor_rate_limited");
  });

  it("a wrong code does not enable 2FA; turning it off needs a step-up, signs out other sessions and removes the codes", async () => {
    const user = await newUser("off2fa@example.com");
    const auth = await sessionAuth(db(), user.id);
    const api = await caller(auth);
    await api.account.twoFactorSetup();
    await expect(api.account.twoFactorEnable({ code: "123456" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await api.account.twoFactorStatus()).enabled).toBe(false);
    const enrolled = await enrol(auth);
    const secret = enrolled.secret;
    const me = await caller(enrolled.auth);
    const other = await sessionAuth(db(), user.id);
    await db().session.update({ where: { id: enrolled.auth.sessionId }, data: { stepUpAt: new Date(Date.now() - 10 * 60_000) } });
    await expect(me.account.twoFactorDisable()).rejects.toMatchObject({ code: "FORBIDDEN", cause: { code: "STEP_UP_REQUIRED" } });
    await me.account.stepUp({ code: await totp(secret, 1) });
    expect(await me.account.twoFactorDisable()).toEqual({ enabled: false, handoff: expect.any(String) });
    expect((await db().session.findUniqueOrThrow({ where: { id: other.sessionId } })).revokedReason).toBe("two_factor_change");
    expect(await db().recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(await signIn("off2fa@example.com")).toMatchObject({ ok: true });
  });

  it("admins must have 2FA: without it every admin procedure is refused with the reason; with it they pass", async () => {
    const admin = await newUser("admin2fa@example.com", { admin: true });
    const auth = await sessionAuth(db(), admin.id);
    const api = await caller(auth);
    const refused = await api.admin.users({}).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/Admins must use two-factor authentication/) });
    expect((await api.account.twoFactorStatus()).required).toBe(true);
    const { auth: moved } = await enrol(auth);
    await expect((await caller(moved)).admin.users({})).resolves.toMatchObject({ items: expect.any(Array) });
  });
});

describe("key rotation", () => {
  it("keys:rotate re-seals 2FA secrets with the exchange secrets, and keys:status counts them", async () => {
    const user = await newUser("rotate2fa@example.com");
    const { secret } = await enrol(await sessionAuth(db(), user.id));
    const { createKeyring } = await import("~/server/vault/keyring");
    const { credentialsByKeyId, rotateCredentials } = await import("~/server/keys/rotate-credentials");
    const { checkSecondFactor } = await import("~/server/auth/two-factor");
    const old = await keyring();
    expect((await credentialsByKeyId(db()))[old.primaryId]).toBeGreaterThanOrEqual(1);
    const oldKey = Buffer.from(process.env.ENCRYPTION_KEY!, "hex");
    const newKey = crypto.randomBytes(32);
    const next = createKeyring({ primary: newKey, old: [oldKey] });
    const result = await rotateCredentials(db(), next);
    expect(result.failed).toBe(0);
    const counts = await credentialsByKeyId(db());
    expect(counts[old.primaryId] ?? 0).toBe(0);
    expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).totpSecretSealed).toMatch(new RegExp(`^v1\\.${next.primaryId}\\.`));
    // The new primary key alone opens it: the old key can be retired.
    const onlyNew = createKeyring({ primary: newKey });
    expect(await checkSecondFactor(db(), onlyNew, user.id, await totp(secret, 1))).toEqual({ ok: true, method: "totp" });
  });
});

describe("step-up before actions that can move money", () => {
  async function stale(auth: AuthInfo & { via: "session" }) {
    await db().session.update({ where: { id: auth.sessionId }, data: { stepUpAt: new Date(Date.now() - 6 * 60_000) } });
  }

  it("ATTACK: a session that has not re-entered its password lately cannot save or delete a key, go PERSONAL, create a token or rotate a webhook URL", async () => {
    const user = await newUser("stepup@example.com", { admin: true });
    const { auth } = await enrol(await sessionAuth(db(), user.id));
    await stale(auth);
    const api = await caller(auth);
    await simPost(sim.url, "/__sim/prices", { exchange: "bybit", symbol: "BTC/USDT", price: "50000" });
    const key = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: "1000" } });
    const strategy = await insertStrategy(db(), { name: "step-up", allowedSymbols: ["BTC/USDT"] });
    const attempts: [string, () => Promise<unknown>][] = [
      ["keys.save", () => api.keys.save({ exchange: "bybit", apiKey: key.apiKey, apiSecret: key.secret })],
      ["keys.delete", () => api.keys.delete({ exchange: "bybit" })],
      ["keys.setTradingMode PERSONAL", () => api.keys.setTradingMode({ mode: "PERSONAL" })],
      ["tokens.create", () => api.tokens.create({ name: "x", days: 7 })],
      ["strategies.rotateToken", () => api.strategies.rotateToken({ id: strategy.id })],
      ["account.twoFactorDisable", () => api.account.twoFactorDisable()],
    ];
    for (const [name, attempt] of attempts) {
      await expect(attempt(), name).rejects.toMatchObject({ code: "FORBIDDEN", message: "Confirm it's you: enter your password or a two-factor code, then try again.", cause: { code: "STEP_UP_REQUIRED" } });
    }
    expect(await db().exchangeCredential.count({ where: { userId: user.id } })).toBe(0);
    expect(await db().apiToken.count({ where: { userId: user.id } })).toBe(0);
    // PAPER and OFF are not money-moving: no step-up needed.
    await expect(api.keys.setTradingMode({ mode: "PAPER" })).resolves.toMatchObject({ mode: "PAPER" });

    await expect(api.account.stepUp({ password: "not the password" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await api.account.stepUp({ password: PASSWORD });
    await expect(api.keys.save({ exchange: "bybit", apiKey: key.apiKey, apiSecret: key.secret })).resolves.toMatchObject({ credential: { status: "ACTIVE" } });
    await expect(api.keys.setTradingMode({ mode: "PERSONAL" })).resolves.toMatchObject({ mode: "PERSONAL" });
    await expect(api.tokens.create({ name: "after step-up", days: 7 })).resolves.toMatchObject({ name: "after step-up" });
    await expect(api.strategies.rotateToken({ id: strategy.id })).resolves.toMatchObject({ id: strategy.id });
    const steps = await db().auditLog.findMany({ where: { action: "auth.step_up", actorId: user.id }, orderBy: { id: "asc" } });
    expect(steps.map((s) => s.outcome)).toEqual(["FAILURE", "SUCCESS"]);
  });

  it("ATTACK: the REST API asks a browser session to step up too; an API token is not asked (documented)", async () => {
    const user = await newUser("reststep@example.com");
    const auth = await sessionAuth(db(), user.id);
    const { appRouter } = await import("~/server/api/root");
    const token = (await appRouter.createCaller({ db: db(), auth, meta, headers: new Headers() }).tokens.create({ name: "script", days: 7 })).token;
    await stale(auth);
    const { encode } = await import("next-auth/jwt");
    const cookie = `next-auth.session-token=${await encode({ token: { uid: user.id, sid: auth.sessionId }, secret: SECRET })}`;
    const key = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: "1000" } });
    const { handleUserApiKeys } = await import("~/server/api/rest/user-api-keys");
    const post = (headers: Record<string, string>) =>
      handleUserApiKeys(
        new Request("http://localhost/api/user-api-keys/bybit", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ apiKey: key.apiKey, apiSecret: key.secret }) }),
        ["bybit"],
      );
    const bySession = await post({ cookie });
    expect(bySession.status).toBe(403);
    expect(await bySession.json()).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringMatching(/^Confirm it's you/) } });
    expect(await db().exchangeCredential.count({ where: { userId: user.id } })).toBe(0);
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(200);
  });
});
