/**
 * Outgoing HTTP to user-supplied targets (webhooks) and to the Telegram bot API: one POST of JSON,
 * bounded (a total timeout, a capped answer read, no redirects followed), and, unless the operator
 * allows them, never to a private, loopback or link-local address (SSRF: a user could otherwise
 * make the server call its own database, metadata service or admin ports). The address is checked
 * after DNS resolution, at connect time, so a name that resolves to 127.0.0.1 (or changes between
 * the check and the connect) is refused too.
 */
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";

export interface PostOptions {
  /** Allow loopback and private addresses (tests, a local dev receiver); production keeps it off. */
  allowPrivate: boolean;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface PostResult {
  status: number;
  /** The first 2 KB of the answer, for error messages (the answer is never logged whole). */
  body: string;
}

/** Refused before any byte was sent; the message names the rule, never a secret. */
export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutboundRefused";
  }
}

const BLOCKED = new net.BlockList();
for (const [net4, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) BLOCKED.addSubnet(net4, bits, "ipv4");
for (const [net6, bits] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) BLOCKED.addSubnet(net6, bits, "ipv6");

/** Loopback, private, link-local, carrier-grade NAT, multicast or reserved (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, "ipv4");
  return BLOCKED.check(address, family === 4 ? "ipv4" : "ipv6");
}

const MAX_ANSWER = 2_048;

export async function postJson(url: string, body: string, opts: PostOptions): Promise<PostResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OutboundRefused("The URL is not valid.");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new OutboundRefused("Only https:// URLs can be called.");
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (!opts.allowPrivate && net.isIP(host) && isPrivateAddress(host)) {
    throw new OutboundRefused(`${host} is a private or loopback address; notifications are only sent to public addresses.`);
  }
  const lookup: net.LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: false }, (err, address, family) => {
      if (err) return callback(err, "", 0);
      if (!opts.allowPrivate && isPrivateAddress(address as string)) {
        return callback(new OutboundRefused(`${hostname} resolves to a private or loopback address; notifications are only sent to public addresses.`), "", 0);
      }
      callback(null, address as string, family as number);
    });
  };
  const client = u.protocol === "https:" ? https : http;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise<PostResult>((resolve, reject) => {
    const req = client.request(
      u,
      {
        method: "POST",
        lookup,
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "KeyRelay-Notifications/1", ...opts.headers },
      },
      (res) => {
        let answer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (answer.length < MAX_ANSWER) answer += chunk.slice(0, MAX_ANSWER - answer.length);
          else res.destroy(); // the rest is of no use; do not read a huge answer
        });
        res.on("close", () => resolve({ status: res.statusCode ?? 0, body: answer }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0, body: answer }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (err) => reject(err));
    req.on("close", () => clearTimeout(timer));
    req.end(body);
  });
}

/** A short reason for the delivery log: the status (redirects included, never followed) or the error's own words. */
export function describeFailure(r: PostResult | Error): string {
  if (r instanceof Error) return r.message.slice(0, 300);
  if (r.status >= 300 && r.status < 400) return `HTTP ${r.status}: redirects are not followed; use the final URL.`;
  return `HTTP ${r.status}${r.body ? `: ${r.body.replace(/\s+/g, " ").slice(0, 200)}` : ""}`;
}
