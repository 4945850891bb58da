import { createDecipheriv, randomBytes } from "node:crypto";

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { AppError } from "~/server/errors";
import { createKeyring, type Keyring } from "~/server/vault/keyring";
import {
  encodeAad,
  needsReseal,
  open,
  parseSealed,
  reseal,
  seal,
  sealedKeyId,
  SEALED_PATTERN,
  VaultError,
  type SecretAad,
  type VaultErrorKind,
} from "~/server/vault/secret-box";

const keyA = Buffer.alloc(32, 0xa1);
const keyB = Buffer.alloc(32, 0xb2);
const ringA = createKeyring({ primary: keyA });
const aad: SecretAad = { userId: "user_1", exchange: "BINANCE", environment: "LIVE", apiKey: "K".repeat(64) };

const anyText = fc.string({ unit: "binary", maxLength: 300 }); // any code point, astral planes included
const anyAad = fc.record({
  userId: fc.string({ maxLength: 40 }),
  exchange: fc.constantFrom("BINANCE", "BYBIT"),
  environment: fc.constantFrom("LIVE", "TESTNET", "DEMO"),
  apiKey: fc.string({ maxLength: 80 }),
});

function failure(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VaultError) return error;
    throw error;
  }
  throw new Error("expected a VaultError, nothing was thrown");
}

function expectKind(fn: () => unknown, kind: VaultErrorKind): VaultError {
  const error = failure(fn);
  expect(error.kind).toBe(kind);
  expect(error).toBeInstanceOf(AppError);
  expect(error.code).toBe("VAULT_OPEN_FAILED");
  return error;
}

/** Re-joins a sealed string with one decoded part changed. */
function withPart(sealed: string, index: 2 | 3 | 4, change: (bytes: Buffer) => Buffer): string {
  const parts = sealed.split(".");
  parts[index] = change(Buffer.from(parts[index] ?? "", "base64url")).toString("base64url");
  return parts.join(".");
}

