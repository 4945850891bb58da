import { createPrivateKey } from "node:crypto";
import { z } from "zod";

import { AppError } from "~/server/errors";

// Input rules for an exchange credential, shared by the UI form, tRPC and REST. Every message says
// which field and what to do, and none quotes what was typed: the secret must not end up in a
// response, a log line or a browser console. Custom messages everywhere so Zod's defaults never speak.

export const EXCHANGES = ["BINANCE", "BYBIT"] as const;
export type Exchange = (typeof EXCHANGES)[number];
export const ENVIRONMENTS = ["LIVE", "TESTNET", "DEMO"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export type SecretKind = "HMAC" | "ED25519" | "RSA";
export const LABEL_MAX_CHARS = 60;
const MIN_RSA_BITS = 2048;

type Length = { min: number; max: number };

// Differences per exchange as data. Binance documents 64-character keys and HMAC secrets.
// Bybit documents no length (keys seen are 18 and secrets 36 characters); the bounds are wide enough to
// survive a format change and tight enough to catch a pasted sentence, a URL or half a key.
const RULES: Record<Exchange, { name: string; apiKey: Length; hmacSecret: Length; pemSecret: boolean }> = {
  BINANCE: { name: "Binance", apiKey: { min: 64, max: 64 }, hmacSecret: { min: 64, max: 64 }, pemSecret: true },
  BYBIT: { name: "Bybit", apiKey: { min: 10, max: 64 }, hmacSecret: { min: 16, max: 128 }, pemSecret: false },
};

const ALPHANUMERIC = /^[A-Za-z0-9]*$/;
const PEM_HEADERS = ["-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----"];

const text = (what: string, max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${what} is required.` : `${what} must be text.`) })
    .trim()
    .min(1, { error: `${what} is required.` })
    .max(max, { error: `${what} is too long (at most ${max} characters).` });

const fieldsSchema = z.object(
  {
    exchange: z.enum(EXCHANGES, { error: "Choose the exchange: BINANCE or BYBIT." }),
    environment: z.enum(ENVIRONMENTS, { error: "Environment must be LIVE, TESTNET or DEMO." }).default("LIVE"),
    apiKey: text("The API key", 200),
    apiSecret: text("The secret key", 10_000), // an RSA-4096 PEM is ~3.3k characters
    label: z
      .string({ error: "The label must be text." })
      .trim()
      .max(LABEL_MAX_CHARS, { error: `The label can be at most ${LABEL_MAX_CHARS} characters.` })
      .regex(/^[^\p{Cc}]*$/u, { error: "The label cannot contain line breaks or control characters." })
      .optional(),
  },
  { error: "Expected an object with exchange, apiKey and apiSecret." },
);

export type CredentialIssue = { field: string; message: string };

export const credentialInputSchema = fieldsSchema.transform((fields, ctx) => {
  const rule = RULES[fields.exchange];
  const issues: CredentialIssue[] = [];
  const keyProblem = lengthProblem(fields.apiKey, rule.apiKey, `A ${rule.name} API key`);
  if (keyProblem !== undefined) issues.push({ field: "apiKey", message: keyProblem });

  const secret = inspectSecret(fields.exchange, fields.apiSecret);
  if ("problem" in secret) issues.push({ field: "apiSecret", message: secret.problem });
  else if (fields.apiSecret === fields.apiKey) {
    issues.push({ field: "apiSecret", message: "The secret key is the same as the API key; paste the secret key here." });
  }

  // `input` is left out on purpose: the issue would otherwise carry the whole object, secret included.
  for (const issue of issues) ctx.addIssue({ code: "custom", path: [issue.field], message: issue.message });
  if ("problem" in secret || issues.length > 0) return z.NEVER;

  const { label, ...rest } = fields;
  return { ...rest, ...(label ? { label } : {}), secretKind: secret.kind };
});

export type CredentialInputRaw = z.input<typeof credentialInputSchema>;
export type CredentialInput = z.output<typeof credentialInputSchema>;

/** Parses or throws AppError BAD_INPUT naming the first bad field; details.issues lists them all. */
export function parseCredentialInput(input: unknown): CredentialInput {
  const result = credentialInputSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error);
  const first = issues[0] ?? { field: "input", message: "The credential is invalid." };
  throw new AppError("BAD_INPUT", `${first.field}: ${first.message}`, { field: first.field, details: { issues } });
}

/** Field + message pairs only (no received values), for UI forms and error responses. */
export function fieldIssues(error: z.ZodError): CredentialIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join(".") : "input",
    message: issue.message,
  }));
}

/**
 * The kind of an already-validated secret (e.g. after decrypting it), for choosing the signing method.
 * Throws AppError BAD_INPUT if the secret is not acceptable for the exchange.
 */
export function detectSecretKind(exchange: Exchange, apiSecret: string): SecretKind {
  const result = inspectSecret(exchange, apiSecret.trim());
  if ("problem" in result) throw new AppError("BAD_INPUT", `apiSecret: ${result.problem}`, { field: "apiSecret" });
  return result.kind;
}

function inspectSecret(exchange: Exchange, secret: string): { kind: SecretKind } | { problem: string } {
  const rule = RULES[exchange];
  if (!secret.startsWith("-----")) {
    const problem = lengthProblem(secret, rule.hmacSecret, `A ${rule.name} secret key`);
    if (problem === undefined) return { kind: "HMAC" };
    const alsoPem = rule.pemSecret && !ALPHANUMERIC.test(secret) ? " For an Ed25519 or RSA key, paste the PEM private key." : "";
    return { problem: problem + alsoPem };
  }
  if (!rule.pemSecret) {
    return { problem: `${rule.name} keys here use an HMAC secret (letters and digits); RSA keys are not supported for ${rule.name} yet.` };
  }
  const firstLine = secret.split("\n", 1)[0]?.trim() ?? "";
  if (firstLine.includes("PUBLIC KEY")) {
    return { problem: "This is a public key. Binance keeps the public key; paste the private key you generated with it." };
  }
  if (firstLine.includes("ENCRYPTED")) {
    return { problem: "This private key is protected by a password; export it without one (openssl pkey -in key.pem -out plain.pem)." };
  }
  if (!PEM_HEADERS.includes(firstLine)) {
    return { problem: `Paste a PEM private key that starts with ${PEM_HEADERS.join(" or ")}.` };
  }
  let key;
  try {
    key = createPrivateKey({ key: secret, format: "pem" });
  } catch {
    // The parser's message is not passed on: it can quote the key material.
    return { problem: "The private key could not be read; paste the whole key including its BEGIN and END lines." };
  }
  if (key.asymmetricKeyType === "ed25519") return { kind: "ED25519" };
  if (key.asymmetricKeyType === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return { problem: `This RSA key has ${bits} bits; Binance needs at least ${MIN_RSA_BITS}.` };
    return { kind: "RSA" };
  }
  return { problem: `Binance accepts Ed25519 or RSA private keys; this is a ${key.asymmetricKeyType ?? "different"} key.` };
}

/** Letters and digits within the exchange's length. Reports the length, never the content. */
function lengthProblem(value: string, length: Length, what: string): string | undefined {
  if (!ALPHANUMERIC.test(value)) {
    return `${what} contains only letters and digits; this one has other characters (spaces, quotes or symbols). Copy it again.`;
  }
  if (value.length >= length.min && value.length <= length.max) return undefined;
  const expected = length.min === length.max ? `${length.min}` : `${length.min} to ${length.max}`;
  return `${what} is ${expected} characters long; this one has ${value.length}. Copy it again in full.`;
}
