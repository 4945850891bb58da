import { generateKeyPairSync } from "node:crypto";

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";

import { AppError } from "~/server/errors";
import { credentialInputSchema, detectSecretKind, parseCredentialInput } from "~/server/vault/credential-input";

const BINANCE_KEY = "BinKey0123456789".repeat(4); // 64 alphanumerics
const BINANCE_SECRET = "BinSecretZ987654".repeat(4);
const BYBIT_KEY = "BybKey0123456789AB"; // 18, as Bybit issues them
const BYBIT_SECRET = "BybSecret0123456789abcdefghijklmnop"; // 35

const pem = (type: "ed25519" | "rsa" | "ec", format: "pkcs8" | "pkcs1" | "sec1" = "pkcs8", bits = 2048) => {
  const { privateKey, publicKey } =
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: bits })
      : type === "ec"
        ? generateKeyPairSync("ec", { namedCurve: "prime256v1" })
        : generateKeyPairSync("ed25519");
  return {
    privatePem: privateKey.export({ type: format, format: "pem" }) as string,
    publicPem: publicKey.export({ type: "spki", format: "pem" }) as string,
    encryptedPem: privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw-for-test" }) as string,
  };
};
const ed25519 = pem("ed25519");
const rsa2048 = pem("rsa", "pkcs1");

