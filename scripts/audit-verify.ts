/** `npm run audit:verify`: checks the audit log's hash chain and names the first broken row. */
import { closeDatabase, getDatabase } from "~/server/db";
import { verifyAuditChain } from "~/server/audit/audit-query";

try {
  const started = Date.now();
  const r = await verifyAuditChain(getDatabase().raw);
  if (r.ok) console.log(`audit chain OK: ${r.checked} rows verified in ${Date.now() - started} ms`);
  else {
    console.log(`audit chain BROKEN at row id ${r.firstBroken!.id} (seq ${r.firstBroken!.seq}): ${r.firstBroken!.reason}`);
    process.exitCode = 1;
  }
} finally {
  await closeDatabase();
}
