/**
 * Revocable sessions, attacked the way a thief would: a copied session cookie (a real next-auth
 * JWT) replayed on the REST API's cookie path, the tRPC/page path (next-auth's JWT callback, which
 * getServerSession runs) and next-auth's own session endpoint (which would renew it for 7 days)
 * after sign-out, after a password change, after "sign out everywhere", after a session goes idle.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthInfo } from "~/server/auth/request-context";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
const SECRET = crypto.randomBytes(32).toString("hex");
const meta = { ip: "192.0.2.50", userAgent: "victim-browser/1.0" };
const PASSWORD = "the victim's long password";

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, { DATABASE_URL: t.url, NEXTAUTH_SECRET: SECRET, ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex") });
  delete process.env.NEXTAUTH_URL; // http: the cookie is next-auth.session-token
  const { configureRateLimits } = await import("~/server/ratelimit/process-rate-limits");
  configureRateLimits({ databaseUrl: null });
});
afterAll(async () => {
  const { closeDatabase } = await import("~/server/db");
  await closeDatabase();
  await t.drop();
});

const db = () => t.database.prisma;

/** Signs in as the victim would; returns the session cookie a thief could copy. */
async function signInCookie(email: string, password = PASSWORD, from = meta) {
  const { signIn } = await import("~/server/auth/sign-in");
  const { getKeyring } = await import("~/server/vault/process-keyring");
  const r = await signIn(db(), { email, password }, { meta: from, adminEmails: [], keyring: getKeyring() });
  if (!r.ok) throw new Error(`sign-in failed: ${r.reason}`);
  const { encode } = await import("next-auth/jwt");
  const jwt = await encode({ token: { uid: r.user.id, sid: r.sessionId, email, name: r.user.name }, secret: SECRET });
  return { cookie: `next-auth.session-token=${jwt}`, userId: r.user.id, sessionId: r.sessionId, jwt };
}

/** The REST API with a cookie (the browser-session path of /api/user-api-keys). */
async function restStatus(cookie: string): Promise<number> {
  const { handleUserApiKeys } = await import("~/server/api/rest/user-api-keys");
  const req = new Request("http://localhost/api/user-api-keys/all/status", { headers: { cookie, "x-keyrelay-client-ip": "198.51.100.66" } });
  return (await handleUserApiKeys(req, ["all", "status"])).status;
}

/** What getServerSession (tRPC context, server components, the audit CSV route) does with the cookie. */
async function jwtCallbackAccepts(jwt: string): Promise<boolean> {
  const { decode } = await import("next-auth/jwt");
  const { authOptions } = await import("~/server/auth/next-auth");
  const token = await decode({ token: jwt, secret: SECRET });
  try {
    await authOptions.callbacks!.jwt!({ token: token!, user: undefined as never, account: null });
    return true;
  } catch {
    return false;
  }
}

/**
 * next-auth's session read with a response to write cookies to (the form behind GET
 * /api/auth/session and getServerSession): for a live session it renews the cookie for 7 days.
 */
async function sessionEndpoint(cookie: string) {
  const { getServerSession } = await import("next-auth");
  const { authOptions } = await import("~/server/auth/next-auth");
  const [name, value] = cookie.split("=") as [string, string];
  const headers = new Map<string, string[]>();
  const res = { getHeader: (k: string) => headers.get(k.toLowerCase()), setHeader: (k: string, v: string[]) => headers.set(k.toLowerCase(), v) };
  const session = await getServerSession({ headers: {}, cookies: { [name]: value } } as never, res as never, { ...authOptions, secret: SECRET });
  const set = (headers.get("set-cookie") ?? []).find((c) => c.startsWith(`${name}=`));
  return { session: session as Record<string, unknown> | null, renewed: Boolean(set && !set.startsWith(`${name}=;`)), cleared: Boolean(set?.startsWith(`${name}=;`)) };
}

/** next-auth's session update (POST /api/auth/session with data): the JWT callback with trigger "update". */
async function updateWithHandoff(jwt: string, handoff: string): Promise<{ sid: string; cookie: string } | null> {
  const { decode, encode } = await import("next-auth/jwt");
  const { authOptions } = await import("~/server/auth/next-auth");
  const token = await decode({ token: jwt, secret: SECRET });
  try {
    const next = await authOptions.callbacks!.jwt!({ token: token!, user: undefined as never, account: null, trigger: "update", session: { handoff } });
    if (next.sid === token!.sid) return null;
    return { sid: next.sid as string, cookie: `next-auth.session-token=${await encode({ token: next, secret: SECRET })}` };
  } catch {
    return null;
  }
}

