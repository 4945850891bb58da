/**
 * `npm run keys:rotate`: re-seal every exchange credential under the primary ENCRYPTION_KEY.
 * Put the previous key in ENCRYPTION_KEYS_OLD first. Safe to interrupt and re-run, safe while
 * the app runs. Prints progress and the final count per key id; writes an audit row.
 */
import { parseArgs } from "node:util";
import { closeDatabase, getDb } from "~/server/db";
import { getKeyring } from "~/server/vault/process-keyring";
import { rotateCredentials } from "~/server/keys/rotate-credentials";

const { values } = parseArgs({ options: { "batch-size": { type: "string", default: "100" } } });
const batchSize = Number(values["batch-size"]);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
  console.error("--batch-size must be an integer between 1 and 10000");
  process.exit(2);
}

try {
  const keyring = getKeyring();
  console.log(`primary key ${keyring.primaryId}; keys that can open: ${keyring.ids().join(", ")}`);
  const result = await rotateCredentials(getDb(), keyring, {
    batchSize,
    onProgress: (p) => console.log(`progress: scanned ${p.scanned}, re-sealed ${p.resealed}, failed ${p.failed}`),
  });
  console.log(`done: re-sealed ${result.resealed}, failed ${result.failed}`);
  for (const [id, n] of Object.entries(result.byKeyId)) {
    console.log(`  key ${id}${id === result.primaryId ? " (primary)" : ""}: ${n} credential(s)`);
  }
  for (const [id, n] of Object.entries(result.unreadable)) {
    console.log(`  ${n} credential(s) sealed with key ${id}, which is not in the keyring: their owners must re-enter them`);
  }
  process.exitCode = result.failed ? 1 : 0;
} finally {
  await closeDatabase();
}
