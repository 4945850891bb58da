/**
 * Personal API tokens as signed JWTs (HS256): claims {sub, jti, iat, exp, typ: "kr_pat"}.
 * The signing key is derived from NEXTAUTH_SECRET with HKDF-SHA256 under a label of its own, so the
 * key differs from the session key; rotating NEXTAUTH_SECRET invalidates every token at once.
 * Only sha256(jti) is stored (ApiToken.jtiHash): a database leak yields no usable token.
 */
import crypto from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { getEnv } from "~/env";
import { AppError } from "~/server/errors";

export const TOKEN_TYP = "kr_pat";
const HKDF_INFO = "keyrelay/api-token/hs256/v1";
const ALG = "HS256";
// A real token is ~250 characters; anything far larger is not one of ours and is not worth parsing.
const MAX_TOKEN_LENGTH = 2048;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function deriveTokenKey(secret: string): Uint8Array {
  if (secret.length < 32) {
    throw new AppError("CONFIG", "NEXTAUTH_SECRET must be at least 32 characters (make one with `openssl rand -hex 32`).", {
      field: "NEXTAUTH_SECRET",
    });
  }
  return new Uint8Array(crypto.hkdfSync("sha256", secret, new Uint8Array(0), HKDF_INFO, 32));
}

export interface TokenOptions {
  /** Defaults to tokenSecretFromEnv(). */
  secret?: string;
  /** The clock, for tests. */
  now?: Date;
}

/** The token secret for this process: NEXTAUTH_SECRET (the server entry sets it in dev too). */
export function tokenSecretFromEnv(env: { NEXTAUTH_SECRET?: string | undefined } = getEnv()): string {
  const secret = env.NEXTAUTH_SECRET;
  if (!secret) {
    throw new AppError("CONFIG", "NEXTAUTH_SECRET is not set; API tokens cannot be signed or checked without it.", {
      field: "NEXTAUTH_SECRET",
    });
  }
  return secret;
}

/** A random 128-bit token id. */
export function newJti(): string {
  return crypto.randomBytes(16).toString("base64url");
}

export function hashJti(jti: string): string {
  return crypto.createHash("sha256").update(jti, "utf8").digest("hex");
}

export async function signApiToken(
  secret: string,
  claims: { userId: string; jti: string; issuedAt: Date; expiresAt: Date },
): Promise<string> {
  return new SignJWT({ typ: TOKEN_TYP })
    .setProtectedHeader({ alg: ALG, typ: "JWT" })
    .setSubject(claims.userId)
    .setJti(claims.jti)
    .setIssuedAt(Math.floor(claims.issuedAt.getTime() / 1000))
    .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
    .sign(deriveTokenKey(secret));
}

export type TokenRejection = "malformed" | "bad_signature" | "expired";

export type VerifiedToken =
  | { ok: true; userId: string; jti: string; expiresAt: Date }
  // userId/expiresAt are present only when the signature was good (an expired token), so they can be trusted.
  | { ok: false; reason: TokenRejection; userId?: string; expiresAt?: Date };

/** Checks shape, signature, claims and expiry. Never throws for a bad token; returns why it failed. */
export async function verifyApiToken(secret: string, token: string, now: Date = new Date()): Promise<VerifiedToken> {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return { ok: false, reason: "malformed" };
  const key = deriveTokenKey(secret);
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALG],
      currentDate: now,
      requiredClaims: ["sub", "jti", "iat", "exp"],
    });
    if (payload.typ !== TOKEN_TYP || typeof payload.sub !== "string" || typeof payload.jti !== "string") {
      return { ok: false, reason: "malformed" };
    }
    return { ok: true, userId: payload.sub, jti: payload.jti, expiresAt: new Date(payload.exp! * 1000) };
  } catch (err) {
    // jose checks the signature before the claims, so an expired token has a good signature.
    if (err instanceof errors.JWTExpired) {
      const { sub, exp } = err.payload;
      return {
        ok: false,
        reason: "expired",
        ...(typeof sub === "string" ? { userId: sub } : {}),
        ...(typeof exp === "number" ? { expiresAt: new Date(exp * 1000) } : {}),
      };
    }
    if (err instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: "bad_signature" };
    if (err instanceof errors.JOSEError) return { ok: false, reason: "malformed" };
    throw err;
  }
}
