/**
 * `npm run audit:verify [-- --checkpoint <file>]`: checks the audit log's hash chain and its keyed
 * seals (AUDIT_HMAC_KEY) and names the first broken row; exit code 1 when broken.
 * With --checkpoint, also checks against the head recorded there by the last good run, then
 * records the new head (keep the file where the database's owner cannot write).
 */
import { closeDatabase, getDatabase } from "~/server/db";
import { verifyAuditChain } from "~/server/audit/audit-query";
import { chainHead, checkAgainst, makeCheckpoint, readCheckpoint, writeCheckpoint } from "~/server/audit/audit-checkpoint";
import { processAuditKeyring } from "~/server/audit/write-audit";

function checkpointArg(argv: string[]): string | null {
  const i = argv.indexOf("--checkpoint");
  if (i === -1) return null;
  const file = argv[i + 1];
  if (!file || file.startsWith("--")) throw new Error("--checkpoint needs a file path, e.g. --checkpoint /var/lib/keyrelay/audit-checkpoint.json");
  return file;
}

try {
  const started = Date.now();
  const file = checkpointArg(process.argv.slice(2));
  const keys = processAuditKeyring();
  const raw = getDatabase().raw;
  const previous = file ? readCheckpoint(file, keys) : null;
  const r = await verifyAuditChain(raw, keys);
  const broken = r.firstBroken ?? (previous ? await checkAgainst(raw, previous, r) : null);
  if (!broken) {
    const legacy = r.unsealed ? ` (${r.unsealed} written before seals existed: plain chain only)` : "";
    console.log(`audit chain OK: ${r.checked} rows verified, ${r.sealed} keyed seals${legacy}, in ${Date.now() - started} ms`);
    if (file) {
      const head = await chainHead(raw);
      if (head) writeCheckpoint(file, makeCheckpoint(keys, head, r.firstSealedSeq));
      console.log(previous ? `checkpoint ${file}: consistent with seq ${previous.seq}; now at seq ${head?.seq ?? 0}` : `checkpoint ${file}: created at seq ${head?.seq ?? 0}`);
    }
  } else {
    console.log(`audit chain BROKEN at row id ${broken.id} (seq ${broken.seq}): ${broken.reason}`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`audit:verify failed: ${(err as Error).message}`);
  process.exitCode = 2;
} finally {
  await closeDatabase();
}
