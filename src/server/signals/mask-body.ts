/**
 * A webhook body as the delivery log keeps it: secrets masked (the `secret` field and anything named
 * like a credential, in JSON or key=value form, and token-like runs anywhere), then cut at
 * DELIVERY_BODY_MAX_BYTES. Masked before the cut, so a secret straddling the cut is never half shown.
 * Every pattern is bounded (no nested quantifiers): linear on a hostile 64 KB body.
 */

export const DELIVERY_BODY_MAX_BYTES = 8 * 1024;
export const MASK = "***";

const CREDENTIAL_WORD = "secret|token|password|passphrase|api_?key|apikey|signature|authorization";
// "secret": "...", "email_token": 123 (any key containing a credential word).
const JSON_PAIR = new RegExp(`("[^"\\\\]{0,40}(?:${CREDENTIAL_WORD})[^"\\\\]{0,40}"\\s*:\\s*)("(?:[^"\\\\]|\\\\.){0,4096}"|[^,}\\]\\s]{1,4096})`, "gi");
// secret=..., EMAIL_TOKEN=... (a line, or a ";" / "&" separated pair).
const KV_PAIR = new RegExp(`((?:^|[\\r\\n;&?])[ \\t]*[\\w.-]{0,40}(?:${CREDENTIAL_WORD})[\\w.-]{0,40}[ \\t]*=[ \\t]*)([^\\r\\n;&]{1,4096})`, "gim");
const LONG_RUN = /[A-Za-z0-9_-]{32,}/g;

/** A run that looks random: mixed case and digits with few separators (a base64url token, an API key), or long hex. */
function tokenLike(run: string): boolean {
  if (/^[0-9a-f]+$/.test(run) || /^[0-9A-F]+$/.test(run)) return /[a-f]/i.test(run) && /\d/.test(run);
  const separators = run.length - run.replace(/[-_]/g, "").length;
  return /[a-z]/.test(run) && /[A-Z]/.test(run) && /\d/.test(run) && separators <= 4;
}

export function maskSecrets(text: string): string {
  return text
    .replace(JSON_PAIR, (_m, key: string) => `${key}"${MASK}"`)
    .replace(KV_PAIR, (_m, key: string) => `${key}${MASK}`)
    .replace(LONG_RUN, (run) => (tokenLike(run) ? MASK : run));
}

export interface StoredBody {
  body: string;
  bodyBytes: number;
  bodyTruncated: boolean;
}

export function bodyForLog(raw: string): StoredBody {
  const bodyBytes = Buffer.byteLength(raw);
  const masked = maskSecrets(raw);
  const bytes = Buffer.from(masked);
  if (bytes.length <= DELIVERY_BODY_MAX_BYTES) return { body: masked, bodyBytes, bodyTruncated: false };
  // Cut on a byte boundary; a character split by the cut is dropped, not shown as U+FFFD.
  const cut = bytes.subarray(0, DELIVERY_BODY_MAX_BYTES).toString("utf8").replace(/\uFFFD$/, "");
  return { body: cut, bodyBytes, bodyTruncated: true };
}
