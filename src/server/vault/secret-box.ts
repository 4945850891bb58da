import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import { AppError } from "~/server/errors";
import type { Keyring } from "~/server/vault/keyring";

// Sealed form: v1.<keyId>.<iv>.<ciphertext>.<tag>, base64url without padding, AES-256-GCM.
// The key id says which key of the keyring opens it, so keys can rotate without a flag day.

const VERSION = "v1";
const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12; // 96 bits: the GCM nonce size that needs no extra hashing
const TAG_BYTES = 16;
const KEY_ID = /^[0-9a-f]{8}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
// Unpaired UTF-16 surrogates would come back as U+FFFD, so such a string could never round-trip.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
// Domain tag: a v1 credential AAD can never be mistaken for some other structure sealed with the same key.
const AAD_DOMAIN = "keyrelay.credential.v1";

/** Anything shaped like a sealed blob of any version; the logger masks these. Not global: build your own /g copy. */
export const SEALED_PATTERN = /\bv\d+\.[0-9a-f]{8}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}/;

/** Binds a ciphertext to its owner: a sealed secret copied to another row, user or key will not open. */
export type SecretAad = {
  userId: string;
  exchange: string;
  environment: string;
  apiKey: string;
};

export type VaultErrorKind = "MALFORMED" | "UNKNOWN_KEY" | "AUTH_FAILED";

/** An AppError with code VAULT_OPEN_FAILED; kind says why. Messages never quote the blob or the plaintext. */
export class VaultError extends AppError {
  readonly kind: VaultErrorKind;

  constructor(kind: VaultErrorKind, message: string, details: Record<string, unknown> = {}) {
    super("VAULT_OPEN_FAILED", message, { details: { kind, ...details } });
    this.name = "VaultError";
    this.kind = kind;
  }
}

export function isVaultError(e: unknown): e is VaultError {
  return e instanceof VaultError;
}

export type ParsedSealed = {
  version: 1;
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
};

export function seal(keyring: Keyring, plaintext: string, aad: SecretAad): string {
  if (LONE_SURROGATE.test(plaintext)) {
    throw new AppError("BAD_INPUT", "The secret contains an unpaired UTF-16 surrogate and cannot be stored as text.");
  }
  const keyId = keyring.primaryId;
  const key = keyring.get(keyId);
  if (key === undefined) throw new AppError("VAULT_KEY_MISSING", `The keyring has no primary key ${keyId}.`);
  // A fresh random IV per seal: GCM is broken outright if an IV ever repeats under one key.
  // 2^32 seals per key keeps the collision chance under 2^-32 (NIST SP 800-38D); rotate long before.
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(encodeAad(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, keyId, b64(iv), b64(ciphertext), b64(tag)].join(".");
}

export function open(keyring: Keyring, sealed: string, aad: SecretAad): string {
  const parsed = parseSealed(sealed);
  const key = keyring.get(parsed.keyId);
  if (key === undefined) {
    throw new VaultError(
      "UNKNOWN_KEY",
      `This secret was encrypted with key ${parsed.keyId}, which this server no longer has; re-enter this key ` +
        `(or add the old encryption key to ENCRYPTION_KEYS_OLD).`,
      { keyId: parsed.keyId },
    );
  }
  const decipher = createDecipheriv(ALGORITHM, key, parsed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(encodeAad(aad));
  decipher.setAuthTag(parsed.tag);
  try {
    return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString("utf8");
  } catch {
    // GCM cannot tell which: the data was altered, or it belongs to a different owner/key (AAD).
    throw new VaultError(
      "AUTH_FAILED",
      `The secret sealed with key ${parsed.keyId} failed authentication: it was altered or belongs to a different ` +
        `user, exchange, environment or API key; re-enter this key.`,
      { keyId: parsed.keyId },
    );
  }
}

/** Re-encrypts under the current primary key (key rotation). */
export function reseal(keyring: Keyring, sealed: string, aad: SecretAad): string {
  return seal(keyring, open(keyring, sealed, aad), aad);
}

export function needsReseal(keyring: Keyring, sealed: string): boolean {
  return sealedKeyId(sealed) !== keyring.primaryId;
}

export function parseSealed(sealed: string): ParsedSealed {
  if (typeof sealed !== "string") throw malformed("it is not a string");
  const parts = sealed.split(".");
  if (parts.length !== 5) throw malformed(`it has ${parts.length} dot-separated parts, expected 5`);
  const [version, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  if (version !== VERSION) throw malformed(/^v\d{1,4}$/.test(version) ? `format ${version} is not supported` : "the format version is missing");
  if (!KEY_ID.test(keyId)) throw malformed("the key id is not 8 lowercase hex characters");
  return {
    version: 1,
    keyId,
    iv: decodePart(iv, "IV", IV_BYTES),
    ciphertext: decodePart(ciphertext, "ciphertext"),
    tag: decodePart(tag, "tag", TAG_BYTES),
  };
}

export function sealedKeyId(sealed: string): string {
  return parseSealed(sealed).keyId;
}

/**
 * JSON array in a fixed order: strings are quoted and escaped, so no two different owners encode to the
 * same bytes (plain concatenation would let "ab"+"c" equal "a"+"bc").
 */
export function encodeAad(aad: SecretAad): Buffer {
  return Buffer.from(JSON.stringify([AAD_DOMAIN, aad.userId, aad.exchange, aad.environment, aad.apiKey]), "utf8");
}

function decodePart(text: string, name: string, bytes?: number): Buffer {
  if (!BASE64URL.test(text)) throw malformed(`the ${name} is not base64url`);
  const buffer = Buffer.from(text, "base64url");
  // Node's decoder is lenient (ignores stray bits); insisting on the canonical form keeps one blob per value.
  if (b64(buffer) !== text) throw malformed(`the ${name} is not canonical base64url`);
  if (bytes !== undefined && buffer.length !== bytes) throw malformed(`the ${name} is ${buffer.length} bytes, expected ${bytes}`);
  return buffer;
}

function malformed(reason: string): VaultError {
  return new VaultError("MALFORMED", `The stored secret is not a valid sealed value (${reason}); re-enter this key.`);
}

function b64(buffer: Buffer): string {
  return buffer.toString("base64url");
}
