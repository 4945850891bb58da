import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrUpdateUser } from "~/server/auth/users";
import { AppError, httpStatusFor, isAppError } from "~/server/errors";
import { captureLogs, type LogCapture } from "~/server/logger";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createApiToken, listApiTokens, revokeApiToken } from "~/server/tokens/api-tokens";
import { authenticateBearer } from "~/server/tokens/authenticate-bearer";
import { newJti, signApiToken } from "~/server/tokens/token-jwt";

const SECRET = "integration-secret-0123456789abcdef0123456789";
const meta = { ip: "198.51.100.9", userAgent: "token-tests/1.0" };
const opts = { secret: SECRET };

let t: TestDatabase;
let logs: LogCapture;
let alice: string;
let bob: string;
const issued: string[] = [];

beforeAll(async () => {
  logs = captureLogs();
  t = await createTestDatabase();
  alice = (await createOrUpdateUser(t.database.prisma, { email: "alice@example.com", password: "alice password 123", tier: "PRO" })).user.id;
  bob = (await createOrUpdateUser(t.database.prisma, { email: "bob@example.com", password: "bob password 1234", tier: "PRO" })).user.id;
});
afterAll(async () => {
  logs.restore();
  await t.drop();
});

const db = () => t.database.prisma;

async function create(userId: string, extra: { name?: string; days?: number; now?: Date } = {}) {
  const r = await createApiToken(db(), { userId, name: extra.name ?? "script", days: extra.days }, meta, { ...opts, now: extra.now });
  issued.push(r.token);
  return r;
}

async function denied(header: string | null | undefined, now?: Date): Promise<AppError> {
  try {
    await authenticateBearer(db(), header, meta, { ...opts, now });
  } catch (err) {
    expect(isAppError(err, "UNAUTHORIZED")).toBe(true);
    expect(httpStatusFor((err as AppError).code)).toBe(401);
    return err as AppError;
  }
  throw new Error("expected authenticateBearer to refuse");
}

async function lastAudit() {
  return db().auditLog.findFirstOrThrow({ orderBy: { id: "desc" } });
}

