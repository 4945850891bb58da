/**
 * The REST handler under attack with bodies that are produced only as they are read, so what it
 * reads can be counted: the caller is settled before a byte is read, and a huge body is cut at the
 * limit while it streams. (e2e/bounded-requests.spec.ts does the same to the production server
 * and measures its memory.)
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "~/server/http/body-limit";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
let handle: typeof import("~/server/api/rest/user-api-keys").handleUserApiKeys;
let token = "";

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString("hex"),
  });
  ({ handleUserApiKeys: handle } = await import("~/server/api/rest/user-api-keys"));
  const { createApiToken } = await import("~/server/tokens/api-tokens");
  const u = await t.database.prisma.user.create({ data: { email: "bounded@rest.example.com", name: "b", passwordHash: "x" } });
  token = (await createApiToken(t.database.prisma, { userId: u.id, name: "test", days: 1 }, { ip: "127.0.0.1", userAgent: "vitest" })).token;
});
afterAll(async () => {
  const { closeDatabase } = await import("~/server/db");
  await closeDatabase();
  await t.drop();
});

/** POST /api/user-api-keys/bybit with a `total`-byte chunked body (no Content-Length). */
async function hugePost(total: number, authorization: string | null) {
  let produced = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= total) return controller.close();
        produced += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x61));
      },
    },
    { highWaterMark: 0 },
  );
  const headers: Record<string, string> = { "content-type": "application/json", "x-keyrelay-client-ip": "192.0.2.9" };
  if (authorization) headers.authorization = authorization;
  const req = new Request("http://localhost/api/user-api-keys/bybit", { method: "POST", headers, body, duplex: "half" } as RequestInit);
  const res = await handle(req, ["bybit"]);
  return { status: res.status, json: (await res.json()) as { error: { code: string; message: string } }, read: produced };
}

describe("REST bodies are bounded and read only for a known caller", () => {
  it("a 150 MB body with a valid token is refused 413 after reading barely more than 64 KB", async () => {
    const r = await hugePost(150 * 1024 * 1024, `Bearer ${token}`);
    expect(r.status).toBe(413);
    expect(r.json.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: "The body is larger than 64 KB." });
    expect(r.read).toBeLessThan(MAX_BODY_BYTES + 64 * 1024);
  });

  it("with a bad token, or none, it is refused 401 without reading a byte", async () => {
    const bad = await hugePost(150 * 1024 * 1024, "Bearer not-a-token");
    expect([bad.status, bad.read]).toEqual([401, 0]);
    const none = await hugePost(150 * 1024 * 1024, null);
    expect([none.status, none.read]).toEqual([401, 0]);
    expect(none.json.error.message).toMatch(/Authorization: Bearer/);
  });
});
