/**
 * The audit trail against its own database's owner (issue 12, finding 5), on a real PostgreSQL with
 * two roles set up by the real CLIs: an owner that runs migrations, and the app's role.
 * - The owner edits a row and recomputes every later SHA-256 hash (all it can do without the audit
 *   key): `npm run audit:verify` names that row and exits 1. Stripping the seals too is caught.
 * - The app role cannot UPDATE, DELETE or TRUNCATE the audit tables, and the app works under it.
 * - 200 bad bearer tokens make a couple of chained rows that count all 200 (finding 7).
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditKeyring } from "~/server/audit/audit-key";
import { verifyAuditChain } from "~/server/audit/audit-query";
import { flushRefusals } from "~/server/audit/refusal-audit";
import { sealAuditRows, writeAudit } from "~/server/audit/write-audit";
import { createPostgresDatabase, type Database } from "~/server/db";
import { ADMIN_URL, dropDatabase, urlForDatabase } from "~/server/test/test-db";
import { authenticateBearer } from "~/server/tokens/authenticate-bearer";

// The run's audit key (vitest.config.ts): this process and the CLIs it starts seal and verify with it.
const KEY = (process.env.AUDIT_HMAC_KEY ??= crypto.randomBytes(32).toString("hex"));
const keys = createAuditKeyring(Buffer.from(KEY, "hex"));
const suffix = `${Date.now().toString(36)}_${crypto.randomBytes(3).toString("hex")}`;
const OWNER = `kr_own_${suffix}`;
const APP = `kr_app_${suffix}`;
const DB = `kr_tamper_${suffix}`;
const withUser = (user: string) => {
  const u = new URL(urlForDatabase(DB));
  u.username = user;
  u.password = "";
  return u.toString();
};
const ownerUrl = withUser(OWNER);
const appUrl = withUser(APP);
const checkpoint = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kr-audit-")), "checkpoint.json");

let app: Database;

async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

function cli(script: string, args: string[] = []) {
  const r = spawnSync("npx", ["tsx", script, ...args], {
    env: { ...process.env, DATABASE_URL: appUrl, MIGRATION_DATABASE_URL: ownerUrl, AUDIT_HMAC_KEY: KEY, LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  await sql(ADMIN_URL, `CREATE ROLE "${OWNER}" LOGIN CREATEROLE`);
  await sql(ADMIN_URL, `CREATE DATABASE "${DB}" OWNER "${OWNER}"`);
  const first = cli("scripts/migrate.ts");
  expect(first.out).toMatch(/app role kr_app_\w+ does not exist yet: run npm run db:roles/);
  expect(first.status).toBe(0);
  const roles = cli("scripts/db-roles.ts");
  expect(roles.out).toContain(`app role ${APP}: created; grants applied.`);
  expect(roles.out).toMatch(/AuditLog: SELECT, INSERT\n/);
  expect(roles.status).toBe(0);
  const again = cli("scripts/migrate.ts");
  expect(again.out).toContain(`app role ${APP}: grants applied`);
  app = createPostgresDatabase(appUrl);
}, 180_000);

afterAll(async () => {
  await app?.close();
  await dropDatabase(DB);
  await sql(ADMIN_URL, `DROP ROLE IF EXISTS "${APP}"`);
  await sql(ADMIN_URL, `DROP ROLE IF EXISTS "${OWNER}"`);
  fs.rmSync(path.dirname(checkpoint), { recursive: true, force: true });
});

describe("the app role", () => {
  it("may INSERT and SELECT the audit tables, but not UPDATE, DELETE, TRUNCATE, or switch the append-only triggers off", async () => {
    await sql(appUrl, `INSERT INTO "AuditLog" (action, outcome) VALUES ('role.check', 'SUCCESS')`);
    expect((await sql(appUrl, `SELECT count(*)::int AS n FROM "AuditLog"`))[0]).toEqual({ n: 1 });
    for (const table of ["AuditLog", "AuditSeal"]) {
      for (const statement of [`UPDATE "${table}" SET seq = seq`, `DELETE FROM "${table}"`, `TRUNCATE "${table}"`]) {
        await expect(sql(appUrl, statement), statement).rejects.toThrow(/permission denied/);
      }
      await expect(sql(appUrl, `ALTER TABLE "${table}" DISABLE TRIGGER USER`)).rejects.toThrow(/must be owner/);
    }
  });

  it("runs the app: audit rows written by the real writers, in bulk, other tables, the job queue, and the chain verifies", async () => {
    const db = app.prisma;
    const user = await db.user.create({ data: { email: "role@example.com", name: "R", passwordHash: "x" } });
    for (let i = 0; i < 5; i++) await writeAudit(db, { action: "key.save", outcome: "SUCCESS", actorId: user.id, targetId: `k${i}`, details: { n: i } });
    await db.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<{ seq: string; hash: string }[]>(
        `INSERT INTO "AuditLog" (action, outcome, "actorId", details) SELECT 'order.place', 'SUCCESS', $1, jsonb_build_object('n', g) FROM generate_series(1, 3) g RETURNING seq::text AS seq, hash`,
        user.id,
      );
      await sealAuditRows(tx, rows);
    });
    await db.user.update({ where: { id: user.id }, data: { name: "R2" } });
    await app.raw.exec(`SELECT graphile_worker.add_job('check_drift', '{}'::json)`);
    // The unsealed role-check row came first (before any seal): the plain chain covers it.
    expect(await verifyAuditChain(app.raw, keys)).toMatchObject({ ok: true, sealed: 8, unsealed: 1 });
  });

  it("200 bad bearer tokens from one client: a couple of chained rows that count all 200", async () => {
    const meta = { ip: "198.51.100.7", userAgent: "curl/8" };
    const before = await app.prisma.auditLog.count();
    for (let i = 0; i < 200; i++) {
      await expect(authenticateBearer(app.prisma, `Bearer not.a.token${i}`, meta, { secret: "s".repeat(40) })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    expect(await app.prisma.auditLog.count()).toBe(before + 1); // the first at once
    await flushRefusals();
    const rows = await app.prisma.auditLog.findMany({ where: { action: "auth.bearer" }, orderBy: { seq: "asc" } });
    expect(rows.length).toBeLessThanOrEqual(3);
    const total = rows.reduce((n, r) => n + ((r.details as { count?: number }).count ?? 1), 0);
    expect(total).toBe(200);
    expect(rows.every((r) => r.ip === meta.ip && (r.details as { reason: string }).reason === "malformed_token")).toBe(true);
    expect(rows.at(-1)!.details).toMatchObject({ count: 199, from: expect.any(String), to: expect.any(String) });
    expect((await verifyAuditChain(app.raw, keys)).ok).toBe(true);
  });
});

describe("the owner edits a row and recomputes the chain", () => {
  it("untampered: audit:verify passes (and records a checkpoint)", () => {
    const r = cli("scripts/audit-verify.ts", ["--checkpoint", checkpoint]);
    expect(r.out).toMatch(/audit chain OK: \d+ rows verified, \d+ keyed seals/);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(checkpoint, "utf8")).not.toContain(KEY);
  });

  it("rows sealed under a retired key verify while that key is in AUDIT_HMAC_KEYS_OLD, and not without it", async () => {
    const next = crypto.randomBytes(32);
    const rotated = createAuditKeyring(next, [Buffer.from(KEY, "hex")]);
    expect((await verifyAuditChain(app.raw, rotated)).ok).toBe(true);
    const r = await verifyAuditChain(app.raw, createAuditKeyring(next));
    expect(r.firstBroken?.reason).toMatch(new RegExp(`sealed with audit key ${keys.primaryId}, which is not configured`));
  });

  it("content edited and every later SHA-256 hash recomputed: audit:verify names the edited row and exits 1", async () => {
    const target = (await sql<{ id: string; seq: string }>(ownerUrl, `SELECT id::text, seq::text FROM "AuditLog" WHERE action = 'key.save' AND "targetId" = 'k2'`))[0]!;
    await sql(ownerUrl, `ALTER TABLE "AuditLog" DISABLE TRIGGER audit_no_update_delete`);
    await sql(ownerUrl, `UPDATE "AuditLog" SET details = '{"n": 999}' WHERE id = ${target.id}`);
    // Recompute every hash from the edited row on, with the database's own function (the stored format).
    await sql(ownerUrl, `DO $$ DECLARE r "AuditLog"; prev text; BEGIN
      SELECT hash INTO prev FROM "AuditLog" WHERE seq = ${target.seq} - 1;
      FOR r IN SELECT * FROM "AuditLog" WHERE seq >= ${target.seq} ORDER BY seq LOOP
        UPDATE "AuditLog" SET "prevHash" = prev, hash = audit_row_hash(prev, r) WHERE id = r.id RETURNING hash INTO prev;
      END LOOP; END $$`);
    await sql(ownerUrl, `ALTER TABLE "AuditLog" ENABLE TRIGGER audit_no_update_delete`);
    // The plain chain is consistent again: this is what passed audit:verify before seals.
    const plain = await sql<{ bad: number }>(ownerUrl, `SELECT count(*)::int AS bad FROM (SELECT hash, audit_row_hash(lag(hash) OVER (ORDER BY seq), a) AS expected FROM "AuditLog" a) c WHERE hash <> expected`);
    expect(plain[0]!.bad).toBe(0);
    const r = cli("scripts/audit-verify.ts");
    expect(r.out).toContain(`audit chain BROKEN at row id ${target.id} (seq ${target.seq}): keyed seal does not match`);
    expect(r.status).toBe(1);

    // Dropping the seals from that row on, to pass the rewritten rows off as unsealed ones, is caught too.
    await sql(ownerUrl, `ALTER TABLE "AuditSeal" DISABLE TRIGGER audit_seal_no_update_delete`);
    await sql(ownerUrl, `DELETE FROM "AuditSeal" WHERE seq >= ${target.seq}`);
    const stripped = cli("scripts/audit-verify.ts");
    expect(stripped.out).toContain(`BROKEN at row id ${target.id} (seq ${target.seq}): no keyed seal, though earlier rows have one`);
    expect(stripped.status).toBe(1);

    // Every seal gone: the checkpoint kept outside the database still catches it.
    await sql(ownerUrl, `DELETE FROM "AuditSeal"`);
    const all = cli("scripts/audit-verify.ts", ["--checkpoint", checkpoint]);
    expect(all.out).toMatch(/audit chain BROKEN at row id \S+ \(seq \d+\): the row checkpointed at .* has another hash now/);
    expect(all.status).toBe(1);
  }, 120_000);
});
