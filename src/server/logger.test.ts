import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { AppError } from "~/server/errors";
import {
  captureLogs,
  createLogger,
  isSecretKey,
  levelFromEnv,
  logger,
  REDACTED,
  redactForLog,
  SEALED,
} from "~/server/logger";
import { createKeyring } from "~/server/vault/keyring";
import { seal } from "~/server/vault/secret-box";

const ring = createKeyring({ primary: Buffer.alloc(32, 9) });
const SEALED_BLOB = seal(ring, "the-decrypted-secret", { userId: "u1", exchange: "BINANCE", environment: "LIVE", apiKey: "k" });
// Distinct, greppable values: if any of them shows up in output, redaction failed.
const SECRETS = {
  secret: "SECRET-value-0001",
  apiSecret: "APISECRET-value-0002",
  password: "PASSWORD-value-0003",
  token: "TOKEN-value-0004",
  accessToken: "ACCESSTOKEN-value-0005",
  refreshToken: "REFRESHTOKEN-value-0006",
  authorization: "Bearer AUTH-value-0007",
  cookie: "session=COOKIE-value-0008",
  "set-cookie": "SETCOOKIE-value-0009",
  sealedSecret: "SEALEDSECRET-value-0010",
  encryptionKey: "ENCRYPTIONKEY-value-0011",
};
const secretValues = [...Object.values(SECRETS), SEALED_BLOB, "the-decrypted-secret"];

function captured(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ write: (line: string) => void lines.push(line) }, { level: "trace" }) };
}

function expectClean(output: string): void {
  for (const value of secretValues) expect(output).not.toContain(value);
}

