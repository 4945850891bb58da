/** The process-wide keyring, built once from the environment by the composition root (a KDF, if any, runs there only). */
import { rootKeyring } from "~/server/composition";
import type { Keyring } from "~/server/vault/keyring";

export function getKeyring(): Keyring {
  return rootKeyring();
}
