/**
 * Password reset by email, read from a real SMTP server: the same answer for unknown addresses,
 * a link that works once, for 30 minutes, stored only as a hash, that ends every session and
 * leaves 2FA on; and the "password changed" email.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSmtpCapture, tokenFromLink, type SmtpCapture } from "~/server/test/smtp-capture";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { sessionAuth } from "~/server/test/test-session";

let t: TestDatabase;
let smtp: SmtpCapture;
const meta = { ip: "192.0.2.70", userAgent: "reset-test/1.0" };

beforeAll(async () => {
  [t, smtp] = await Promise.all([createTestDatabase(), startSmtpCapture()]);
  Object.assign(process.env, { DATABASE_URL: t.url, ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"), SMTP_URL: smtp.url, NEXTAUTH_URL: "https://keyrelay.example" });
  const { configureRateLimits } = await import("~/server/ratelimit/process-rate-limits");
  configureRateLimits({ databaseUrl: null });
});
// Fresh counters per test: each is one person's reset, all from this one test IP.
beforeEach(async () => (await import("~/server/ratelimit/process-rate-limits")).configureRateLimits({ databaseUrl: null }));
afterAll(async () => {
  const { closeDatabase } = await import("~/server/db");
  await closeDatabase();
  await smtp.close();
  await t.drop();
});

const db = () => t.database.prisma;

async function anon() {
  const { appRouter } = await import("~/server/api/root");
  return appRouter.createCaller({ db: db(), auth: null, meta, headers: new Headers() });
}

async function resetLink(email: string, nth = 0): Promise<string> {
  const { flushMail } = await import("~/server/mail/mailer");
  await flushMail();
  await smtp.waitFor((m) => m.to.includes(email) && m.subject === "Reset your KeyRelay password");
  const mail = smtp.messages.filter((m) => m.to.includes(email) && m.subject === "Reset your KeyRelay password")[nth]!;
  return mail.links.find((l) => l.includes("/reset-password"))!;
}

async function passwordWorks(email: string, password: string) {
  const { checkPassword } = await import("~/server/auth/users");
  return (await checkPassword(db(), { email, password })).ok;
}

describe("password reset", () => {
  it("answers the same for an unknown address, and emails nothing there", async () => {
    const api = await anon();
    expect(await api.auth.requestPasswordReset({ email: "nobody-here@example.com" })).toEqual({ status: "check_email" });
    const { flushMail } = await import("~/server/mail/mailer");
    await flushMail();
    expect(smtp.messages.filter((m) => m.to.includes("nobody-here@example.com"))).toEqual([]);
  });

  it("ATTACK: the link works once, only the newest one works, and it ends every session (a stolen cookie included)", async () => {
    const { createOrUpdateUser } = await import("~/server/auth/users");
    const { user } = await createOrUpdateUser(db(), { email: "forgetful@example.com", password: "the old long password" });
    const stolen = await sessionAuth(db(), user.id);
    const api = await anon();
    expect(await api.auth.requestPasswordReset({ email: "forgetful@example.com" })).toEqual({ status: "check_email" });
    const first = await resetLink("forgetful@example.com");
    expect(first).toMatch(/^https:\/\/keyrelay\.example\/reset-password#token=[A-Za-z0-9_-]{43}$/);
    await api.auth.requestPasswordReset({ email: "forgetful@example.com" });
    const second = await resetLink("forgetful@example.com", 1);
    expect(second).not.toBe(first);
    // Only hashes are stored.
    const rows = await db().accountToken.findMany({ where: { userId: user.id } });
    for (const link of [first, second]) expect(rows.some((r) => r.tokenHash === tokenFromLink(link))).toBe(false);

    await expect(api.auth.resetPassword({ token: tokenFromLink(first), password: "a fresh long passphrase" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/expired or was already used/) });
    // A weak password is refused without spending the link.
    await expect(api.auth.resetPassword({ token: tokenFromLink(second), password: "1234567890ab" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await api.auth.resetPassword({ token: tokenFromLink(second), password: "a fresh long passphrase" })).toEqual({ email: "forgetful@example.com" });
    await expect(api.auth.resetPassword({ token: tokenFromLink(second), password: "yet another passphrase" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await passwordWorks("forgetful@example.com", "a fresh long passphrase")).toBe(true);
    expect(await passwordWorks("forgetful@example.com", "yet another passphrase")).toBe(false);
    expect((await db().session.findUniqueOrThrow({ where: { id: stolen.sessionId } })).revokedReason).toBe("password_reset");
    const { flushMail } = await import("~/server/mail/mailer");
    await flushMail();
    await smtp.waitFor((m) => m.to.includes("forgetful@example.com") && m.subject === "Your KeyRelay password was reset");
  });

  it("a link expires after 30 minutes", async () => {
    const { createOrUpdateUser } = await import("~/server/auth/users");
    const { user } = await createOrUpdateUser(db(), { email: "slow@example.com", password: "the old long password" });
    await (await anon()).auth.requestPasswordReset({ email: "slow@example.com" });
    const link = await resetLink("slow@example.com");
    const row = await db().accountToken.findFirstOrThrow({ where: { userId: user.id, purpose: "RESET_PASSWORD" } });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(30 * 60_000);
    await db().accountToken.update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect((await anon()).auth.resetPassword({ token: tokenFromLink(link), password: "a fresh long passphrase" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await passwordWorks("slow@example.com", "the old long password")).toBe(true);
  });

  it("a reset confirms an unverified address (it proves control of it) but leaves 2FA on", async () => {
    const { signUp } = await import("~/server/auth/users");
    await signUp(db(), { name: "Una", email: "una@example.com", password: "una's long password" }, { meta });
    await db().user.update({ where: { email: "una@example.com" }, data: { totpEnabledAt: new Date(), totpSecretSealed: "v1.00000000.x.y.z" } });
    await (await anon()).auth.requestPasswordReset({ email: "una@example.com" });
    await (await anon()).auth.resetPassword({ token: tokenFromLink(await resetLink("una@example.com")), password: "una's brand new passphrase" });
    const u = await db().user.findUniqueOrThrow({ where: { email: "una@example.com" } });
    expect(u.emailVerifiedAt).toBeInstanceOf(Date);
    expect(u.totpEnabledAt).toBeInstanceOf(Date);
  });
});
