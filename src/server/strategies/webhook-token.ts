/**
 * A strategy's webhook token: 192 random bits in its URL, shown once (at creation and on rotation).
 * Only sha256(token) is stored, with the last 4 characters as a hint that tells URLs apart, so a
 * database leak yields no usable webhook URL. The token is random, so a plain hash is enough (no
 * salt, no slow hash) and the webhook finds its strategy by the hash in one indexed look-up.
 * The migration 20261202120000_hashed_webhook_tokens hashes existing tokens the same way in SQL.
 */
import crypto from "node:crypto";

export const WEBHOOK_PATH_PREFIX = "/api/webhooks/tradingview/";

export const newWebhookToken = () => crypto.randomBytes(24).toString("base64url"); // 32 chars, 192 bits

/** Hex SHA-256 of the UTF-8 token: the same as SQL's encode(sha256(convert_to(token, 'UTF8')), 'hex'). */
export function hashWebhookToken(token: string): string {
  return crypto.createHash("sha256").update(token, "utf8").digest("hex");
}

/** The non-secret hint kept beside the hash: the token's last 4 characters. */
export function webhookTokenHint(token: string): string {
  return token.slice(-4);
}

export function webhookPath(token: string): string {
  return `${WEBHOOK_PATH_PREFIX}${token}`;
}

/** How a stored URL is shown after its one showing: the path with all but the hint elided. */
export function maskedWebhookPath(hint: string): string {
  return `${WEBHOOK_PATH_PREFIX}…${hint}`;
}

/** A fresh token and the columns to store for it: the token itself goes to the caller, once. */
export function issueWebhookToken(token: string = newWebhookToken()) {
  return { token, stored: { webhookTokenHash: hashWebhookToken(token), webhookTokenHint: webhookTokenHint(token) } };
}
