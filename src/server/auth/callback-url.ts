/**
 * Where to send a browser after sign-in: a path on this site, never another host. `callbackUrl`
 * comes from the address bar, so anything that a browser could resolve off-site is replaced by the
 * dashboard: `//evil`, `/\evil` (browsers read `\` as `/`), absolute URLs, `javascript:`, and
 * control characters or whitespace that browsers strip before resolving.
 */
export const AFTER_SIGN_IN = "/dashboard";

const BASE = "http://keyrelay.invalid";

export function safeCallbackPath(raw: unknown, fallback = AFTER_SIGN_IN): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048) return fallback;
  if (!raw.startsWith("/") || raw.startsWith("//")) return fallback;
  // Backslashes, whitespace and control characters anywhere: a browser may drop or rewrite them.
  if (/[\\\s\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