function rejection(input: unknown): AppError {
  try {
    parseCredentialInput(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected parseCredentialInput to reject");
}

/** Everything a client or a log could see of a rejection, as one string. */
function everythingSaid(input: unknown): string {
  const error = rejection(input);
  const result = credentialInputSchema.safeParse(input);
  if (result.success) throw new Error("schema accepted what parseCredentialInput rejected");
  return [error.message, JSON.stringify(error.details), JSON.stringify(result.error), z.prettifyError(result.error), result.error.message].join("\n");
}

describe("accepted credentials", () => {
  it("trims a Binance HMAC key, defaults to LIVE and drops an empty label", () => {
    const parsed = parseCredentialInput({ exchange: "BINANCE", apiKey: ` ${BINANCE_KEY}\n`, apiSecret: `\t${BINANCE_SECRET} `, label: "   " });
    expect(parsed).toEqual({ exchange: "BINANCE", environment: "LIVE", apiKey: BINANCE_KEY, apiSecret: BINANCE_SECRET, secretKind: "HMAC" });
  });

  it("takes a PEM private key as the Binance secret and reports its kind", () => {
    const base = { exchange: "BINANCE", apiKey: BINANCE_KEY, environment: "TESTNET" };
    expect(parseCredentialInput({ ...base, apiSecret: `\n${ed25519.privatePem}\n` })).toMatchObject({
      apiSecret: ed25519.privatePem.trim(),
      secretKind: "ED25519",
      environment: "TESTNET",
    });
    expect(parseCredentialInput({ ...base, apiSecret: rsa2048.privatePem }).secretKind).toBe("RSA");
    expect(detectSecretKind("BINANCE", ed25519.privatePem)).toBe("ED25519");
    expect(detectSecretKind("BYBIT", BYBIT_SECRET)).toBe("HMAC");
  });

  it("accepts Bybit keys of plausible lengths and a trimmed label", () => {
    expect(parseCredentialInput({ exchange: "BYBIT", apiKey: BYBIT_KEY, apiSecret: BYBIT_SECRET, environment: "DEMO", label: "  main account " })).toEqual({
      exchange: "BYBIT",
      environment: "DEMO",
      apiKey: BYBIT_KEY,
      apiSecret: BYBIT_SECRET,
      label: "main account",
      secretKind: "HMAC",
    });
  });
});

describe("rejections name the field and never repeat the secret", () => {
  const binance = { exchange: "BINANCE", apiKey: BINANCE_KEY, apiSecret: BINANCE_SECRET };
  const bybit = { exchange: "BYBIT", apiKey: BYBIT_KEY, apiSecret: BYBIT_SECRET };
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["a Binance secret one character short", { ...binance, apiSecret: BINANCE_SECRET.slice(1) }, "apiSecret", /64 characters long; this one has 63/],
    ["a Binance secret with a symbol", { ...binance, apiSecret: `${BINANCE_SECRET.slice(1)}!` }, "apiSecret", /only letters and digits/],
    ["a Binance secret with a space inside", { ...binance, apiSecret: `${BINANCE_SECRET.slice(0, 30)} ${BINANCE_SECRET.slice(31)}` }, "apiSecret", /only letters and digits/],
    ["a Binance API key one character short", { ...binance, apiKey: BINANCE_KEY.slice(1) }, "apiKey", /API key is 64 characters/],
    ["the API key pasted as the secret", { ...binance, apiSecret: BINANCE_KEY }, "apiSecret", /same as the API key/],
    ["a public key instead of the private key", { ...binance, apiSecret: ed25519.publicPem }, "apiSecret", /public key/],
    ["a password-protected private key", { ...binance, apiSecret: ed25519.encryptedPem }, "apiSecret", /password/],
    ["an EC private key", { ...binance, apiSecret: pem("ec").privatePem }, "apiSecret", /Ed25519 or RSA/],
    ["an EC key in SEC1 form", { ...binance, apiSecret: pem("ec", "sec1").privatePem }, "apiSecret", /starts with -----BEGIN PRIVATE KEY-----/],
    ["a 1024-bit RSA key", { ...binance, apiSecret: pem("rsa", "pkcs8", 1024).privatePem }, "apiSecret", /1024 bits/],
    ["a truncated PEM", { ...binance, apiSecret: ed25519.privatePem.slice(0, 60) }, "apiSecret", /could not be read/],
    ["a PEM secret for Bybit", { ...bybit, apiSecret: ed25519.privatePem }, "apiSecret", /RSA keys are not supported for Bybit/],
    ["a Bybit API key that is too short", { ...bybit, apiKey: "Ab12345" }, "apiKey", /10 to 64/],
    ["a Bybit secret that is too long", { ...bybit, apiSecret: "Zq9".repeat(50) }, "apiSecret", /16 to 128/],
    ["a Bybit secret with a quote", { ...bybit, apiSecret: `"${BYBIT_SECRET}"` }, "apiSecret", /only letters and digits/],
    ["a missing secret", { exchange: "BYBIT", apiKey: BYBIT_KEY }, "apiSecret", /secret key is required/],
    ["a blank secret", { ...bybit, apiSecret: "   " }, "apiSecret", /secret key is required/],
    ["a numeric secret", { ...bybit, apiSecret: 1234567890123456 }, "apiSecret", /must be text/],
    ["a megabyte secret", { ...bybit, apiSecret: "Qx7".repeat(400_000) }, "apiSecret", /too long/],
    ["a label over 60 characters", { ...bybit, label: "L".repeat(61) }, "label", /at most 60/],
    ["a label with a line break", { ...bybit, label: "main\naccount" }, "label", /line breaks/],
    ["a lowercase exchange", { ...bybit, exchange: "bybit" }, "exchange", /BINANCE or BYBIT/],
    ["an unknown environment", { ...bybit, environment: "PROD" }, "environment", /LIVE, TESTNET or DEMO/],
  ];

  it.each(cases)("%s", (_name, input, field, problem) => {
    const error = rejection(input);
    expect(error.code).toBe("BAD_INPUT");
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.message).toMatch(problem);
    const said = everythingSaid(input);
    for (const value of [input.apiSecret, input.apiKey]) {
      if (typeof value !== "string" && typeof value !== "number") continue;
      const text = String(value).trim();
      if (text.length < 8) continue; // too short to tell an echo from ordinary words
      expect(said).not.toContain(text);
      // No recognisable fragment either: first/last 12 characters, or any PEM body line (below).
      if (text.length >= 24 && !text.startsWith("-----")) {
        expect(said).not.toContain(text.slice(0, 12));
        expect(said).not.toContain(text.slice(-12));
      }
    }
    for (const line of String(input.apiSecret ?? "").split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----"))) {
      expect(said).not.toContain(line);
    }
  });

  it("lists every bad field in details, not just the first", () => {
    const error = rejection({ exchange: "BINANCE", apiKey: "short", apiSecret: "also-short!" });
    expect(error.details?.issues).toEqual([
      { field: "apiKey", message: expect.any(String) },
      { field: "apiSecret", message: expect.any(String) },
    ]);
  });

  it("never repeats an arbitrary bad secret", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 200, unit: "grapheme" }), (secret) => {
        fc.pre(!/^[A-Za-z0-9]{64}$/.test(secret.trim()) && secret.trim().length >= 8);
        expect(everythingSaid({ exchange: "BINANCE", apiKey: BINANCE_KEY, apiSecret: secret })).not.toContain(secret.trim());
      }),
    );
  });

  it("names the input when it is not an object", () => {
    const error = rejection(null);
    expect(error.field).toBe("input");
    expect(error.message).toContain("exchange, apiKey and apiSecret");
  });
});
