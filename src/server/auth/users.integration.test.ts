import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "~/server/api/root";
import { authenticate, createOrUpdateUser, recordSignOut, signUp } from "~/server/auth/users";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

const meta = { ip: "203.0.113.7", userAgent: "vitest-agent/1.0" };

async function callSignUp(body: unknown) {
  const req = new Request("http://localhost/api/trpc/auth.signUp", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: body }),
  });
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => ({ db: t.database.prisma, auth: null, meta, headers: req.headers }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { json: { message: string; data: { fieldErrors: Record<string, string> } } } } };
}

describe("accounts", () => {
  it("sign-up, sign-in (success and failure) and sign-out are audited with IP and user agent", async () => {
    const r = await signUp(t.database.prisma, { name: "Grace", email: "grace@example.com", password: "a good long password" }, { meta, adminEmails: [] });
    expect(r.ok).toBe(true);
    const user = await authenticate(t.database.prisma, { email: "GRACE@example.com ", password: "a good long password" }, meta);
    expect(user?.email).toBe("grace@example.com");
    expect(user?.tier).toBe("TRIAL");
    expect(await authenticate(t.database.prisma, { email: "grace@example.com", password: "wrong password!" }, meta)).toBeNull();
    expect(await authenticate(t.database.prisma, { email: "nobody@example.com", password: "whatever123" }, meta)).toBeNull();
    await recordSignOut(t.database.prisma, { id: user!.id, email: user!.email }, meta);

    const rows = await t.database.prisma.auditLog.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((x) => [x.action, x.outcome, x.actorEmail])).toEqual([
      ["auth.sign_up", "SUCCESS", "grace@example.com"],
      ["auth.sign_in", "SUCCESS", "grace@example.com"],
      ["auth.sign_in", "FAILURE", "grace@example.com"],
      ["auth.sign_in", "FAILURE", "nobody@example.com"],
      ["auth.sign_out", "SUCCESS", "grace@example.com"],
    ]);
    for (const row of rows) {
      expect(row.ip).toBe("203.0.113.7");
      expect(row.userAgent).toBe("vitest-agent/1.0");
      expect(row.createdAt).toBeInstanceOf(Date);
    }
    expect(JSON.stringify(rows.map((x) => x.details))).not.toContain("a good long password");
  });

  it("ADMIN_EMAILS makes an account an admin at sign-up; trial accounts get an end date", async () => {
    await signUp(t.database.prisma, { name: "Ops", email: "ops@example.com", password: "a good long password" }, { meta, adminEmails: ["ops@example.com"] });
    const u = await t.database.prisma.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    expect(u.role).toBe("ADMIN");
    expect(u.trialEndsAt!.getTime()).toBeGreaterThan(Date.now() + 13 * 86_400_000);
  });

  it("a disabled account cannot sign in", async () => {
    const { user } = await createOrUpdateUser(t.database.prisma, { email: "off@example.com", password: "a good long password", tier: "PRO" });
    await t.database.prisma.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await authenticate(t.database.prisma, { email: "off@example.com", password: "a good long password" }, meta)).toBeNull();
  });

  it("bad sign-up input gets field-level messages over HTTP and stores nothing", async () => {
    const before = await t.database.prisma.user.count();
    const bad = await callSignUp({ name: "X", email: "nope", password: "short" });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.json.data.fieldErrors).toEqual({
      email: "Enter a valid email address, like you@example.com.",
      password: "Use at least 10 characters for your password.",
    });
    const missing = await callSignUp({});
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.error!.json.data.fieldErrors).sort()).toEqual(["email", "name", "password"]);
    const dup = await callSignUp({ name: "Grace 2", email: "grace@example.com", password: "another long password" });
    expect(dup.status).toBe(400);
    expect(dup.body.error!.json.data.fieldErrors).toEqual({ email: "An account with this email already exists. Sign in instead." });
    expect(await t.database.prisma.user.count()).toBe(before);
    expect(JSON.stringify(dup.body)).not.toContain("another long password");
  });

  it("the operator CLI path creates and then updates idempotently", async () => {
    const a = await createOrUpdateUser(t.database.prisma, { email: "cli@example.com", password: "cli password 123", admin: true, tier: "PRO" });
    const b = await createOrUpdateUser(t.database.prisma, { email: "cli@example.com", password: "cli password 456", tier: "FLEX" });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.user.tier).toBe("FLEX");
    expect(await authenticate(t.database.prisma, { email: "cli@example.com", password: "cli password 456" }, meta)).not.toBeNull();
  });
});
