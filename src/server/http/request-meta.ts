/**
 * Who is calling: client IP and user agent for audit rows and rate limits.
 * The server entry (scripts/server.ts) writes the peer address into CLIENT_IP_HEADER after
 * deleting any value the client sent, honouring X-Forwarded-For only when TRUST_PROXY is set.
 */
import { isIP } from "node:net";

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

/**
 * The client IP for a raw socket request, as the server entry computes it. `trustProxy` is how many
 * proxies in front of KeyRelay append to X-Forwarded-For (0: none, the socket's address is the
 * client). Each proxy appends the address it saw connect, so the last `trustProxy` entries were
 * written by proxies we run and the client is the one `trustProxy` from the right; anything further
 * left came from the client and can say anything. Fewer entries than hops: the left-most one.
 */
export function resolveClientIp(opts: {
  socketAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  trustProxy: number;
}): string | null {
  const peer = normalizeIp(opts.socketAddress);
  if (opts.trustProxy <= 0) return peer;
  // Several X-Forwarded-For headers are one list, in order (RFC 9110 field combination).
  const xff = Array.isArray(opts.forwardedFor) ? opts.forwardedFor.join(",") : (opts.forwardedFor ?? "");
  const hops = xff
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (hops.length === 0) return peer;
  const entry = normalizeIp(hops[Math.max(0, hops.length - opts.trustProxy)]);
  // Our own proxies write addresses; anything else means the count is wrong: fall back to the peer.
  return entry !== null && isIP(entry) !== 0 ? entry : peer;
}

function normalizeIp(ip: string | undefined | null): string | null {
  if (!ip) return null;
  // Some proxies write a port: "[2001:db8::1]:443", "203.0.113.7:51234".
  const bare = /^\[([^\]]+)\](?::\d+)?$/.exec(ip)?.[1] ?? /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(ip)?.[1] ?? ip;
  return bare.startsWith("::ffff:") ? bare.slice(7) : bare;
}
