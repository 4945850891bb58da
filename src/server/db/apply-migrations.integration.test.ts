import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPgliteDatabase, type Database } from "~/server/db";
import { applyMigrations, listMigrations, defaultMigrationsDir } from "~/server/db/apply-migrations";
import { receiveSignal } from "~/server/signals/receive-signal";
import { insertStrategy } from "~/server/test/strategy-fixtures";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

const expectedTables = ["AuditLog", "ExchangeCredential", "User", "_prisma_migrations"];

async function tables(db: Database) {
  const rows = await db.raw.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

describe("migrations", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it("apply to an empty PostgreSQL, record Prisma-compatible rows, and are idempotent", async () => {
    const t: TestDatabase = await createTestDatabase({ migrate: false });
    cleanup.push(t.drop);
    expect(await tables(t.database)).toEqual([]);
    const first = await applyMigrations(t.database);
    expect(first.applied).toEqual(listMigrations(defaultMigrationsDir()).map((m) => m.name));
    expect(await tables(t.database)).toEqual(expect.arrayContaining(expectedTables));
    const rows = await t.database.raw.query<{ checksum: string; finished_at: Date | null }>(
      `SELECT checksum, finished_at FROM "_prisma_migrations"`,
    );
    expect(rows.every((r) => r.finished_at !== null && /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    const second = await applyMigrations(t.database);
    expect(second.applied).toEqual([]);
    // The Prisma client works against the migrated schema.
    const u = await t.database.prisma.user.create({ data: { email: "m@example.com", name: "M", passwordHash: "x" } });
    expect(u.tier).toBe("TRIAL");
  });

  it("concurrent migrators do not race (advisory lock)", async () => {
    const t = await createTestDatabase({ migrate: false });
    cleanup.push(t.drop);
    const results = await Promise.all([applyMigrations(t.database), applyMigrations(t.database)]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, listMigrations(defaultMigrationsDir()).length]);
  });

  it("apply to an empty embedded PGlite database persisted on disk", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-pglite-"));
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const db = createPgliteDatabase(path.join(dir, "pglite"));
    await applyMigrations(db);
    expect(await tables(db)).toEqual(expect.arrayContaining(expectedTables));
    await db.prisma.user.create({ data: { email: "p@example.com", name: "P", passwordHash: "x" } });
    // The webhook's one-statement insert (arrays, JSON, timestamps) works on the embedded database too.
    const strategy = await insertStrategy(db.prisma, { name: "embedded", allowedSymbols: ["BTC/USDT"] });
    const queued: unknown[] = [];
    const jobs = { addInTx: async () => undefined, afterCommit: (j: unknown[]) => void queued.push(...j) };
    const alert = { pathToken: strategy.webhookToken, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", id: "pg1" }), ip: "203.0.113.5" };
    expect((await receiveSignal({ db: db.prisma, sql: db.sql, jobs }, alert)).status).toBe(202);
    expect((await receiveSignal({ db: db.prisma, sql: db.sql, jobs }, alert)).body).toMatchObject({ duplicate: true });
    expect([await db.prisma.signal.count(), queued.length]).toEqual([1, 1]);
    await db.close();
    // Reopen: data and migration history persisted.
    const again = createPgliteDatabase(path.join(dir, "pglite"));
    expect((await applyMigrations(again)).applied).toEqual([]);
    expect(await again.prisma.user.count()).toBe(1);
    await again.close();
  });
});
