// Request authentication shared by both dialects: HMAC signatures, IP
// whitelists, and per-key fixed-window rate limits.
import { createHmac } from "node:crypto";
import type { ApiKey, SimState } from "./state.ts";

export function hmacHex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("hex");
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are the same client. */
export function normalizeIp(address: string | undefined): string {
  if (address === undefined) return "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

export function ipAllowed(key: ApiKey, ip: string): boolean {
  return key.ips === null || key.ips.includes(ip);
}

/** Past its expiry the exchange refuses the key on every signed endpoint (Bybit 33004, Binance -2015). */
export function keyExpired(key: ApiKey, now: number): boolean {
  return key.expiresAt !== null && key.expiresAt <= now;
}

/**
 * Binance signs "query string + body" with the signature parameter removed,
 * keeping the exact bytes the client sent (no re-encoding).
 */
export function binancePayload(rawQuery: string, body: string): { payload: string; signature: string | null } {
  let signature: string | null = null;
  const strip = (raw: string): string => {
    if (raw === "") return raw;
    const at = raw.indexOf("signature=");
    if (at === -1) return raw;
    // fast path: ccxt appends it last ("...&signature=hex")
    if (at > 0 && raw.charCodeAt(at - 1) === 38 /* & */ && raw.indexOf("&", at) === -1) {
      signature = raw.slice(at + 10);
      return raw.slice(0, at - 1);
    }
    const kept: string[] = [];
    for (const part of raw.split("&")) {
      if (part.startsWith("signature=")) signature = part.slice(10);
      else kept.push(part);
    }
    return kept.join("&");
  };
  const payload = strip(rawQuery) + strip(body);
  return { payload, signature };
}

/** Consumes `cost` from the key's window; false when the window is exhausted. */
export function consumeRate(state: SimState, apiKey: string, cost: number, max: number, windowMs: number, now: number): boolean {
  let usage = state.usage.get(apiKey);
  if (usage === undefined || now - usage.start >= windowMs) {
    usage = { start: now - (now % windowMs), used: 0 };
    state.usage.set(apiKey, usage);
  }
  if (usage.used + cost > max) return false;
  usage.used += cost;
  return true;
}

/** Milliseconds until the key's current window resets (Retry-After). */
export function windowResetMs(state: SimState, apiKey: string, windowMs: number, now: number): number {
  const usage = state.usage.get(apiKey);
  return usage === undefined ? 0 : Math.max(0, usage.start + windowMs - now);
}