describe("logger redaction", () => {
  it("redacts every listed key at the top level, nested, in arrays and in any case", () => {
    const { lines, log } = captured();
    log.info({ ...SECRETS, userId: "user_42" }, "top level");
    log.info({ request: { headers: { Authorization: SECRETS.authorization, Cookie: SECRETS.cookie, "Set-Cookie": [SECRETS["set-cookie"]] } } }, "headers");
    log.info({ a: { b: { c: { d: { APISECRET: SECRETS.apiSecret, Refresh_Token: SECRETS.refreshToken } } } } }, "deep");
    log.info({ keys: [{ sealedSecret: SECRETS.sealedSecret, keyHint: "abcd…wxyz" }, { encryption_key: SECRETS.encryptionKey }] }, "array");
    log.warn({ user: { PassWord: SECRETS.password, accesstoken: SECRETS.accessToken, TOKEN: SECRETS.token, Secret: SECRETS.secret } }, "mixed case");

    const output = lines.join("");
    expectClean(output);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ apiSecret: REDACTED, "set-cookie": REDACTED, userId: "user_42", msg: "top level" });
    expect(records[1]).toMatchObject({ request: { headers: { Authorization: REDACTED, Cookie: REDACTED, "Set-Cookie": REDACTED } } });
    expect(records[3]).toMatchObject({ keys: [{ sealedSecret: REDACTED, keyHint: "abcd…wxyz" }, { encryption_key: REDACTED }] });
  });

  it("masks sealed blobs in values, messages, interpolations, errors and child bindings", () => {
    const { lines, log } = captured();
    log.info({ row: { ciphertextColumn: SEALED_BLOB, note: `stored ${SEALED_BLOB} ok` } }, "value");
    log.info(`message with ${SEALED_BLOB}`);
    log.info("interpolated %s and %j", SEALED_BLOB, { nested: { token: SECRETS.token } });
    log.error(new AppError("VAULT_OPEN_FAILED", `could not open ${SEALED_BLOB}`, { details: { password: SECRETS.password } }));
    log.error({ err: new Error("outer", { cause: { apiSecret: SECRETS.apiSecret, blob: SEALED_BLOB } }) }, "with cause");
    log.child({ sealedSecret: SECRETS.sealedSecret, blob: SEALED_BLOB }).info("from a child");
    log.child({ userId: "u1" }).child({ auth: { token: SECRETS.token } }).info("from a grandchild");
    const rebound = log.child({});
    rebound.setBindings({ cookie: SECRETS.cookie });
    rebound.info("after setBindings");

    const output = lines.join("");
    expectClean(output);
    expect(output.split(SEALED).length - 1).toBeGreaterThanOrEqual(6);
    expect(JSON.parse(lines[6] ?? "{}")).toMatchObject({ userId: "u1", auth: { token: REDACTED } });
    expect(JSON.parse(lines[7] ?? "{}")).toMatchObject({ cookie: REDACTED });
    const error = JSON.parse(lines[3] ?? "{}") as { err?: Record<string, unknown>; msg?: string };
    expect(error.err).toMatchObject({ type: "AppError", code: "VAULT_OPEN_FAILED", details: { password: REDACTED } });
    expect(error.msg).toBe(`could not open ${SEALED}`);
  });

  it("logs raw bytes (key material) by size only, and survives cycles", () => {
    const { lines, log } = captured();
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    log.info({ key: Buffer.from(SECRETS.encryptionKey), cyclic }, "bytes");
    const record = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(record.key).toBe(`[Binary ${SECRETS.encryptionKey.length} bytes]`);
    expect(record.cyclic).toEqual({ name: "loop", self: "[Circular]" });
    expectClean(lines.join(""));
  });

  it("redacts a secret under any listed name, in any case, at any depth up to 6", () => {
    const names = Object.keys(SECRETS).concat(["webhookSecret", "csrf_token", "ENCRYPTION_PASSPHRASE", "privateKey", "apiKey"]);
    const caseVariant = fc
      .tuple(fc.constantFrom(...names), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }))
      .map(([name, upper]) => [...name].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join(""));
    const plainKey = fc.constantFrom("data", "user", "request", "body", "meta", "items");
    fc.assert(
      fc.property(caseVariant, fc.array(plainKey, { maxLength: 5 }), fc.boolean(), (name, path, inArray) => {
        const secretValue = `leak-${name}-${path.length}-zzzz`;
        let value: unknown = { [name]: secretValue, visible: "ok" };
        if (inArray) value = [value];
        for (const key of [...path].reverse()) value = { [key]: value };
        const { lines, log } = captured();
        log.info(value as object, "prop");
        expect(lines.join("")).not.toContain(secretValue);
        expect(lines.join("")).toContain('"visible":"ok"');
      }),
    );
  });

  it("knows which keys are secret", () => {
    for (const key of ["secret", "API_SECRET", "x-api-key", "X-MBX-APIKEY", "Set-Cookie", "clientSecret", "idToken"]) expect(isSecretKey(key)).toBe(true);
    for (const key of ["userId", "keyHint", "secretKind", "tokens", "exchange", "environment"]) expect(isSecretKey(key)).toBe(false);
    expect(redactForLog({ secret: null, token: undefined })).toEqual({ secret: null, token: undefined });
  });
});

describe("process logger", () => {
  it("can be captured, children included, and restored", () => {
    const before = logger.child({ module: "created-before-capture" });
    const capture = captureLogs();
    try {
      logger.info({ apiSecret: SECRETS.apiSecret, sealed: SEALED_BLOB }, "from the process logger");
      before.warn({ headers: { authorization: SECRETS.authorization } }, "from a child");
    } finally {
      capture.restore();
    }
    logger.info({ apiSecret: SECRETS.apiSecret }, "after restore");

    expect(capture.lines()).toHaveLength(2);
    expectClean(capture.text());
    expect(capture.records()[1]).toMatchObject({ module: "created-before-capture", msg: "from a child" });
  });

  it("reads its level from LOG_LEVEL and names the variable when it is wrong", () => {
    expect(levelFromEnv(undefined)).toBe("info");
    expect(levelFromEnv(" DEBUG ")).toBe("debug");
    expect(levelFromEnv("silent")).toBe("silent");
    expect(() => levelFromEnv("verbose")).toThrow(expect.objectContaining({ code: "CONFIG", field: "LOG_LEVEL" }));
  });
});
