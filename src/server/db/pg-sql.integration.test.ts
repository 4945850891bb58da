/**
 * The direct pg path (Database.sql) against a real PostgreSQL: the values the engine reads back are
 * the ones Prisma's raw path gives (timestamps as UTC Dates whatever the process's zone, numerics
 * as exact text), parameters go in as Prisma would send them, and a transaction is all or nothing
 * and hands its connection back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { Prisma } from "~/generated/prisma/client";
import { pgSql } from "~/server/db/pg-sql";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ migrate: false, prefix: "kr_pgsql" });
  await t.database.raw.exec(`CREATE TABLE probe (id text PRIMARY KEY, at timestamp(3), amount numeric, n int, big bigint, doc jsonb)`);
});
afterAll(() => t.drop());

describe("Database.sql on PostgreSQL", () => {
  it("reads a timestamp without zone as UTC (the process's zone does not matter) and a numeric as its exact text", async () => {
    const tz = process.env.TZ;
    process.env.TZ = "America/New_York"; // pg's own parser would read the column in this zone
    try {
      const at = new Date("2026-12-03T16:25:49.123Z");
      await t.database.sql.$executeRawUnsafe(`INSERT INTO probe (id, at, amount, n, big, doc) VALUES ($1, $2, $3, $4, $5, $6)`, "a", at, new Prisma.Decimal("0.10000000000000000001"), 7, 9007199254740993n, { k: "v" });
      const [row] = await t.database.sql.$queryRawUnsafe<{ at: Date; amount: string; n: number; big: string; doc: unknown }[]>(`SELECT at, amount, n, big, doc FROM probe WHERE id = $1`, "a");
      expect(row!.at.toISOString()).toBe(at.toISOString());
      expect(row!.amount).toBe("0.10000000000000000001");
      expect([row!.n, row!.big, row!.doc]).toEqual([7, "9007199254740993", { k: "v" }]);
      // the same row through Prisma's raw path: the same instant
      const [viaPrisma] = await t.database.prisma.$queryRawUnsafe<{ at: Date }[]>(`SELECT at FROM probe WHERE id = 'a'`);
      expect(viaPrisma!.at.toISOString()).toBe(at.toISOString());
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it("a transaction commits together, rolls back together on an error, and returns its connection either way", async () => {
    const count = async () => (await t.database.sql.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM probe WHERE id LIKE 'tx-%'`))[0]!.n;
    const written = await t.database.sql.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`INSERT INTO probe (id) VALUES ('tx-1')`);
      return tx.$executeRawUnsafe(`INSERT INTO probe (id) VALUES ('tx-2'), ('tx-3')`);
    });
    expect([written, await count()]).toEqual([2, 3]);
    await expect(
      t.database.sql.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO probe (id) VALUES ('tx-4')`);
        await tx.$executeRawUnsafe(`INSERT INTO probe (id) VALUES ('tx-1')`); // duplicate key
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await count()).toBe(3);
    // the pool (10 connections) is not leaking: many more transactions than connections still run
    for (let i = 0; i < 25; i++) await expect(t.database.sql.$transaction((tx) => tx.$executeRawUnsafe(`INSERT INTO probe (id) VALUES ('tx-1')`))).rejects.toThrow();
    expect(await t.database.sql.$transaction((tx) => tx.$queryRawUnsafe<{ one: number }[]>(`SELECT 1 AS one`))).toEqual([{ one: 1 }]);
  });

  it("a statement waiting on a lock longer than the timeout is cancelled and its transaction rolled back (the connection is not held)", async () => {
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    try {
      await holder.query("SELECT pg_advisory_lock(4242)");
      const sql = pgSql(pool, { statementTimeoutMs: 300 });
      const started = Date.now();
      const failed = await sql.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO probe (id) VALUES ('lock-1')`);
        await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(4242)`); // waits for the holder
      }).catch((e: unknown) => e as Error);
      expect(failed).toBeInstanceOf(Error);
      expect((failed as Error).message).toMatch(/statement timeout/);
      expect(Date.now() - started).toBeLessThan(5_000);
      // rolled back, and the pool's one connection is free again (outside a transaction: no timeout set)
      expect(await sql.$queryRawUnsafe(`SELECT count(*)::int AS n FROM probe WHERE id = 'lock-1'`)).toEqual([{ n: 0 }]);
      await holder.query("SELECT pg_advisory_unlock(4242)");
      expect(await sql.$transaction((tx) => tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(4242), 1 AS one`))).toEqual([{ pg_advisory_xact_lock: "", one: 1 }]);
    } finally {
      await holder.end();
      await pool.end();
    }
  });
});
