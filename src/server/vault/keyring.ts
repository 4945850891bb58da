import { createHash, createSecretKey, pbkdf2Sync, randomBytes, type KeyObject } from "node:crypto";
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { AppError } from "~/server/errors";

export const KEY_BYTES = 32;
export const PBKDF2_ITERATIONS = 600_000; // OWASP 2023 minimum for PBKDF2-HMAC-SHA256
export const DEV_KEY_FILE = "encryption.key";
const MIN_PASSPHRASE_CHARS = 16;
const MIN_SALT_CHARS = 16;
const HOW_TO_MAKE_KEY = "generate one with `openssl rand -hex 32`";

export type Keyring = {
  /** Id of the key new seals use. */
  readonly primaryId: string;
  get(id: string): KeyObject | undefined;
  /** Primary first, then old keys in the order given. */
  ids(): readonly string[];
};

/** A short name derived from the key itself, so operators never have to name or number keys. */
export function keyIdFor(key: Buffer): string {
  return createHash("sha256").update("keyrelay-key-id:").update(key).digest("hex").slice(0, 8);
}

export function createKeyring(input: { primary: Buffer; old?: readonly Buffer[] }): Keyring {
  const keys = new Map<string, KeyObject>();
  for (const [index, material] of [input.primary, ...(input.old ?? [])].entries()) {
    if (material.length !== KEY_BYTES) {
      const which = index === 0 ? "primary key" : `old key #${index}`;
      throw new AppError("VAULT_KEY_MISSING", `The ${which} is ${material.length} bytes; keys are ${KEY_BYTES} bytes.`);
    }
    const id = keyIdFor(material);
    const key = createSecretKey(material);
    const existing = keys.get(id);
    if (existing === undefined) keys.set(id, key);
    // Same id, different bytes: a 32-bit id collision. Astronomically rare, but silently picking one
    // would make some rows unreadable, so refuse.
    else if (!existing.equals(key)) throw new AppError("VAULT_KEY_MISSING", `Two different keys share the id ${id}; drop one of them.`);
  }
  const primaryId = keyIdFor(input.primary);
  const ids = Object.freeze([...keys.keys()]);
  return Object.freeze({ primaryId, get: (id: string) => keys.get(id), ids: () => ids });
}

export type VaultEnv = {
  NODE_ENV?: string;
  ENCRYPTION_KEY?: string;
  ENCRYPTION_KEYS_OLD?: string;
  ENCRYPTION_PASSPHRASE?: string;
  ENCRYPTION_SALT?: string;
};

export type KeyringFromEnvOptions = {
  /** Where the development key file lives (ignored in production). */
  dataDir: string;
  warn: (message: string) => void;
  /** Injectable so tests can count derivations; defaults to PBKDF2-SHA256, PBKDF2_ITERATIONS rounds. */
  derive?: (passphrase: string, salt: string) => Buffer;
};

export function derivePassphraseKey(passphrase: string, salt: string): Buffer {
  return pbkdf2Sync(passphrase, salt, PBKDF2_ITERATIONS, KEY_BYTES, "sha256");
}

/**
 * Builds the keyring once at start-up. Rules:
 * - ENCRYPTION_KEY (64 hex) or ENCRYPTION_PASSPHRASE + ENCRYPTION_SALT gives the primary key, never both:
 *   two sources for one key would leave it unclear which one encrypted the data.
 * - ENCRYPTION_KEYS_OLD (comma-separated 64 hex) keeps retired keys able to open old rows.
 * - In production a missing primary key is fatal. Elsewhere a key is generated once into
 *   <dataDir>/encryption.key (0600) and reused, with one warning per call.
 * Empty values count as unset (a blank line in .env). Errors name the variable, never its value.
 */
