import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokensRouter } from "~/server/api/routers/tokens";
import { createCallerFactory, createTRPCRouter, type Context } from "~/server/api/trpc";
import { createOrUpdateUser } from "~/server/auth/users";
import { configureRateLimits } from "~/server/ratelimit/process-rate-limits";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { sessionAuth } from "~/server/test/test-session";
import { authenticateBearer } from "~/server/tokens/authenticate-bearer";

const SECRET = "router-test-secret-0123456789abcdef0123456789";
const meta = { ip: "192.0.2.44", userAgent: "router-tests/1.0" };
const createCaller = createCallerFactory(createTRPCRouter({ tokens: tokensRouter }));

let t: TestDatabase;
let dana: string;
let erin: string;
const previousSecret = process.env.NEXTAUTH_SECRET;

beforeAll(async () => {
  process.env.NEXTAUTH_SECRET = SECRET;
  configureRateLimits({ databaseUrl: null, limits: { tokenCreate: { points: 3 } } });
  t = await createTestDatabase();
  dana = (await createOrUpdateUser(t.database.prisma, { email: "dana@example.com", password: "dana password 12", tier: "PRO" })).user.id;
  erin = (await createOrUpdateUser(t.database.prisma, { email: "erin@example.com", password: "erin password 12", tier: "PRO" })).user.id;
  for (const id of [dana, erin]) sessions.set(id, (await sessionAuth(t.database.prisma, id)).sessionId);
});
afterAll(async () => {
  process.env.NEXTAUTH_SECRET = previousSecret;
  configureRateLimits({});
  await t.drop();
});

const sessions = new Map<string, string>();

function callerFor(userId: string | null, via: "session" | "token" = "session") {
  const auth: Context["auth"] = !userId ? null : via === "token" ? { userId, via } : { userId, via, sessionId: sessions.get(userId)! };
  const ctx: Context = { db: t.database.prisma, auth, meta, headers: new Headers() };
  return createCaller(ctx);
}

async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TRPCError);
    return err as TRPCError;
  }
  throw new Error("expected a TRPCError");
}

describe("tokens router", () => {
  it("create returns the token once; list shows it without any secret field; revoke works", async () => {
    const api = callerFor(dana);
    const created = await api.tokens.create({ name: "ci", days: 30 });
    expect(Object.keys(created).sort()).toEqual(["expiresAt", "id", "name", "token"]);
    expect((await authenticateBearer(t.database.prisma, `Bearer ${created.token}`, meta)).userId).toBe(dana);

    const list = await api.tokens.list();
    expect(list).toHaveLength(1);
    expect(Object.keys(list[0]!).sort()).toEqual(["createdAt", "expiresAt", "id", "lastUsedAt", "name", "revokedAt", "status"]);
    expect(list[0]).toMatchObject({ id: created.id, name: "ci", status: "active" });
    expect(list[0]!.lastUsedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(list)).not.toContain(created.token.split(".")[2]!);

    expect(await api.tokens.revoke({ tokenId: created.id })).toMatchObject({ id: created.id, status: "revoked" });
    expect((await api.tokens.list())[0]!.status).toBe("revoked");
  });

  it("days default to 90; bad input names the field", async () => {
    const api = callerFor(erin);
    const r = await api.tokens.create({ name: "default expiry" });
    expect(Math.round((r.expiresAt.getTime() - Date.now()) / 86_400_000)).toBe(90);
    expect((await trpcError(api.tokens.create({ name: "", days: 30 }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(api.tokens.create({ name: "x", days: 400 }))).code).toBe("BAD_REQUEST");
  });

  it("another user's token id is NOT_FOUND; signed-out callers are UNAUTHORIZED", async () => {
    const mine = await callerFor(erin).tokens.create({ name: "erin's", days: 7 });
    const e = await trpcError(callerFor(dana).tokens.revoke({ tokenId: mine.id }));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).toBe("No such API token.");
    expect((await trpcError(callerFor(null).tokens.list())).code).toBe("UNAUTHORIZED");
  });

  it("an API token cannot create more API tokens", async () => {
    const e = await trpcError(callerFor(erin, "token").tokens.create({ name: "successor", days: 365 }));
    expect(e.code).toBe("FORBIDDEN");
    expect(e.message).toMatch(/while signed in/);
  });

  it("token creation is rate limited per user", async () => {
    const api = callerFor(dana); // one create so far in this suite; the limit is 3
    await api.tokens.create({ name: "two", days: 7 });
    await api.tokens.create({ name: "three", days: 7 });
    const e = await trpcError(api.tokens.create({ name: "four", days: 7 }));
    expect(e.code).toBe("TOO_MANY_REQUESTS");
    expect(e.message).toMatch(/^Too many API tokens created\. Try again in \d+ s\.$/);
    expect(await t.database.prisma.apiToken.count({ where: { userId: dana } })).toBe(3);
  });
});
