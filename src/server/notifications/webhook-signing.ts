/**
 * Outgoing webhook signatures, Stripe-style: `X-KeyRelay-Signature: t=<unix seconds>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, `${t}.${body}`). A receiver recomputes it over the raw body, compares
 * in constant time and refuses a t older than a few minutes (replays).
 */
import crypto from "node:crypto";

export const SIGNATURE_HEADER = "X-KeyRelay-Signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function signPayload(secret: string, body: string, unixSeconds: number): string {
  const v1 = crypto.createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${v1}`;
}

/** A receiver's check (also what the tests use): the header matches the body and is recent enough. */
export function verifySignature(secret: string, body: string, header: string, nowSeconds: number, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  const v1 = parts.v1;
  if (!Number.isInteger(t) || typeof v1 !== "string" || !/^[0-9a-f]{64}$/.test(v1)) return false;
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = crypto.createHmac("sha256", secret).update(`${t}.${body}`).digest();
  return crypto.timingSafeEqual(expected, Buffer.from(v1, "hex"));
}

/** A new per-channel secret: shown once at creation, sealed at rest. */
export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64url")}`;
}
