// Audit log pages at 1,000,000 rows: first page, a filtered page (user + action), a deep page,
// beside an OFFSET-paginated deep page (the baseline keyset pagination avoids), in the same run.
// Run: npx tsx bench/audit.ts   (creates and drops its own PostgreSQL database; exits 0)
import { listAudit } from "~/server/audit/audit-query";

import { machine, median, percentile, printResult, throwawayDatabase, timeAsync } from "./harness";

const ROWS = Number(process.env.AUDIT_BENCH_ROWS ?? 1_000_000);
const RUNS = 15;
const TARGET_MS = 100;

const t = await throwawayDatabase("kr_bench_audit");
const db = t.database.prisma;
try {
  const seedStart = Date.now();
  // Seed in bulk with the chain trigger off (hashing a million rows one by one is not what is measured).
  await t.database.raw.exec(`ALTER TABLE "AuditLog" DISABLE TRIGGER audit_chain_insert`);
  await t.database.raw.exec(`INSERT INTO "User" (id, email, name, "passwordHash", "updatedAt")
    SELECT 'bench_u' || g, 'bench' || g || '@example.com', 'u', 'x', now() FROM generate_series(1, 200) g`);
  const actions = ["auth.sign_in", "auth.sign_out", "key.save", "key.verify", "key.delete", "order.place", "user.trading_mode", "api_token.create", "admin.audit.view", "subscription.save"];
  for (let start = 0; start < ROWS; start += 250_000) {
    const end = Math.min(ROWS, start + 250_000);
    await t.database.raw.exec(`INSERT INTO "AuditLog" ("createdAt", "actorId", "actorEmail", action, outcome, "targetType", "targetId", ip, "userAgent", details, seq, "prevHash", hash)
      SELECT now() - ((${ROWS} - g) * interval '7 seconds'),
             'bench_u' || (1 + g % 200), 'bench' || (1 + g % 200) || '@example.com',
             (ARRAY['${actions.join("','")}'])[1 + (g * 7) % ${actions.length}],
             (ARRAY['SUCCESS','SUCCESS','SUCCESS','FAILURE','DENIED']::"AuditOutcome"[])[1 + g % 5],
             'credential', 'c' || (g % 5000), '10.0.' || (g % 250) || '.' || (g % 200), 'Mozilla/5.0 bench',
             jsonb_build_object('n', g), g, md5((g - 1)::text) || md5(g::text), md5(g::text) || md5((g + 1)::text)
      FROM generate_series(${start + 1}, ${end}) g`);
  }
  await t.database.raw.exec(`ALTER TABLE "AuditLog" ENABLE TRIGGER audit_chain_insert`);
  await t.database.raw.exec(`ANALYZE "AuditLog"`);
  const seedMs = Date.now() - seedStart;

  async function time(fn: () => Promise<unknown>) {
    const ms = await timeAsync(fn, { runs: RUNS, warmup: 1 });
    return { median: median(ms), p90: percentile(ms, 90) };
  }

  const first = await time(() => listAudit(db, {}, { limit: 50 }));
  const filtered = await time(() => listAudit(db, { user: "bench17@example.com", action: "key.save" }, { limit: 50 }));
  const outcome = await time(() => listAudit(db, { outcome: "DENIED", from: new Date(Date.now() - 86_400_000 * 3) }, { limit: 50 }));
  const deepCursor = String(Math.floor(ROWS / 2));
  const deepKeyset = await time(() => listAudit(db, {}, { cursor: deepCursor, limit: 50 }));
  const deepOffset = await time(() => db.auditLog.findMany({ orderBy: { id: "desc" }, skip: Math.floor(ROWS / 2), take: 50 }));

  const rows: [string, { median: number; p90: number }, number | null][] = [
    ["first page (no filter)", first, TARGET_MS],
    ["filtered page (user + action)", filtered, TARGET_MS],
    ["filtered page (outcome + date range)", outcome, TARGET_MS],
    [`deep page, keyset (cursor at row ${Number(deepCursor).toLocaleString("en")})`, deepKeyset, TARGET_MS],
    ["deep page, OFFSET baseline", deepOffset, null],
  ];
  console.log(`audit bench — ${machine()}; ${ROWS.toLocaleString("en")} rows seeded in ${(seedMs / 1000).toFixed(1)} s; ${RUNS} runs each after a warm-up\n`);
  console.log(`${"query".padEnd(52)} ${"median".padStart(9)} ${"p90".padStart(9)}  target`);
  for (const [name, s, target] of rows) {
    console.log(`${name.padEnd(52)} ${s.median.toFixed(1).padStart(7)}ms ${s.p90.toFixed(1).padStart(7)}ms  ${target ? `< ${target} ms ${s.median < target ? "PASS" : "FAIL"}` : "(baseline)"}`);
  }
  console.log(`\nkeyset vs OFFSET at the deep page: ${(deepOffset.median / deepKeyset.median).toFixed(0)}x faster`);
  printResult("audit.first_page_ms", first.median, { digits: 1, op: "<", target: TARGET_MS });
  printResult("audit.filtered_page_ms", filtered.median, { digits: 1, op: "<", target: TARGET_MS });
  printResult("audit.deep_page_keyset_vs_offset", deepOffset.median / deepKeyset.median, { digits: 1, op: ">", target: 1 });
} finally {
  await t.drop();
}
