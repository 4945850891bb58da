/**
 * The audit key: the secret the chain's seals are keyed with (HMAC-SHA256), held by the app's
 * processes and never by the database. Whoever owns the database can rewrite a row and recompute
 * the plain SHA-256 chain, but cannot make the seal that `audit:verify` checks beside it.
 *
 * - AUDIT_HMAC_KEY: 64 hex characters; required in production, the same on every web and worker
 *   process. In development it is generated once into DATA_DIR/audit.key (0600).
 * - AUDIT_HMAC_KEYS_OLD: retired keys (comma-separated), still accepted when verifying rows sealed
 *   under them. Each seal stores the id of its key, so a rotation is: old key into
 *   AUDIT_HMAC_KEYS_OLD, a new AUDIT_HMAC_KEY, restart. Nothing is re-sealed.
 * Errors name the variable, never its value.
 */
import { createHash, createHmac, randomBytes, type KeyObject, createSecretKey } from "node:crypto";
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "~/server/errors";

export const AUDIT_KEY_FILE = "audit.key";
const KEY_BYTES = 32;
const HOW = "make one with `openssl rand -hex 32`";

export interface AuditKeyring {
  /** Id of the key new seals use. */
  readonly primaryId: string;
  get(id: string): KeyObject | undefined;
  ids(): readonly string[];
}

export function auditKeyId(key: Buffer): string {
  return createHash("sha256").update("keyrelay-audit-key-id:").update(key).digest("hex").slice(0, 8);
}

export function createAuditKeyring(primary: Buffer, old: readonly Buffer[] = []): AuditKeyring {
  const keys = new Map<string, KeyObject>();
  for (const material of [primary, ...old]) {
    if (material.length !== KEY_BYTES) throw new AppError("CONFIG", `An audit key is ${material.length} bytes; audit keys are ${KEY_BYTES} bytes (${HOW}).`, { field: "AUDIT_HMAC_KEY" });
    const id = auditKeyId(material);
    if (!keys.has(id)) keys.set(id, createSecretKey(material));
  }
  const primaryId = auditKeyId(primary);
  const ids = Object.freeze([...keys.keys()]);
  return Object.freeze({ primaryId, get: (id: string) => keys.get(id), ids: () => ids });
}

/** The seal of one chained row: HMAC over its position and its chain hash (which covers its content and every row before it). */
export function sealMac(key: KeyObject, seq: bigint | string, hash: string): string {
  return createHmac("sha256", key).update(`keyrelay-audit-seal:v2|${seq.toString()}|${hash}`).digest("hex");
}

export interface AuditSealRow {
  seq: bigint;
  keyId: string;
  mac: string;
}

/** Seals a freshly chained row with the primary key. */
export function sealFor(keys: AuditKeyring, seq: bigint | string, hash: string): AuditSealRow {
  return { seq: BigInt(seq), keyId: keys.primaryId, mac: sealMac(keys.get(keys.primaryId)!, seq, hash) };
}

export interface AuditKeyEnv {
  NODE_ENV?: string;
  AUDIT_HMAC_KEY?: string;
  AUDIT_HMAC_KEYS_OLD?: string;
}

/** Builds the audit keyring from the environment (see the top of this file for the rules). */
export function auditKeyringFromEnv(env: AuditKeyEnv, opts: { dataDir: string; warn: (message: string) => void }): AuditKeyring {
  const value = env.AUDIT_HMAC_KEY?.trim();
  const old = (env.AUDIT_HMAC_KEYS_OLD ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s, i) => parseHex(s, `AUDIT_HMAC_KEYS_OLD entry #${i + 1}`, "AUDIT_HMAC_KEYS_OLD"));
  if (value) return createAuditKeyring(parseHex(value, "AUDIT_HMAC_KEY", "AUDIT_HMAC_KEY"), old);
  if (env.NODE_ENV === "production") {
    throw new AppError(
      "CONFIG",
      `AUDIT_HMAC_KEY is not set. In production the audit log's seals are keyed with a secret the database does not hold: ${HOW}, set AUDIT_HMAC_KEY to it on every web and worker process, and keep it apart from database backups.`,
      { field: "AUDIT_HMAC_KEY" },
    );
  }
  return createAuditKeyring(devAuditKey(opts.dataDir, opts.warn), old);
}

function parseHex(value: string, name: string, field: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new AppError("CONFIG", `${name} must be 64 hex characters (32 bytes); ${HOW}.`, { field });
  return Buffer.from(value, "hex");
}

function devAuditKey(dataDir: string, warn: (message: string) => void): Buffer {
  const file = join(dataDir, AUDIT_KEY_FILE);
  const advice = `Set AUDIT_HMAC_KEY in production (${HOW}).`;
  const existing = readKeyFile(file);
  if (existing) {
    warn(`AUDIT_HMAC_KEY is not set; using the development audit key in ${file}. ${advice}`);
    return existing;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Temp file + hard link: two processes starting together end up with the same key (the link is atomic).
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temp, `${randomBytes(KEY_BYTES).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(temp, 0o600);
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(temp);
  }
  const key = readKeyFile(file);
  if (!key) throw new AppError("CONFIG", `Could not create the development audit key file ${file}.`, { field: "AUDIT_HMAC_KEY" });
  warn(`AUDIT_HMAC_KEY is not set; generated a development audit key in ${file}. ${advice}`);
  return key;
}

function readKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return parseHex(text.trim(), `The development audit key file ${file}`, "AUDIT_HMAC_KEY");
}
