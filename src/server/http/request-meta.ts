/**
 * Who is calling: client IP and user agent for audit rows and rate limits.
 * The server entry (scripts/server.ts) writes the peer address into CLIENT_IP_HEADER after
 * deleting any value the client sent, honouring X-Forwarded-For only when TRUST_PROXY is set.
 */
export const CLIENT_IP_HEADER = "x-keyrelay-client-ip";

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(h: HeaderSource, name: string): string | null {
  if (typeof (h as Headers).get === "function") return (h as Headers).get(name);
  const v = (h as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

export function requestMeta(h: HeaderSource): RequestMeta {
  const ua = header(h, "user-agent");
  return { ip: header(h, CLIENT_IP_HEADER), userAgent: ua ? ua.slice(0, 512) : null };
}

/** The client IP for a raw socket request, as the server entry computes it. */
export function resolveClientIp(opts: {
  socketAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  trustProxy: boolean;
}): string | null {
  const peer = normalizeIp(opts.socketAddress);
  if (!opts.trustProxy) return peer;
  const xff = Array.isArray(opts.forwardedFor) ? opts.forwardedFor.join(",") : (opts.forwardedFor ?? "");
  // With one trusted proxy in front, the left-most address is the one the proxy saw connect.
  const first = xff.split(",")[0]?.trim();
  return normalizeIp(first) ?? peer;
}

function normalizeIp(ip: string | undefined | null): string | null {
  if (!ip) return null;
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}
