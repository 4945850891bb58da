import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { auditKeyringFromEnv, createAuditKeyring, sealFor, sealMac } from "~/server/audit/audit-key";

const A = "a1".repeat(32);
const B = "b2".repeat(32);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-audit-key-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const warn = () => undefined;

describe("audit key", () => {
  it("is required in production; the error names the variable and the fix, never a value", () => {
    expect(() => auditKeyringFromEnv({ NODE_ENV: "production" }, { dataDir: dir, warn })).toThrow(/AUDIT_HMAC_KEY is not set.*openssl rand -hex 32/);
    let message = "";
    try {
      auditKeyringFromEnv({ NODE_ENV: "production", AUDIT_HMAC_KEY: `${A}zz` }, { dataDir: dir, warn });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^AUDIT_HMAC_KEY must be 64 hex characters/);
    expect(message).not.toContain(A);
  });

  it("in development is generated once into DATA_DIR/audit.key (0600) and reused", () => {
    const first = auditKeyringFromEnv({ NODE_ENV: "development" }, { dataDir: dir, warn });
    const again = auditKeyringFromEnv({}, { dataDir: dir, warn });
    expect(again.primaryId).toBe(first.primaryId);
    expect(fs.statSync(path.join(dir, "audit.key")).mode & 0o777).toBe(0o600);
  });

  it("seals with the primary key and verifies with retired ones by id (rotation)", () => {
    const old = auditKeyringFromEnv({ AUDIT_HMAC_KEY: A }, { dataDir: dir, warn });
    const seal = sealFor(old, 7n, "h".repeat(64));
    const rotated = auditKeyringFromEnv({ AUDIT_HMAC_KEY: B, AUDIT_HMAC_KEYS_OLD: ` ${A} ,` }, { dataDir: dir, warn });
    expect(rotated.primaryId).not.toBe(seal.keyId);
    expect(sealMac(rotated.get(seal.keyId)!, 7n, "h".repeat(64))).toBe(seal.mac);
    expect(createAuditKeyring(Buffer.from(B, "hex")).get(seal.keyId)).toBeUndefined();
    // The seal binds the position and the hash.
    expect(sealMac(old.get(old.primaryId)!, 8n, "h".repeat(64))).not.toBe(seal.mac);
    expect(sealMac(old.get(old.primaryId)!, 7n, "g".repeat(64))).not.toBe(seal.mac);
  });
});
