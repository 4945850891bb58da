import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditCsv, listAudit, verifyAuditChain } from "~/server/audit/audit-query";
import { sealAuditRows, writeAudit } from "~/server/audit/write-audit";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

describe("tamper-evident audit log", () => {
  it("is append-only: UPDATE, DELETE and TRUNCATE fail", async () => {
    await writeAudit(t.database.prisma, { action: "admin.audit.view", outcome: "SUCCESS", actorEmail: "a@example.com" });
    for (const sql of [`UPDATE "AuditLog" SET action = 'x'`, `DELETE FROM "AuditLog"`, `TRUNCATE "AuditLog"`]) {
      await expect(t.database.raw.exec(sql), sql).rejects.toThrow(/append-only/);
    }
    await expect(t.database.prisma.auditLog.updateMany({ data: { action: "y" } })).rejects.toThrow();
    await expect(t.database.prisma.auditLog.deleteMany()).rejects.toThrow();
  });

  it("8 concurrent writers x 1,000 rows: the chain verifies", async () => {
    const writers = Array.from({ length: 8 }, async (_, w) => {
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      try {
        for (let tx = 0; tx < 100; tx++) {
          await c.query("BEGIN");
          const values = Array.from({ length: 10 }, (_, i) => `('writer.${w}', 'SUCCESS', 'w${w}-${tx}-${i}', '{"n": ${tx * 10 + i}}')`).join(",");
          // As the app writes in bulk (engine/result-writer.ts): chained by the database, sealed with the audit key.
          const { rows } = await c.query<{ seq: string; hash: string }>(`INSERT INTO "AuditLog" (action, outcome, "targetId", details) VALUES ${values} RETURNING seq::text AS seq, hash`);
          await sealAuditRows({ $executeRawUnsafe: (sql, ...params) => c.query(sql, params) }, rows);
          await c.query("COMMIT");
        }
      } finally {
        await c.end();
      }
    });
    await Promise.all(writers);
    expect(await t.database.prisma.auditLog.count({ where: { action: { startsWith: "writer." } } })).toBe(8000);
    const r = await verifyAuditChain(t.database.raw);
    expect(r).toMatchObject({ ok: true, firstBroken: null });
    expect(r.checked).toBeGreaterThanOrEqual(8001);
    const seqs = await t.database.raw.query<{ min: string; max: string; n: string }>(`SELECT min(seq)::text, max(seq)::text, count(*)::text AS n FROM "AuditLog"`);
    expect(seqs[0]).toEqual({ min: "1", max: seqs[0]!.n, n: seqs[0]!.n }); // gapless
  }, 120_000);

  it("a row changed in SQL (trigger disabled) is reported, exactly that row, by the check and by npm run audit:verify", async () => {
    const target = await t.database.prisma.auditLog.findFirstOrThrow({ where: { targetId: "w3-50-5" } });
    await t.database.raw.exec(`ALTER TABLE "AuditLog" DISABLE TRIGGER audit_no_update_delete`);
    await t.database.raw.exec(`UPDATE "AuditLog" SET details = '{"n": 999999}' WHERE id = ${target.id}`);
    await t.database.raw.exec(`ALTER TABLE "AuditLog" ENABLE TRIGGER audit_no_update_delete`);
    const r = await verifyAuditChain(t.database.raw);
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ id: target.id.toString(), seq: target.seq!.toString() });
    expect(r.firstBroken!.reason).toMatch(/content does not match/);
    const cli = spawnSync("npx", ["tsx", "scripts/audit-verify.ts"], { env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: "silent" }, encoding: "utf8" });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(`BROKEN at row id ${target.id} (seq ${target.seq})`);
  }, 60_000);

  it("filters with keyset pagination, and exports the filtered set as CSV", async () => {
    const db = t.database.prisma;
    const user = await db.user.create({ data: { email: "auditee@example.com", name: "A", passwordHash: "x" } });
    for (let i = 0; i < 7; i++) await writeAudit(db, { action: i % 2 ? "key.save" : "key.verify", outcome: "SUCCESS", actorId: user.id, meta: { ip: "203.0.113.5", userAgent: "ua" }, targetId: `=cmd${i}` });
    const first = await listAudit(db, { user: "auditee@example.com", action: "key.save" }, { limit: 2 });
    expect(first.items.map((r) => r.action)).toEqual(["key.save", "key.save"]);
    const second = await listAudit(db, { user: "auditee@example.com", action: "key.save" }, { cursor: first.nextCursor, limit: 2 });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(BigInt(second.items[0]!.id)).toBeLessThan(BigInt(first.items[1]!.id));
    expect((await listAudit(db, { action: "key.*", ip: "203.0.113.5" })).items).toHaveLength(7);
    expect((await listAudit(db, { q: "AUDITEE" })).items.length).toBe(0); // free text covers the row's own fields; actor email is null here
    let csv = "";
    for await (const chunk of auditCsv(db, { user: "auditee@example.com" }, 3)) csv += chunk;
    const lines = csv.trim().split("\n");
    expect(lines[0]).toMatch(/^id,seq,createdAt,actorId/);
    expect(lines).toHaveLength(8);
    expect(csv).toContain(`"'=cmd`); // spreadsheet formulas are neutralised
  });
});
