import { spawn } from "node:child_process";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rotateCredentials } from "~/server/keys/rotate-credentials";
import { storeCredential } from "~/server/keys/store-credential";
import { captureLogs } from "~/server/logger";
import { channelAad } from "~/server/notifications/send-channel";
import { createKeyring, keyIdFor } from "~/server/vault/keyring";
import { open, seal } from "~/server/vault/secret-box";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

const alnum = (n: number) => crypto.randomBytes(n).toString("base64").replace(/[^A-Za-z0-9]/g, "").padEnd(n, "x").slice(0, n);

async function makeUser(email: string) {
  return t.database.prisma.user.create({ data: { email, name: email, passwordHash: "x" } });
}

function aadOf(row: { userId: string; exchange: string; environment: string; apiKey: string }) {
  return { userId: row.userId, exchange: row.exchange, environment: row.environment, apiKey: row.apiKey };
}

describe("rotation over the credential table", () => {
  it("a credential whose key left the ring fails with an error naming the key id, and rotation reports it without crashing", async () => {
    const gone = crypto.randomBytes(32);
    const goneRing = createKeyring({ primary: gone });
    const current = createKeyring({ primary: crypto.randomBytes(32) });
    const u = await makeUser("orphan@example.com");
    const row = await t.database.prisma.$transaction((tx) =>
      storeCredential(tx, goneRing, u.id, { exchange: "BYBIT", apiKey: alnum(18), apiSecret: alnum(36) }),
    );
    expect(() => open(current, row.sealedSecret, aadOf(row))).toThrow(
      new RegExp(`key ${keyIdFor(gone)}.*re-enter this key`),
    );
    const result = await rotateCredentials(t.database.prisma, current);
    expect(result.unreadable[keyIdFor(gone)]).toBe(1);
    await t.database.prisma.exchangeCredential.delete({ where: { id: row.id } });
  });
});

describe("rotation of notification channels' secrets", () => {
  it("a Telegram bot token sealed with the old key is re-sealed with the new one, so the channel still sends once the old key is gone", async () => {
    const oldKey = crypto.randomBytes(32);
    const newKey = crypto.randomBytes(32);
    const oldRing = createKeyring({ primary: oldKey });
    const u = await makeUser("channel-owner@example.com");
    const id = "chan_rotation_1";
    const aad = channelAad({ id, userId: u.id, type: "TELEGRAM" });
    const token = `123456:${alnum(35)}`;
    await t.database.prisma.notificationChannel.create({
      data: { id, userId: u.id, type: "TELEGRAM", label: "t", target: "42", sealedSecret: seal(oldRing, token, aad), events: ["ORDER_FAILED"] },
    });
    const result = await rotateCredentials(t.database.prisma, createKeyring({ primary: newKey, old: [oldKey] }));
    expect(result.byKeyId[keyIdFor(oldKey)] ?? 0).toBe(0);
    const row = await t.database.prisma.notificationChannel.findUniqueOrThrow({ where: { id } });
    expect(open(createKeyring({ primary: newKey }), row.sealedSecret!, aad)).toBe(token);
    await t.database.prisma.user.delete({ where: { id: u.id } });
  });
});

describe("key rotation", () => {
  it("1,000 credentials: killed halfway, re-run -> all on the primary key, every secret intact, audited, nothing secret logged", async () => {
    await t.database.prisma.exchangeCredential.deleteMany();
    const oldKey = crypto.randomBytes(32);
    const newKey = crypto.randomBytes(32);
    const oldRing = createKeyring({ primary: oldKey });
    const ring = createKeyring({ primary: newKey, old: [oldKey] });
    // 500 users x 2 exchanges = 1,000 credentials (one per user, exchange and environment).
    await t.database.prisma.user.createMany({
      data: Array.from({ length: 500 }, (_, i) => ({ id: `rot_user_${i}`, email: `rot${i}@example.com`, name: "r", passwordHash: "x" })),
    });
    const originals = new Map<string, string>();
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const id = `cred_${String(i).padStart(4, "0")}`;
      const secret = alnum(64);
      originals.set(id, secret);
      const exchange = i % 2 ? "BYBIT" : "BINANCE";
      return { id, userId: `rot_user_${Math.floor(i / 2)}`, exchange, environment: "LIVE", apiKey: alnum(64), secret };
    });
    await t.database.prisma.exchangeCredential.createMany({
      data: rows.map((r) => ({
        id: r.id,
        userId: r.userId,
        exchange: r.exchange as "BINANCE" | "BYBIT",
        environment: r.environment as "LIVE",
        apiKey: r.apiKey,
        sealedSecret: seal(oldRing, r.secret, aadOf(r)),
        keyId: oldRing.primaryId,
      })),
    });

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: t.url,
      ENCRYPTION_KEY: newKey.toString("hex"),
      ENCRYPTION_KEYS_OLD: oldKey.toString("hex"),
      LOG_LEVEL: "info",
      NODE_ENV: "production" as const,
      NEXTAUTH_SECRET: "x".repeat(32),
    };
    // First run: kill -9 once about half the rows are done.
    const output = await new Promise<string>((resolve) => {
      const child = spawn("npx", ["tsx", "scripts/keys-rotate.ts", "--batch-size", "25"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = [...out.matchAll(/re-sealed (\d+)/g)].at(-1);
        if (m && Number(m[1]) >= 500) {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {}
        }
      });
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.on("exit", () => resolve(out));
    });
    expect(output).toContain("progress:");
    const mid = await t.database.prisma.exchangeCredential.groupBy({ by: ["keyId"], _count: { _all: true } });
    const midCounts = Object.fromEntries(mid.map((g) => [g.keyId, g._count._all]));
    expect(midCounts[ring.primaryId]).toBeGreaterThanOrEqual(500);
    expect(midCounts[oldRing.primaryId]).toBeGreaterThan(0); // really interrupted halfway
    expect(output).not.toContain("done:");

    // Re-run in-process, capturing every log line.
    const logs = captureLogs();
    let result;
    try {
      result = await rotateCredentials(t.database.prisma, ring, { batchSize: 100 });
    } finally {
      logs.restore();
    }
    expect(result.failed).toBe(0);
    expect(result.resealed).toBe(midCounts[oldRing.primaryId]);
    expect(result.byKeyId).toEqual({ [ring.primaryId]: 1000 });

    const after = await t.database.prisma.exchangeCredential.findMany();
    for (const row of after) {
      expect(row.keyId).toBe(ring.primaryId);
      expect(open(ring, row.sealedSecret, aadOf(row))).toBe(originals.get(row.id));
    }
    const audits = await t.database.prisma.auditLog.findMany({ where: { action: "vault.rotate" } });
    expect(audits.some((a) => a.outcome === "SUCCESS" && (a.details as { resealed: number }).resealed === result.resealed)).toBe(true);

    const text = logs.text() + output;
    expect(logs.lines().length).toBeGreaterThan(0);
    for (const secret of originals.values()) expect(text).not.toContain(secret);
    for (const row of after) expect(text).not.toContain(row.sealedSecret);
  }, 120_000);
});