describe("seal/open", () => {
  it("round-trips any string, including empty and astral unicode", () => {
    fc.assert(
      fc.property(anyText, anyAad, (plaintext, owner) => {
        expect(open(ringA, seal(ringA, plaintext, owner), owner)).toBe(plaintext);
      }),
    );
    expect(open(ringA, seal(ringA, "", aad), aad)).toBe("");
    expect(open(ringA, seal(ringA, "🔑 clé ключ 鍵", aad), aad)).toBe("🔑 clé ключ 鍵");
  });

  it("produces v1.<keyId>.<iv>.<ct>.<tag> with a 12-byte IV and a 16-byte tag", () => {
    const sealed = seal(ringA, "s3cret", aad);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(SEALED_PATTERN.test(sealed)).toBe(true);
    const parsed = parseSealed(sealed);
    expect(parsed).toMatchObject({ version: 1, keyId: ringA.primaryId });
    expect(parsed.iv).toHaveLength(12);
    expect(parsed.tag).toHaveLength(16);
    expect(parsed.ciphertext).toHaveLength(6);
    expect(sealedKeyId(sealed)).toBe(ringA.primaryId);
  });

  it("refuses a string with a lone surrogate (it could not round-trip)", () => {
    expect(() => seal(ringA, "a\uD800b", aad)).toThrow(expect.objectContaining({ code: "BAD_INPUT" }));
  });

  it("fails AUTH_FAILED when any single byte of the IV, ciphertext or tag changes", () => {
    fc.assert(
      fc.property(
        anyText,
        fc.constantFrom(2 as const, 3 as const, 4 as const),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (plaintext, part, position, mask) => {
          const sealed = seal(ringA, plaintext, aad);
          const length = Buffer.from(sealed.split(".")[part] ?? "", "base64url").length;
          fc.pre(length > 0); // an empty plaintext has no ciphertext byte to flip
          const tampered = withPart(sealed, part, (bytes) => {
            const copy = Buffer.from(bytes);
            copy[position % length] = (copy[position % length] ?? 0) ^ mask;
            return copy;
          });
          const error = expectKind(() => open(ringA, tampered, aad), "AUTH_FAILED");
          expect(error.message).not.toContain(tampered);
          if (plaintext.length >= 4) expect(error.message).not.toContain(plaintext);
        },
      ),
    );
  });

  it("fails AUTH_FAILED for every single-bit flip of one sealed value (exhaustive)", () => {
    const sealed = seal(ringA, "a 64-character HMAC secret would sit here, this is close enough", aad);
    for (const part of [2, 3, 4] as const) {
      const length = Buffer.from(sealed.split(".")[part] ?? "", "base64url").length;
      for (let position = 0; position < length; position++) {
        for (let bit = 0; bit < 8; bit++) {
          const tampered = withPart(sealed, part, (bytes) => {
            const copy = Buffer.from(bytes);
            copy[position] = (copy[position] ?? 0) ^ (1 << bit);
            return copy;
          });
          expectKind(() => open(ringA, tampered, aad), "AUTH_FAILED");
        }
      }
    }
  });

  it("fails AUTH_FAILED when the ciphertext is truncated or extended", () => {
    const sealed = seal(ringA, "some secret value", aad);
    expectKind(() => open(ringA, withPart(sealed, 3, (b) => b.subarray(1)), aad), "AUTH_FAILED");
    expectKind(() => open(ringA, withPart(sealed, 3, (b) => Buffer.concat([b, Buffer.from([0])])), aad), "AUTH_FAILED");
  });

  it("fails AUTH_FAILED when any associated-data field differs", () => {
    const fields = ["userId", "exchange", "environment", "apiKey"] as const;
    fc.assert(
      fc.property(anyText, anyAad, fc.constantFrom(...fields), fc.string({ maxLength: 80 }), (plaintext, owner, field, other) => {
        fc.pre(other !== owner[field]);
        const sealed = seal(ringA, plaintext, owner);
        expectKind(() => open(ringA, sealed, { ...owner, [field]: other }), "AUTH_FAILED");
      }),
    );
  });

  it("does not let fields run into each other (no concatenation collisions)", () => {
    const sealed = seal(ringA, "x", { ...aad, userId: "ab", exchange: "cBINANCE" });
    expectKind(() => open(ringA, sealed, { ...aad, userId: "abc", exchange: "BINANCE" }), "AUTH_FAILED");
  });

  it("fails UNKNOWN_KEY naming the key id and asking to re-enter the key", () => {
    const sealed = seal(createKeyring({ primary: keyB }), "s3cret value", aad);
    const error = expectKind(() => open(ringA, sealed, aad), "UNKNOWN_KEY");
    const keyId = sealedKeyId(sealed);
    expect(error.message).toContain(keyId);
    expect(error.message).toContain("re-enter this key");
    expect(error.details).toMatchObject({ kind: "UNKNOWN_KEY", keyId });
    expect(error.message).not.toContain(sealed);
    expect(error.message).not.toContain("s3cret value");
  });

  it("fails MALFORMED for strings that are not a sealed value", () => {
    const good = seal(ringA, "secret", aad);
    const [, keyId, iv, ct, tag] = good.split(".") as [string, string, string, string, string];
    const cases = [
      "",
      "plain text",
      "v1",
      `v1.${keyId}.${iv}.${ct}`, // a part missing
      `${good}.extra`,
      `v2.${keyId}.${iv}.${ct}.${tag}`, // unsupported version
      `V1.${keyId}.${iv}.${ct}.${tag}`,
      `v1.ABCDEF01.${iv}.${ct}.${tag}`, // key ids are lowercase hex
      `v1.${keyId}x.${iv}.${ct}.${tag}`,
      `v1.${keyId}.${iv}A.${ct}.${tag}`, // IV of the wrong length
      `v1.${keyId}.${iv}.${ct}.${tag.slice(0, -2)}`, // short tag
      `v1.${keyId}.${iv}.${ct}+/.${tag}`, // standard base64, not base64url
      `v1.${keyId}.${iv}.${ct}.${tag.slice(0, -1)}${tag.endsWith("B") ? "C" : "B"}`, // non-canonical final char
      `v1.${keyId}.${iv}.${ct}=.${tag}`,
    ];
    for (const text of cases) {
      const error = expectKind(() => open(ringA, text, aad), "MALFORMED");
      if (text.length > 0) expect(error.message).not.toContain(text);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        expectKind(() => open(ringA, text, aad), "MALFORMED");
      }),
    );
    expectKind(() => open(ringA, 42 as unknown as string, aad), "MALFORMED");
  });

  it("keeps opening with an old key after a new primary takes over, and reseals to the new one", () => {
    const sealedWithA = seal(ringA, "old secret", aad);
    const rotated = createKeyring({ primary: keyB, old: [keyA] });
    expect(rotated.primaryId).not.toBe(ringA.primaryId);
    expect(rotated.ids()).toEqual([rotated.primaryId, ringA.primaryId]);
    expect(open(rotated, sealedWithA, aad)).toBe("old secret");
    expect(needsReseal(rotated, sealedWithA)).toBe(true);

    const resealed = reseal(rotated, sealedWithA, aad);
    expect(sealedKeyId(resealed)).toBe(rotated.primaryId);
    expect(needsReseal(rotated, resealed)).toBe(false);
    expect(open(createKeyring({ primary: keyB }), resealed, aad)).toBe("old secret");
  });

  it("uses a fresh IV for every seal (100,000 seals, 100,000 IVs)", () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 100_000; i++) ivs.add(seal(ringA, "same plaintext", aad).split(".")[2] ?? "");
    expect(ivs.size).toBe(100_000);
  });

  // How fast: bench/vault.ts (open median vs a PBKDF2-per-call design, in the same run).
  it("keeps seal and open free of key derivation: the cipher key is the keyring's key itself, fetched once per call", () => {
    const material = randomBytes(32);
    const ring = createKeyring({ primary: material });
    let lookups = 0;
    const counting: Keyring = {
      primaryId: ring.primaryId,
      ids: ring.ids,
      get: (id) => {
        lookups++;
        return ring.get(id);
      },
    };
    const sealed = seal(counting, "x".repeat(64), aad);
    // Plain AES-256-GCM with the raw key bytes opens it: nothing was derived from the key on the way.
    const { iv, ciphertext, tag } = parseSealed(sealed);
    const decipher = createDecipheriv("aes-256-gcm", material, iv);
    decipher.setAAD(encodeAad(aad));
    decipher.setAuthTag(tag);
    expect(Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8")).toBe("x".repeat(64));
    for (let i = 0; i < 1_000; i++) expect(open(counting, sealed, aad)).toBe("x".repeat(64));
    expect(lookups).toBe(1 + 1_000);
  });
});
