import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "~/server/keys/store-credential";
import { createKeyring } from "~/server/vault/keyring";
import { open, VaultError } from "~/server/vault/secret-box";
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

describe("sealed credentials in PostgreSQL", () => {
  it("swapping two users' sealed secrets with SQL makes both fail to open", async () => {
    const keyring = createKeyring({ primary: crypto.randomBytes(32) });
    const [a, b] = [await makeUser("swap-a@example.com"), await makeUser("swap-b@example.com")];
    const secretA = alnum(64);
    const secretB = alnum(64);
    const ca = await t.database.prisma.$transaction((tx) =>
      storeCredential(tx, keyring, a.id, { exchange: "BINANCE", apiKey: alnum(64), apiSecret: secretA }),
    );
    const cb = await t.database.prisma.$transaction((tx) =>
      storeCredential(tx, keyring, b.id, { exchange: "BINANCE", apiKey: alnum(64), apiSecret: secretB }),
    );
    expect(open(keyring, ca.sealedSecret, aadOf(ca))).toBe(secretA);
    expect(ca.sealedSecret).not.toContain(secretA);

    await t.database.raw.exec(`
      UPDATE "ExchangeCredential" x SET "sealedSecret" = y."sealedSecret"
      FROM "ExchangeCredential" y WHERE x.id IN ('${ca.id}', '${cb.id}') AND y.id IN ('${ca.id}', '${cb.id}') AND x.id <> y.id`);
    const [sa, sb] = await Promise.all([
      t.database.prisma.exchangeCredential.findUniqueOrThrow({ where: { id: ca.id } }),
      t.database.prisma.exchangeCredential.findUniqueOrThrow({ where: { id: cb.id } }),
    ]);
    expect(sa.sealedSecret).toBe(cb.sealedSecret);
    for (const row of [sa, sb]) {
      expect(() => open(keyring, row.sealedSecret, aadOf(row))).toThrow(VaultError);
      try {
        open(keyring, row.sealedSecret, aadOf(row));
      } catch (err) {
        expect((err as VaultError).kind).toBe("AUTH_FAILED");
      }
    }
  });
});