describe("personal API tokens", () => {
  it("a created token authenticates as its owner; create is audited with IP and user agent", async () => {
    const r = await create(alice, { name: "  backtester  " });
    expect(r.name).toBe("backtester");
    expect(r.expiresAt.getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    expect(r.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 90 * 86_400_000);
    expect(await authenticateBearer(db(), `Bearer ${r.token}`, meta, opts)).toEqual({ userId: alice, tokenId: r.id });
    expect(await authenticateBearer(db(), `bearer   ${r.token}  `, meta, opts)).toEqual({ userId: alice, tokenId: r.id });

    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "api_token.create", targetId: r.id } });
    expect(audit).toMatchObject({ outcome: "SUCCESS", actorId: alice, actorEmail: "alice@example.com", targetType: "api_token", ...meta });
    expect(audit.details).toMatchObject({ name: "backtester", days: 90 });
  });

  it("lastUsedAt is written at most once a minute", async () => {
    const r = await create(alice);
    const t0 = new Date();
    await authenticateBearer(db(), `Bearer ${r.token}`, meta, { ...opts, now: t0 });
    const first = (await db().apiToken.findUniqueOrThrow({ where: { id: r.id } })).lastUsedAt;
    expect(first?.getTime()).toBe(t0.getTime());
    await authenticateBearer(db(), `Bearer ${r.token}`, meta, { ...opts, now: new Date(t0.getTime() + 59_000) });
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: r.id } })).lastUsedAt?.getTime()).toBe(t0.getTime());
    const t2 = new Date(t0.getTime() + 61_000);
    await authenticateBearer(db(), `Bearer ${r.token}`, meta, { ...opts, now: t2 });
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: r.id } })).lastUsedAt?.getTime()).toBe(t2.getTime());
  });

  it("a missing or malformed header, or a malformed token, is refused with its own message", async () => {
    for (const h of [undefined, null, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc.def.ghi"]) {
      expect((await denied(h)).message).toBe("Send Authorization: Bearer <token>");
    }
    expect((await lastAudit()).details).toEqual({ reason: "missing_header" });
    for (const h of ["Bearer not-a-token", "Bearer a.b", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.x"]) {
      expect((await denied(h)).message).toMatch(/^This is not a valid KeyRelay API token/);
    }
    const row = await lastAudit();
    expect(row).toMatchObject({ action: "auth.bearer", outcome: "DENIED", actorId: null, ...meta });
    expect(row.details).toEqual({ reason: "malformed_token" });
  });

  it("a tampered signature is refused, and the claimed user is not recorded", async () => {
    const r = await create(bob);
    const [h, p, s] = r.token.split(".") as [string, string, string];
    const tampered = `${h}.${p}.${s.slice(0, -2)}${s.at(-2) === "A" ? "B" : "A"}${s.at(-1)}`;
    const err = await denied(`Bearer ${tampered}`);
    expect(err.message).toMatch(/signature is invalid/);
    expect(err.details).toEqual({ reason: "bad_signature" });
    expect(await lastAudit()).toMatchObject({ action: "auth.bearer", outcome: "DENIED", actorId: null, details: { reason: "bad_signature" } });
  });

  it("an expired token says when it expired", async () => {
    const longAgo = new Date(Date.now() - 10 * 86_400_000);
    const r = await create(alice, { days: 1, now: longAgo });
    const err = await denied(`Bearer ${r.token}`);
    const when = r.expiresAt.toISOString().slice(0, 16).replace("T", " ");
    expect(err.message).toBe(`This API token expired on ${when} UTC; create a new one in Settings`);
    expect(await lastAudit()).toMatchObject({ actorId: alice, details: { reason: "expired" } });
    expect((await listApiTokens(db(), alice)).find((x) => x.id === r.id)?.status).toBe("expired");
  });

  it("an expired token is expired by the clock too (fake clock)", async () => {
    const r = await create(alice, { days: 7 });
    expect((await authenticateBearer(db(), `Bearer ${r.token}`, meta, { ...opts, now: new Date(Date.now() + 6 * 86_400_000) })).tokenId).toBe(r.id);
    expect((await denied(`Bearer ${r.token}`, new Date(Date.now() + 8 * 86_400_000))).message).toMatch(/^This API token expired on /);
  });

  it("a revoked token is refused; revoking is audited and idempotent", async () => {
    const r = await create(alice, { name: "to revoke" });
    const revoked = await revokeApiToken(db(), { userId: alice, tokenId: r.id }, meta);
    expect(revoked).toMatchObject({ id: r.id, status: "revoked" });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    const audit = await lastAudit();
    expect(audit).toMatchObject({ action: "api_token.revoke", outcome: "SUCCESS", actorId: alice, targetId: r.id, ...meta });

    expect((await denied(`Bearer ${r.token}`)).message).toBe("This API token was revoked");
    expect(await lastAudit()).toMatchObject({ action: "auth.bearer", actorId: alice, targetId: r.id, details: { reason: "revoked" } });

    const again = await revokeApiToken(db(), { userId: alice, tokenId: r.id }, meta);
    expect(again.revokedAt?.getTime()).toBe(revoked.revokedAt?.getTime());
    expect(await db().auditLog.count({ where: { action: "api_token.revoke", targetId: r.id } })).toBe(1);
  });

  it("a well-signed token with an unknown jti is refused", async () => {
    const forged = await signApiToken(SECRET, { userId: alice, jti: newJti(), issuedAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000) });
    issued.push(forged);
    expect((await denied(`Bearer ${forged}`)).message).toMatch(/not known to this server/);
    // A real jti presented under another user's id is just as unknown.
    const r = await create(alice);
    const jtiOf = JSON.parse(Buffer.from(r.token.split(".")[1]!, "base64url").toString()) as { jti: string };
    const swapped = await signApiToken(SECRET, { userId: bob, jti: jtiOf.jti, issuedAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000) });
    issued.push(swapped);
    expect((await denied(`Bearer ${swapped}`)).message).toMatch(/not known to this server/);
  });

  it("a disabled user's token is refused; a disabled user cannot create tokens", async () => {
    const { user } = await createOrUpdateUser(db(), { email: "carol@example.com", password: "carol password 1", tier: "PRO" });
    const r = await create(user.id);
    await db().user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect((await denied(`Bearer ${r.token}`)).message).toMatch(/disabled/);
    await expect(create(user.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("user A cannot revoke user B's token: NOT_FOUND, and B's token keeps working", async () => {
    const b = await create(bob, { name: "bob's" });
    await expect(revokeApiToken(db(), { userId: alice, tokenId: b.id }, meta)).rejects.toMatchObject({ code: "NOT_FOUND", message: "No such API token." });
    await expect(revokeApiToken(db(), { userId: alice, tokenId: "does-not-exist" }, meta)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await authenticateBearer(db(), `Bearer ${b.token}`, meta, opts)).userId).toBe(bob);
    expect((await listApiTokens(db(), alice)).map((x) => x.id)).not.toContain(b.id);
  });

  it("rejects bad names and expiries with the field at fault", async () => {
    const cases: [string, number | undefined, string][] = [
      ["", 30, "name"],
      ["   ", 30, "name"],
      ["x".repeat(61), 30, "name"],
      ["ok", 0, "days"],
      ["ok", 366, "days"],
      ["ok", 1.5, "days"],
    ];
    for (const [name, days, field] of cases) {
      await expect(createApiToken(db(), { userId: alice, name, days }, meta, opts)).rejects.toMatchObject({ code: "BAD_INPUT", field });
    }
    expect((await create(alice, { name: "x".repeat(60), days: 365 })).name).toHaveLength(60);
    await expect(createApiToken(db(), { userId: "nobody", name: "n" }, meta, opts)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("the token appears in no audit row, log line, list output or database column", async () => {
    expect(issued.length).toBeGreaterThan(5);
    const audit = JSON.stringify(await db().auditLog.findMany(), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    const lists = JSON.stringify([await listApiTokens(db(), alice), await listApiTokens(db(), bob)]);
    const rows = JSON.stringify(await db().apiToken.findMany());
    const logText = logs.text();
    expect(logText).toContain("api token created");
    expect(logText).toContain("bearer authentication denied");
    for (const token of issued) {
      const signature = token.split(".")[2]!;
      const jti = (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { jti: string }).jti;
      for (const haystack of [audit, lists, rows, logText]) {
        expect(haystack).not.toContain(token);
        expect(haystack).not.toContain(signature);
        expect(haystack).not.toContain(jti);
      }
    }
    expect(lists).not.toContain("jtiHash");
  });
});
