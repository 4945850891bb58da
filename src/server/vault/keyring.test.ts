import { pbkdf2Sync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { AppError } from "~/server/errors";
import {
  createKeyring,
  DEV_KEY_FILE,
  derivePassphraseKey,
  keyIdFor,
  keyringFromEnv,
  type VaultEnv,
} from "~/server/vault/keyring";
import { open, seal } from "~/server/vault/secret-box";

const HEX_A = "a1".repeat(32);
const HEX_B = "b2".repeat(32);
const HEX_C = "c3".repeat(32);
const aad = { userId: "u", exchange: "BYBIT", environment: "TESTNET", apiKey: "key" };

let dataDir: string;
let warnings: string[];
const warn = (message: string) => void warnings.push(message);

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "keyring-test-"));
  warnings = [];
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function refusal(env: VaultEnv): AppError {
  try {
    keyringFromEnv(env, { dataDir, warn });
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected keyringFromEnv to refuse");
}

describe("createKeyring", () => {
  it("names keys by a short hash of their bytes and lists the primary first", () => {
    const ring = createKeyring({ primary: Buffer.from(HEX_A, "hex"), old: [Buffer.from(HEX_B, "hex"), Buffer.from(HEX_A, "hex")] });
    expect(ring.primaryId).toMatch(/^[0-9a-f]{8}$/);
    expect(ring.primaryId).toBe(keyIdFor(Buffer.from(HEX_A, "hex")));
    expect(ring.ids()).toEqual([keyIdFor(Buffer.from(HEX_A, "hex")), keyIdFor(Buffer.from(HEX_B, "hex"))]);
    expect(ring.get(ring.primaryId)?.symmetricKeySize).toBe(32);
    expect(ring.get("00000000")).toBeUndefined();
  });

  it("refuses keys that are not 32 bytes", () => {
    expect(() => createKeyring({ primary: Buffer.alloc(16) })).toThrow(/primary key is 16 bytes/);
    expect(() => createKeyring({ primary: Buffer.alloc(32), old: [Buffer.alloc(31)] })).toThrow(/old key #1 is 31 bytes/);
  });
});

describe("keyringFromEnv", () => {
  it("uses ENCRYPTION_KEY and keeps ENCRYPTION_KEYS_OLD for opening", () => {
    const ring = keyringFromEnv({ NODE_ENV: "production", ENCRYPTION_KEY: HEX_A, ENCRYPTION_KEYS_OLD: ` ${HEX_B}, ${HEX_C.toUpperCase()} ,` }, { dataDir, warn });
    expect(ring.primaryId).toBe(keyIdFor(Buffer.from(HEX_A, "hex")));
    expect(ring.ids()).toHaveLength(3);
    expect(warnings).toEqual([]);
    const older = keyringFromEnv({ ENCRYPTION_KEY: HEX_C }, { dataDir, warn });
    expect(open(ring, seal(older, "from the old key", aad), aad)).toBe("from the old key");
  });

  it("refuses to start in production without a key, saying how to make one", () => {
    for (const env of [{ NODE_ENV: "production" }, { NODE_ENV: "production", ENCRYPTION_KEY: "  " }]) {
      const error = refusal(env);
      expect(error.code).toBe("VAULT_KEY_MISSING");
      expect(error.field).toBe("ENCRYPTION_KEY");
      expect(error.message).toContain("ENCRYPTION_KEY");
      expect(error.message).toContain("openssl rand -hex 32");
    }
    expect(() => statSync(join(dataDir, DEV_KEY_FILE))).toThrow(); // no dev file in production
  });

  it.each([
    ["too short", "ab".repeat(31)],
    ["too long", "ab".repeat(33)],
    ["not hex", "zz".repeat(32)],
    ["quoted", `"${"ab".repeat(32)}"`],
    ["base64 instead of hex", Buffer.alloc(32, 7).toString("base64")],
  ])("refuses an ENCRYPTION_KEY that is %s, in every environment, without echoing it", (_case, value) => {
    for (const NODE_ENV of ["production", "development", undefined]) {
      const error = refusal({ NODE_ENV, ENCRYPTION_KEY: value });
      expect(error.field).toBe("ENCRYPTION_KEY");
      expect(error.message).toMatch(/^ENCRYPTION_KEY /);
      expect(error.message).toContain("openssl rand -hex 32");
      expect(error.message).not.toContain(value);
    }
  });

  it("names the bad entry of ENCRYPTION_KEYS_OLD without echoing it", () => {
    const error = refusal({ ENCRYPTION_KEY: HEX_A, ENCRYPTION_KEYS_OLD: `${HEX_B},nothex${HEX_C}` });
    expect(error.field).toBe("ENCRYPTION_KEYS_OLD");
    expect(error.message).toContain("ENCRYPTION_KEYS_OLD entry #2");
    expect(error.message).not.toContain("nothex");
  });

  it("generates the development key once, 0600, and reuses it", () => {
    const first = keyringFromEnv({ NODE_ENV: "development" }, { dataDir, warn });
    const path = join(dataDir, DEV_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, "utf8");
    expect(text.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("generated");
    expect(warnings[0]).toContain("ENCRYPTION_KEY");
    expect(warnings[0]).not.toContain(text.trim());

    const second = keyringFromEnv({ NODE_ENV: "test" }, { dataDir, warn });
    expect(second.primaryId).toBe(first.primaryId);
    expect(readFileSync(path, "utf8")).toBe(text);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain("using the development key");
    expect(open(second, seal(first, "still readable", aad), aad)).toBe("still readable");
  });

  it("creates the data directory if needed and warns when the key file is readable by others", () => {
    const nested = join(dataDir, "a", "b");
    keyringFromEnv({}, { dataDir: nested, warn });
    expect(statSync(join(nested, DEV_KEY_FILE)).isFile()).toBe(true);
    writeFileSync(join(dataDir, DEV_KEY_FILE), `${HEX_A}\n`, { mode: 0o644 });
    const ring = keyringFromEnv({}, { dataDir, warn });
    expect(ring.primaryId).toBe(keyIdFor(Buffer.from(HEX_A, "hex")));
    expect(warnings.at(-1)).toContain("chmod 600");
  });

  it("refuses a corrupt development key file without echoing it", () => {
    writeFileSync(join(dataDir, DEV_KEY_FILE), "garbage-garbage\n", { mode: 0o600 });
    const error = refusal({});
    expect(error.message).toContain(DEV_KEY_FILE);
    expect(error.message).not.toContain("garbage-garbage");
  });

  describe("passphrase", () => {
    const passphrase = "correct horse battery staple";
    const salt = "0123456789abcdef0123";

    it("derives the key once, not per seal or open", () => {
      let derivations = 0;
      const derive = (p: string, s: string) => {
        derivations++;
        return Buffer.from(`${p}|${s}`.padEnd(32, "x").slice(0, 32));
      };
      const ring = keyringFromEnv({ ENCRYPTION_PASSPHRASE: passphrase, ENCRYPTION_SALT: salt }, { dataDir, warn, derive });
      for (let i = 0; i < 100; i++) expect(open(ring, seal(ring, `secret ${i}`, aad), aad)).toBe(`secret ${i}`);
      expect(derivations).toBe(1);
      expect(warnings).toEqual([]);
    });

    // What it costs at start-up: bench/vault.ts (passphrase keyring vs a hex-key keyring, in the same run).
    it("uses PBKDF2-SHA256 with 600,000 iterations, deterministically", () => {
      const ring = keyringFromEnv({ NODE_ENV: "production", ENCRYPTION_PASSPHRASE: passphrase, ENCRYPTION_SALT: salt }, { dataDir, warn });
      const expected = pbkdf2Sync(passphrase, salt, 600_000, 32, "sha256");
      expect(derivePassphraseKey(passphrase, salt).equals(expected)).toBe(true);
      expect(ring.primaryId).toBe(keyIdFor(expected));
    });

    it("must not be combined with ENCRYPTION_KEY", () => {
      const error = refusal({ ENCRYPTION_KEY: HEX_A, ENCRYPTION_PASSPHRASE: passphrase, ENCRYPTION_SALT: salt });
      expect(error.message).toContain("either ENCRYPTION_KEY or ENCRYPTION_PASSPHRASE");
      expect(error.message).not.toContain(passphrase);
    });

    it("needs both the passphrase and the salt, of a useful length", () => {
      expect(refusal({ ENCRYPTION_PASSPHRASE: passphrase }).field).toBe("ENCRYPTION_SALT");
      expect(refusal({ ENCRYPTION_SALT: salt }).field).toBe("ENCRYPTION_PASSPHRASE");
      const short = refusal({ ENCRYPTION_PASSPHRASE: "tooShort1", ENCRYPTION_SALT: salt });
      expect(short.field).toBe("ENCRYPTION_PASSPHRASE");
      expect(short.message).not.toContain("tooShort1");
      expect(refusal({ ENCRYPTION_PASSPHRASE: passphrase, ENCRYPTION_SALT: "salty" }).field).toBe("ENCRYPTION_SALT");
    });
  });
});
