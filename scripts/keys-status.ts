/** `npm run keys:status`: how many credentials each encryption key id holds. */
import { closeDatabase, getDb } from "~/server/db";
import { getKeyring } from "~/server/vault/process-keyring";
import { credentialsByKeyId } from "~/server/keys/rotate-credentials";

try {
  const keyring = getKeyring();
  const counts = await credentialsByKeyId(getDb());
  const ids = new Set([...keyring.ids(), ...Object.keys(counts)]);
  console.log("key id    role        credentials");
  for (const id of ids) {
    const role = id === keyring.primaryId ? "primary" : keyring.get(id) ? "old" : "NOT IN RING";
    console.log(`${id}  ${role.padEnd(11)} ${counts[id] ?? 0}`);
  }
  const old = keyring.ids().filter((id) => id !== keyring.primaryId);
  for (const id of old) {
    if (!counts[id]) console.log(`key ${id} holds no credentials: it can be removed from ENCRYPTION_KEYS_OLD`);
  }
} finally {
  await closeDatabase();
}
