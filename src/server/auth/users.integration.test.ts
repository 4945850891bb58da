/**
 * Accounts against a real database and a real SMTP server: sign-up (no admin by sign-up, no
 * account enumeration, verification by email, a rate limit that a tRPC batch cannot get around),
 * sign-in audit rows, password strength, and the operator CLI path.
 */
import crypto from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appRouter } from "~/server/api/root";
import { signIn } from "~/server/auth/sign-in";
import { createOrUpdateUser, recordSignOut, signUp } from "~/server/auth/users";
import { flushMail } from "~/server/mail/mailer";
import { configureRateLimits } from "~/server/ratelimit/process-rate-limits";
import { startSmtpCapture, tokenFromLink, type SmtpCapture } from "~/server/test/smtp-capture";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createKeyring } from "~/server/vault/keyring";

let t: TestDatabase;
let smtp: SmtpCapture;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });
const saved = { SMTP_URL: process.env.SMTP_URL, NEXTAUTH_URL: process.env.NEXTAUTH_URL };

beforeAll(async () => {
  [t, smtp] = await Promise.all([createTestDatabase(), startSmtpCapture()]);
  process.env.SMTP_URL = smtp.url;
  process.env.NEXTAUTH_URL = "http://keyrelay.test:3333";
});
beforeEach(() => configureRateLimits({ databaseUrl: null }));
afterAll(async () => {
  Object.assign(process.env, saved);
  if (saved.SMTP_URL === undefined) delete process.env.SMTP_URL;
  if (saved.NEXTAUTH_URL === undefined) delete process.env.NEXTAUTH_URL;
  configureRateLimits({});
  await smtp.close();
  await t.drop();
});

const meta = { ip: "203.0.113.7", userAgent: "vitest-agent/1.0" };
const db = () => t.database.prisma;
const ctx = (adminEmails: string[] = []) => ({ meta, adminEmails, keyring });

