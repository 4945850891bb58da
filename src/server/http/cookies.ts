/**
 * The Cookie header, read defensively. A value with broken percent-encoding (`x=%E0%A4%A`) is
 * something a client sent, not a bug: parseCookieHeader skips it, and malformedCookie says why so
 * the server entry can answer 400 instead of letting a decoder throw deep inside a request (a 500
 * with a stack trace).
 */
const MAX_COOKIE_HEADER = 16 * 1024;

function decode(value: string): string | null {
  try {
    return value.includes("%") ? decodeURIComponent(value) : value;
  } catch {
    return null;
  }
}

function pairs(header: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    let value = part.slice(i + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out.push([part.slice(0, i).trim(), value]);
  }
  return out;
}

/** Name -> decoded value; undecodable values are left out (first occurrence of a name wins). */
export function parseCookieHeader(header: string | string[] | null | undefined): Map<string, string> {
  const text = Array.isArray(header) ? header.join("; ") : (header ?? "");
  const cookies = new Map<string, string>();
  for (const [name, raw] of pairs(text.slice(0, MAX_COOKIE_HEADER))) {
    const value = decode(raw);
    if (value !== null && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** Why this Cookie header is refused (400), or null when it is fine. Never echoes a value. */
export function malformedCookie(header: string | string[] | null | undefined): string | null {
  const text = Array.isArray(header) ? header.join("; ") : (header ?? "");
  if (text.length > MAX_COOKIE_HEADER) return `The Cookie header is longer than ${MAX_COOKIE_HEADER / 1024} KB.`;
  for (const [name, raw] of pairs(text)) {
    if (decode(raw) === null) return `The cookie "${name.slice(0, 64).replace(/[^\x21-\x7e]/g, "?")}" is not validly encoded; clear this site's cookies and try again.`;
  }
  return null;
}
