/** The process-wide keyring, built once from the environment (a KDF, if any, runs here only). */
import path from "node:path";
import { getEnv } from "~/env";
import { logger } from "~/server/logger";
import { keyringFromEnv, type Keyring } from "~/server/vault/keyring";

const g = globalThis as unknown as { __keyrelayKeyring?: Keyring };

export function getKeyring(): Keyring {
  if (!g.__keyrelayKeyring) {
    const env = getEnv();
    g.__keyrelayKeyring = keyringFromEnv(process.env, {
      dataDir: path.resolve(env.DATA_DIR),
      warn: (message) => logger.warn(message),
    });
  }
  return g.__keyrelayKeyring;
}