async function trpcHttp(path: string, body: unknown, batch = false) {
  const req = new Request(`http://localhost/api/trpc/${path}${batch ? "?batch=1" : ""}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => ({ db: db(), auth: null, meta, headers: req.headers }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

type TrpcErrorBody = { error?: { json: { message: string; data: { fieldErrors: Record<string, string> } } } };

async function verificationLink(email: string) {
  await flushMail();
  const mail = await smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith("Confirm your email"));
  return mail.links.find((l) => l.includes("/verify-email"))!;
}

describe("sign-up", () => {
  it("ATTACK: signing up with an ADMIN_EMAILS address does not make an admin; verifying the address does", async () => {
    const email = "ops@example.com";
    await signUp(db(), { name: "Ops", email, password: "a good long password" }, { meta });
    const u = await db().user.findUniqueOrThrow({ where: { email } });
    expect(u.role).toBe("USER");
    expect(u.emailVerifiedAt).toBeNull();
    expect(u.trialEndsAt!.getTime()).toBeGreaterThan(Date.now() + 13 * 86_400_000);

    // The password alone does not sign in an unverified account, even one listed in ADMIN_EMAILS.
    expect(await signIn(db(), { email, password: "a good long password" }, ctx([email]))).toEqual({ ok: false, reason: "email_not_verified" });
    expect((await db().user.findUniqueOrThrow({ where: { email } })).role).toBe("USER");
    expect(await db().session.count({ where: { userId: u.id } })).toBe(0);

    // The owner of the address opens the link from the email and signs in: now verified, now admin.
    const link = await verificationLink(email);
    expect(link).toMatch(/^http:\/\/keyrelay\.test:3333\/verify-email#token=/);
    const r = await signIn(db(), { email, password: "a good long password", verifyToken: tokenFromLink(link) }, ctx([email]));
    expect(r).toMatchObject({ ok: true, user: { role: "ADMIN" } });
    const after = await db().user.findUniqueOrThrow({ where: { email } });
    expect(after.emailVerifiedAt).toBeInstanceOf(Date);
    const grants = await db().auditLog.findMany({ where: { action: "user.admin_grant", actorId: u.id } });
    expect(grants.map((g) => g.details)).toEqual([{ via: "ADMIN_EMAILS" }]);
  });

  it("a verification link works once, only with the account's password, and only for its own account", async () => {
    await signUp(db(), { name: "Vera", email: "vera@example.com", password: "vera's long password" }, { meta });
    await signUp(db(), { name: "Mallory", email: "mallory@example.com", password: "mallory's long password" }, { meta });
    const link = await verificationLink("vera@example.com");
    const token = tokenFromLink(link);
    // Someone else's account with Vera's link: refused (and Vera's link is not spent by it).
    expect(await signIn(db(), { email: "mallory@example.com", password: "mallory's long password", verifyToken: token }, ctx())).toMatchObject({ ok: false, reason: "email_not_verified" });
    // The link without the password: nothing.
    expect(await signIn(db(), { email: "vera@example.com", password: "wrong password guess", verifyToken: token }, ctx())).toMatchObject({ ok: false, reason: "bad_credentials" });
    expect(await signIn(db(), { email: "vera@example.com", password: "vera's long password", verifyToken: token }, ctx())).toMatchObject({ ok: true });
    // Used: a second use changes nothing (the account is verified now, so a plain sign-in works).
    const stored = await db().accountToken.findMany({ where: { user: { email: "vera@example.com" } } });
    expect(stored.every((s) => s.tokenHash !== token && s.tokenHash.length === 64)).toBe(true); // only a hash is stored
  });

  it("ATTACK: sign-up does not reveal an existing account: same answer, and the owner is emailed instead", async () => {
    await createOrUpdateUser(db(), { email: "taken@example.com", password: "the owner's password", name: "Owner" });
    const before = await db().user.count();
    const fresh = await trpcHttp("auth.signUp", { json: { name: "New", email: "fresh@example.com", password: "another long password" } });
    const taken = await trpcHttp("auth.signUp", { json: { name: "Intruder", email: "taken@example.com", password: "another long password" } });
    expect(fresh).toEqual(taken);
    expect(fresh).toEqual({ status: 200, body: { result: { data: { json: { status: "check_email" } } } } });
    expect(await db().user.count()).toBe(before + 1);
    await flushMail();
    const notice = await smtp.waitFor((m) => m.to.includes("taken@example.com"));
    expect(notice.subject).toBe("You already have a KeyRelay account");
    expect(notice.text).toContain("No new account was created");
    expect(notice.text).not.toContain("another long password");
    expect((await db().user.findUniqueOrThrow({ where: { email: "taken@example.com" } })).name).toBe("Owner");
  });

  it("ATTACK: a tRPC batch cannot create 10 accounts in one request (sign-up is rate-limited per IP, per call)", async () => {
    const before = await db().user.count();
    const calls = Array.from({ length: 10 }, (_, i) => ({ json: { name: `Bot ${i}`, email: `bot${i}@example.com`, password: "a good long password" } }));
    const body = Object.fromEntries(calls.map((c, i) => [String(i), c]));
    const res = await trpcHttp(Array.from({ length: 10 }, () => "auth.signUp").join(","), body, true);
    const results = res.body as { error?: { json: { data: { code: string } } } }[];
    expect(results.filter((r) => r.error?.json.data.code === "TOO_MANY_REQUESTS")).toHaveLength(5);
    expect(await db().user.count()).toBe(before + 5);
  });

  it("bad sign-up input gets field-level messages over HTTP and stores nothing; weak passwords are refused with the fix", async () => {
    const before = await db().user.count();
    const bad = await trpcHttp("auth.signUp", { json: { name: "X", email: "nope", password: "short" } });
    expect(bad.status).toBe(400);
    expect((bad.body as TrpcErrorBody).error!.json.data.fieldErrors).toEqual({
      email: "Enter a valid email address, like you@example.com.",
      password: "Use at least 12 characters for your password: three or four unrelated words make a strong one.",
    });
    const missing = await trpcHttp("auth.signUp", { json: {} });
    expect(missing.status).toBe(400);
    expect(Object.keys((missing.body as TrpcErrorBody).error!.json.data.fieldErrors).sort()).toEqual(["email", "name", "password"]);
    // The example: ten digits. Then twelve digits, long enough but guessable; then the email itself.
    for (const [password, message] of [
      ["1234567890", /^Use at least 12 characters for your password: three or four unrelated words/],
      ["123456789012", /^This password is too easy to guess.*Add more words that are less common/],
      ["weakling@example.com", /^This password is too easy to guess/],
    ] as const) {
      const r = await trpcHttp("auth.signUp", { json: { name: "Weak", email: "weakling@example.com", password } });
      expect(r.status, password).toBe(400);
      expect((r.body as TrpcErrorBody).error!.json.data.fieldErrors.password, password).toMatch(message);
    }
    expect(await db().user.count()).toBe(before);
  });
});

describe("sign-in", () => {
  it("sign-in (success and failure) and sign-out are audited with IP and user agent; sign-out ends the session", async () => {
    await createOrUpdateUser(db(), { email: "grace@example.com", password: "a good long password", name: "Grace" });
    const from = new Date();
    const ok = await signIn(db(), { email: "GRACE@example.com ", password: "a good long password" }, ctx());
    expect(ok).toMatchObject({ ok: true, user: { email: "grace@example.com", role: "USER" } });
    expect(await signIn(db(), { email: "grace@example.com", password: "wrong password!" }, ctx())).toEqual({ ok: false, reason: "bad_credentials" });
    expect(await signIn(db(), { email: "nobody@example.com", password: "whatever123" }, ctx())).toEqual({ ok: false, reason: "bad_credentials" });
    const { user, sessionId } = ok as { user: { id: string; email: string }; sessionId: string };
    await recordSignOut(db(), user, meta, sessionId);
    expect((await db().session.findUniqueOrThrow({ where: { id: sessionId } })).revokedReason).toBe("sign_out");

    const rows = await db().auditLog.findMany({ where: { createdAt: { gte: from }, actorEmail: { in: ["grace@example.com", "nobody@example.com"] } }, orderBy: { id: "asc" } });
    expect(rows.map((x) => [x.action, x.outcome, x.actorEmail])).toEqual([
      ["auth.sign_in", "SUCCESS", "grace@example.com"],
      ["auth.sign_in", "FAILURE", "grace@example.com"],
      ["auth.sign_in", "FAILURE", "nobody@example.com"],
      ["auth.sign_out", "SUCCESS", "grace@example.com"],
    ]);
    for (const row of rows) {
      expect(row.ip).toBe("203.0.113.7");
      expect(row.userAgent).toBe("vitest-agent/1.0");
    }
    expect(JSON.stringify(rows.map((x) => x.details))).not.toContain("a good long password");
  });

  it("a disabled account cannot sign in", async () => {
    const { user } = await createOrUpdateUser(db(), { email: "off@example.com", password: "a good long password", tier: "PRO" });
    await db().user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await signIn(db(), { email: "off@example.com", password: "a good long password" }, ctx())).toEqual({ ok: false, reason: "bad_credentials" });
  });

  it("a sign-in from a new browser or network emails the owner; the first sign-in and a known device do not", async () => {
    await createOrUpdateUser(db(), { email: "ned@example.com", password: "ned's long password" });
    await signIn(db(), { email: "ned@example.com", password: "ned's long password" }, ctx());
    await signIn(db(), { email: "ned@example.com", password: "ned's long password" }, ctx());
    await signIn(db(), { email: "ned@example.com", password: "ned's long password" }, { ...ctx(), meta: { ip: "198.51.100.9", userAgent: "Other/2.0" } });
    await flushMail();
    const mail = await smtp.waitFor((m) => m.to.includes("ned@example.com"));
    expect(mail.subject).toBe("New sign-in to your KeyRelay account");
    expect(mail.text).toContain("198.51.100.9");
    expect(mail.text).toContain("Other/2.0");
    expect(smtp.messages.filter((m) => m.to.includes("ned@example.com"))).toHaveLength(1);
  });
});

describe("the operator CLI path", () => {
  it("creates verified accounts and updates idempotently; setting a password there signs the account out everywhere", async () => {
    const a = await createOrUpdateUser(db(), { email: "cli@example.com", password: "cli password 123", admin: true, tier: "PRO" });
    expect(a.created).toBe(true);
    expect(a.user.role).toBe("ADMIN");
    expect(a.user.emailVerifiedAt).toBeInstanceOf(Date);
    const first = await signIn(db(), { email: "cli@example.com", password: "cli password 123" }, ctx());
    expect(first.ok).toBe(true);
    const b = await createOrUpdateUser(db(), { email: "cli@example.com", password: "cli password 456", tier: "FLEX" });
    expect(b.created).toBe(false);
    expect(b.user.tier).toBe("FLEX");
    expect((await db().session.findUniqueOrThrow({ where: { id: (first as { sessionId: string }).sessionId } })).revokedReason).toBe("operator");
    expect((await signIn(db(), { email: "cli@example.com", password: "cli password 456" }, ctx())).ok).toBe(true);
    await expect(createOrUpdateUser(db(), { email: "weak@example.com", password: "1234567890" })).rejects.toThrow(/at least 12 characters/);
  });
});
