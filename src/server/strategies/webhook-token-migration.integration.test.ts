/**
 * The migration 20261202120000_hashed_webhook_tokens, on PostgreSQL and on the embedded PGlite:
 * a strategy stored with a plaintext token by the previous schema keeps its webhook URL working
 * (its token is hashed in SQL exactly as the app hashes a request's token), and the plaintext is
 * gone from the table.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPgliteDatabase, type Database } from "~/server/db";
import { applyMigrations, defaultMigrationsDir } from "~/server/db/apply-migrations";
import type { JobSink } from "~/server/jobs/job-sink";
import { receiveSignal } from "~/server/signals/receive-signal";
import { hashWebhookToken } from "~/server/strategies/webhook-token";
import { createTestDatabase } from "~/server/test/test-db";

const MIGRATION = "20261202120000_hashed_webhook_tokens";
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** prisma/migrations as it was before this migration, in a temporary directory. */
function migrationsBefore(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-migrations-"));
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  for (const name of fs.readdirSync(defaultMigrationsDir())) {
    if (name < MIGRATION) fs.cpSync(path.join(defaultMigrationsDir(), name), path.join(dir, name), { recursive: true });
  }
  return dir;
}

const noJobs: JobSink = { addInTx: async () => undefined, afterCommit: () => undefined };

async function upgradeKeepsTheUrl(database: Database) {
  await applyMigrations(database, migrationsBefore());
  // Tokens as the previous version made them, and one with characters a hand-made token could hold.
  const tokens = [crypto.randomBytes(24).toString("base64url"), `hand-made_${crypto.randomBytes(6).toString("hex")}`];
  for (const [i, token] of tokens.entries()) {
    await database.raw.query(
      `INSERT INTO "Strategy" (id, name, "allowedSymbols", "marketType", "webhookToken", "allowedIps", "updatedAt")
       VALUES ($1, $2, ARRAY['BTC/USDT'], 'SPOT', $3, ARRAY[]::text[], now())`,
      [`mig${i}`, `Migrated ${i}`, token],
    );
  }
  const result = await applyMigrations(database);
  expect(result.applied).toContain(MIGRATION);

  const rows = await database.raw.query<Record<string, unknown>>(`SELECT * FROM "Strategy" ORDER BY id`);
  expect(rows.map((r) => r.webhookTokenHash)).toEqual(tokens.map(hashWebhookToken));
  expect(rows.map((r) => r.webhookTokenHint)).toEqual(tokens.map((x) => x.slice(-4)));
  expect(rows.every((r) => !("webhookToken" in r))).toBe(true);
  expect(tokens.filter((token) => JSON.stringify(rows).includes(token))).toEqual([]);

  // The URLs TradingView already holds keep working.
  for (const token of tokens) {
    const r = await receiveSignal({ db: database.prisma, sql: database.sql, jobs: noJobs }, { pathToken: token, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", id: crypto.randomUUID() }), ip: null });
    expect(r.status).toBe(202);
  }
}

describe(`migration ${MIGRATION}`, () => {
  it("hashes existing tokens on PostgreSQL; their URLs keep working", async () => {
    const t = await createTestDatabase({ migrate: false });
    cleanup.push(t.drop);
    await upgradeKeepsTheUrl(t.database);
  });

  it("hashes existing tokens on the embedded PGlite; their URLs keep working", async () => {
    const database = createPgliteDatabase(undefined);
    cleanup.push(() => database.close());
    await upgradeKeepsTheUrl(database);
  });
});