export function keyringFromEnv(env: VaultEnv, options: KeyringFromEnvOptions): Keyring {
  const key = blankToUndefined(env.ENCRYPTION_KEY);
  const passphrase = blankToUndefined(env.ENCRYPTION_PASSPHRASE);
  const salt = blankToUndefined(env.ENCRYPTION_SALT);
  const old = parseOldKeys(blankToUndefined(env.ENCRYPTION_KEYS_OLD));

  let primary: Buffer;
  if (key !== undefined && (passphrase !== undefined || salt !== undefined)) {
    throw configError(
      "ENCRYPTION_KEY",
      "Set either ENCRYPTION_KEY or ENCRYPTION_PASSPHRASE + ENCRYPTION_SALT, not both. " +
        "To move from a passphrase to a key, put the old key in ENCRYPTION_KEYS_OLD.",
    );
  } else if (key !== undefined) {
    primary = parseHexKey(key, "ENCRYPTION_KEY");
  } else if (passphrase !== undefined || salt !== undefined) {
    primary = passphraseKey(passphrase, salt, options.derive ?? derivePassphraseKey);
  } else if (env.NODE_ENV === "production") {
    throw configError(
      "ENCRYPTION_KEY",
      `ENCRYPTION_KEY is not set. In production the encryption key must come from the environment: ${HOW_TO_MAKE_KEY} ` +
        "and set ENCRYPTION_KEY to it (or set ENCRYPTION_PASSPHRASE and ENCRYPTION_SALT). Keep it safe: without it stored API keys cannot be read.",
    );
  } else {
    primary = devKey(options.dataDir, options.warn);
  }
  return createKeyring({ primary, old });
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function configError(field: string, message: string): AppError {
  return new AppError("VAULT_KEY_MISSING", message, { field });
}

/** `name` is what the user set (e.g. "ENCRYPTION_KEYS_OLD entry #2"); the value itself is never quoted. */
function parseHexKey(value: string, name: string, field = name): Buffer {
  if (/^["'].*["']$/.test(value)) {
    throw configError(field, `${name} is wrapped in quotes; remove them (64 hex characters, ${HOW_TO_MAKE_KEY}).`);
  }
  if (!/^[0-9a-fA-F]*$/.test(value)) {
    throw configError(field, `${name} contains characters that are not hex digits; it must be 64 hex characters (${HOW_TO_MAKE_KEY}).`);
  }
  if (value.length !== KEY_BYTES * 2) {
    throw configError(field, `${name} must be 64 hex characters (32 bytes), got ${value.length}; ${HOW_TO_MAKE_KEY}.`);
  }
  return Buffer.from(value, "hex");
}

function parseOldKeys(list: string | undefined): Buffer[] {
  if (list === undefined) return [];
  return list
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry, index) => parseHexKey(entry, `ENCRYPTION_KEYS_OLD entry #${index + 1}`, "ENCRYPTION_KEYS_OLD"));
}

function passphraseKey(
  passphrase: string | undefined,
  salt: string | undefined,
  derive: (passphrase: string, salt: string) => Buffer,
): Buffer {
  if (passphrase === undefined) {
    throw configError("ENCRYPTION_PASSPHRASE", "ENCRYPTION_SALT is set but ENCRYPTION_PASSPHRASE is not; set both, or use ENCRYPTION_KEY instead.");
  }
  if (salt === undefined) {
    throw configError("ENCRYPTION_SALT", "ENCRYPTION_PASSPHRASE is set but ENCRYPTION_SALT is not; set both (make a salt with `openssl rand -hex 16`).");
  }
  if (passphrase.length < MIN_PASSPHRASE_CHARS) {
    throw configError("ENCRYPTION_PASSPHRASE", `ENCRYPTION_PASSPHRASE must be at least ${MIN_PASSPHRASE_CHARS} characters; or use ENCRYPTION_KEY (${HOW_TO_MAKE_KEY}).`);
  }
  if (salt.length < MIN_SALT_CHARS) {
    throw configError("ENCRYPTION_SALT", `ENCRYPTION_SALT must be at least ${MIN_SALT_CHARS} characters; make one with \`openssl rand -hex 16\`.`);
  }
  const key = derive(passphrase, salt);
  if (key.length !== KEY_BYTES) throw new AppError("INTERNAL", `Key derivation returned ${key.length} bytes, expected ${KEY_BYTES}.`);
  return key;
}

function devKey(dataDir: string, warn: (message: string) => void): Buffer {
  const path = join(dataDir, DEV_KEY_FILE);
  const advice = `Set ENCRYPTION_KEY in production (${HOW_TO_MAKE_KEY}).`;
  const existing = readDevKey(path);
  if (existing !== undefined) {
    // Warn rather than refuse: some dev file systems (WSL mounts, Docker volumes) cannot hold 0600.
    const loose = process.platform !== "win32" && (statSync(path).mode & 0o077) !== 0;
    const fix = loose ? ` The file is readable by other users; run \`chmod 600 ${path}\`.` : "";
    warn(`ENCRYPTION_KEY is not set; using the development key in ${path}.${fix} ${advice}`);
    return existing;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Write a temp file, then hard-link it into place: the link either appears complete or fails with
  // EEXIST, so two processes starting together (dev server + test runner) end up with the same key.
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temp, `${randomBytes(KEY_BYTES).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(temp, 0o600); // mode above is filtered by the umask
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(temp);
  }
  const key = readDevKey(path);
  if (key === undefined) throw new AppError("CONFIG", `Could not create the development key file ${path}.`);
  warn(`ENCRYPTION_KEY is not set; generated a development key in ${path}. ${advice}`);
  return key;
}

function readDevKey(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return parseHexKey(text.trim(), `The development key file ${path}`, "ENCRYPTION_KEY");
}
