/**
 * What an API key may do, where it may be used from and until when, read from the exchange's own
 * API-key endpoint (Binance apiRestrictions, Bybit query-api).
 */
import type { Exchange as CcxtExchange } from "ccxt";
import { z } from "zod";
import type { ExchangeName } from "~/server/exchanges/profiles";

export interface KeyPermissions {
  read: boolean;
  trade: boolean;
  futures: boolean;
  withdraw: boolean;
  ipRestricted: boolean;
}

export interface KeyInfo {
  permissions: KeyPermissions;
  /** When the key (Bybit expiredAt) or its trading authority (Binance tradingAuthorityExpirationTime) expires; null: none reported. */
  expiresAt: Date | null;
  /** The addresses the key is bound to, when the exchange lists them (Bybit); empty otherwise. */
  boundIps: string[];
}

const DAY_MS = 86_400_000;
// Only the expiry fields are parsed strictly: a malformed one is treated as "not reported", never as a crash.
const binanceExpiry = z.object({ tradingAuthorityExpirationTime: z.number().int().positive() });
const bybitExpiry = z.object({ expiredAt: z.iso.datetime({ offset: true }) });
const bybitDeadline = z.object({ deadlineDay: z.coerce.number().int().min(0) });

function bybitExpiresAt(r: Record<string, unknown>, now: number): Date | null {
  const at = bybitExpiry.safeParse(r);
  if (at.success) return new Date(at.data.expiredAt);
  // Without expiredAt, deadlineDay is the number of days the key has left (-1: no deadline).
  const days = bybitDeadline.safeParse(r);
  return days.success ? new Date(now + days.data.deadlineDay * DAY_MS) : null;
}

export async function readKeyInfo(c: CcxtExchange, exchange: ExchangeName, now = Date.now()): Promise<KeyInfo> {
  const api = c as unknown as Record<string, (p?: object) => Promise<unknown>>;
  if (exchange === "BINANCE") {
    const r = (await api.sapiGetAccountApiRestrictions!()) as Record<string, unknown>;
    const expiry = binanceExpiry.safeParse(r);
    return {
      permissions: {
        read: r.enableReading === true,
        trade: r.enableSpotAndMarginTrading === true,
        futures: r.enableFutures === true,
        withdraw: r.enableWithdrawals === true,
        ipRestricted: r.ipRestrict === true,
      },
      expiresAt: expiry.success ? new Date(expiry.data.tradingAuthorityExpirationTime) : null,
      boundIps: [],
    };
  }
  const r = ((await api.privateGetV5UserQueryApi!()) as { result?: Record<string, unknown> }).result ?? {};
  const perms = (r.permissions ?? {}) as Record<string, string[] | undefined>;
  const readOnly = Number(r.readOnly ?? 0) === 1;
  const ips = Array.isArray(r.ips) ? r.ips.filter((ip): ip is string => typeof ip === "string") : ["*"];
  const ipRestricted = !(ips.length === 0 || ips.includes("*"));
  return {
    permissions: {
      read: true,
      trade: !readOnly && (perms.Spot ?? []).includes("SpotTrade"),
      futures: !readOnly && (perms.ContractTrade ?? []).includes("Order"),
      withdraw: (perms.Wallet ?? []).includes("Withdraw"),
      ipRestricted,
    },
    expiresAt: bybitExpiresAt(r, now),
    boundIps: ipRestricted ? ips.slice(0, 50) : [],
  };
}

export async function readPermissions(c: CcxtExchange, exchange: ExchangeName): Promise<KeyPermissions> {
  return (await readKeyInfo(c, exchange)).permissions;
}