async function accountCaller(auth: AuthInfo) {
  const { appRouter } = await import("~/server/api/root");
  return appRouter.createCaller({ db: db(), auth, meta, headers: new Headers() });
}

async function newVictim(email: string) {
  const { createOrUpdateUser } = await import("~/server/auth/users");
  return (await createOrUpdateUser(db(), { email, password: PASSWORD, name: "Victim" })).user;
}

describe("a copied session cookie", () => {
  it("works while the session is live (the baseline the attacks below change)", async () => {
    await newVictim("live@example.com");
    const stolen = await signInCookie("live@example.com");
    expect(await restStatus(stolen.cookie)).toBe(200);
    expect(await jwtCallbackAccepts(stolen.jwt)).toBe(true);
    const s = await sessionEndpoint(stolen.cookie);
    expect(s.session).toMatchObject({ user: { email: "live@example.com" }, sid: stolen.sessionId });
    expect(s.renewed).toBe(true);
  });

  it("ATTACK: is refused everywhere after the victim signs out, and is not renewed", async () => {
    const user = await newVictim("signout@example.com");
    const stolen = await signInCookie("signout@example.com");
    expect(await restStatus(stolen.cookie)).toBe(200);
    const { recordSignOut } = await import("~/server/auth/users");
    await recordSignOut(db(), user, meta, stolen.sessionId); // what POST /api/auth/signout does
    expect(await restStatus(stolen.cookie)).toBe(401);
    expect(await jwtCallbackAccepts(stolen.jwt)).toBe(false);
    const s = await sessionEndpoint(stolen.cookie);
    expect(s.session).toBeNull();
    expect(s.renewed).toBe(false);
    expect(s.cleared).toBe(true);
    const denied = await db().auditLog.findFirst({ where: { action: "auth.denied", actorId: user.id }, orderBy: { id: "desc" } });
    expect(denied?.details).toMatchObject({ status: 401, reason: "session_ended" });
  });

  it("ATTACK: a copy of the victim's own cookie, and every other session, is refused after a password change; the victim's browser moves on with the handoff", async () => {
    await newVictim("pwchange@example.com");
    const victim = await signInCookie("pwchange@example.com");
    const copy = { ...victim }; // the thief copied this very cookie
    const other = await signInCookie("pwchange@example.com", PASSWORD, { ip: "203.0.113.99", userAgent: "thief/1.0" });
    const api = await accountCaller({ userId: victim.userId, via: "session", sessionId: victim.sessionId });
    await expect(api.account.changePassword({ currentPassword: "not my password", newPassword: "a brand new passphrase here" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await restStatus(copy.cookie)).toBe(200); // a failed attempt changes nothing
    const changed = await api.account.changePassword({ currentPassword: PASSWORD, newPassword: "a brand new passphrase here" });
    expect(changed).toEqual({ otherSessionsSignedOut: 1, handoff: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    for (const c of [copy, other]) {
      expect(await restStatus(c.cookie)).toBe(401);
      expect(await jwtCallbackAccepts(c.jwt)).toBe(false);
    }
    // Without the handoff (which only the victim's browser received), the copy cannot move on.
    expect(await updateWithHandoff(copy.jwt, "x".repeat(43))).toBeNull();
    // Bound to the session that made the change: another (ended) session of the same user cannot use it.
    expect(await updateWithHandoff(other.jwt, changed.handoff!)).toBeNull();

    const again = await api.account.changePassword({ currentPassword: "a brand new passphrase here", newPassword: "and yet another passphrase" }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: "UNAUTHORIZED" }); // the old session is over
    const { checkPassword } = await import("~/server/auth/users");
    expect((await checkPassword(db(), { email: "pwchange@example.com", password: PASSWORD })).ok).toBe(false);
  });

  it("the handoff moves the changing browser to a fresh session, once, and only for its own user", async () => {
    await newVictim("handoff@example.com");
    await newVictim("handoff-other@example.com");
    const victim = await signInCookie("handoff@example.com");
    const stranger = await signInCookie("handoff-other@example.com");
    const api = await accountCaller({ userId: victim.userId, via: "session", sessionId: victim.sessionId });
    const { handoff } = await api.account.changePassword({ currentPassword: PASSWORD, newPassword: "a brand new passphrase here" });
    expect(await updateWithHandoff(stranger.jwt, handoff!)).toBeNull();
    const moved = await updateWithHandoff(victim.jwt, handoff!);
    expect(moved).not.toBeNull();
    expect(await restStatus(moved!.cookie)).toBe(200);
    expect(moved!.sid).not.toBe(victim.sessionId);
    expect(await restStatus(victim.cookie)).toBe(401); // the old cookie (and any copy of it) stays dead
    expect(await updateWithHandoff(victim.jwt, handoff!)).toBeNull();
  });

  it("ATTACK: is refused after \"sign out everywhere\", along with the victim's own session", async () => {
    await newVictim("everywhere@example.com");
    const victim = await signInCookie("everywhere@example.com");
    const stolen = await signInCookie("everywhere@example.com", PASSWORD, { ip: "203.0.113.98", userAgent: "thief/2.0" });
    const api = await accountCaller({ userId: victim.userId, via: "session", sessionId: victim.sessionId });
    const listed = await api.account.sessions();
    expect(listed.map((s) => [s.userAgent, s.current]).sort()).toEqual([["thief/2.0", false], ["victim-browser/1.0", true]]);
    expect(await api.account.signOutEverywhere()).toEqual({ revoked: 2 });
    for (const c of [stolen, victim]) {
      expect(await restStatus(c.cookie)).toBe(401);
      expect(await jwtCallbackAccepts(c.jwt)).toBe(false);
    }
  });

  it("ATTACK: one device signed out from the sessions list stops working; others keep going; another user's session id is not found", async () => {
    await newVictim("one@example.com");
    await newVictim("other@example.com");
    const victim = await signInCookie("one@example.com");
    const stolen = await signInCookie("one@example.com", PASSWORD, { ip: "203.0.113.97", userAgent: "thief/3.0" });
    const bystander = await signInCookie("other@example.com");
    const api = await accountCaller({ userId: victim.userId, via: "session", sessionId: victim.sessionId });
    expect(await api.account.revokeSession({ sessionId: bystander.sessionId })).toEqual({ revoked: false, current: false });
    expect(await restStatus(bystander.cookie)).toBe(200);
    expect(await api.account.revokeSession({ sessionId: stolen.sessionId })).toEqual({ revoked: true, current: false });
    expect(await restStatus(stolen.cookie)).toBe(401);
    expect(await restStatus(victim.cookie)).toBe(200);
  });

  it("is refused once the session has been idle for 7 days or is 30 days old, whatever the cookie's own expiry", async () => {
    await newVictim("idle@example.com");
    const idle = await signInCookie("idle@example.com");
    await db().session.update({ where: { id: idle.sessionId }, data: { lastSeenAt: new Date(Date.now() - 8 * 86_400_000) } });
    expect(await restStatus(idle.cookie)).toBe(401);
    const old = await signInCookie("idle@example.com");
    await db().session.update({ where: { id: old.sessionId }, data: { createdAt: new Date(Date.now() - 31 * 86_400_000) } });
    expect(await restStatus(old.cookie)).toBe(401);
    expect((await sessionEndpoint(old.cookie)).renewed).toBe(false);
  });

  it("a cookie from before server-side sessions (no session id), or one naming another user's session, is refused", async () => {
    const user = await newVictim("legacy@example.com");
    const other = await newVictim("legacy-other@example.com");
    const { encode } = await import("next-auth/jwt");
    const legacy = await encode({ token: { uid: user.id, email: "legacy@example.com" }, secret: SECRET });
    expect(await restStatus(`next-auth.session-token=${legacy}`)).toBe(401);
    const othersSession = await signInCookie("legacy-other@example.com");
    const forged = await encode({ token: { uid: user.id, sid: othersSession.sessionId }, secret: SECRET });
    expect(await restStatus(`next-auth.session-token=${forged}`)).toBe(401);
    expect(other.id).not.toBe(user.id);
  });

  it("a malformed cookie is a 401 (no session), not a 500", async () => {
    expect(await restStatus("x=%E0%A4%A; next-auth.session-token=%E0%A4%A")).toBe(401);
  });
});
