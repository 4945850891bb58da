// What the UI, logs and audit rows show instead of an API key.

const FULL_MASK = "****";
// Below this length the 8 visible characters would be half the key or more, so show none.
const MIN_LENGTH_TO_SHOW_ENDS = 16;

/** "AbCd…WxYz" for a normal key; "****" for short or empty ones (the length is not revealed either). */
export function maskApiKey(key: string): string {
  const chars = [...key.trim()]; // by code point, so a pasted emoji is never cut in half
  if (chars.length < MIN_LENGTH_TO_SHOW_ENDS) return FULL_MASK;
  return `${chars.slice(0, 4).join("")}…${chars.slice(-4).join("")}`;
}
