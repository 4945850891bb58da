/** What an API key may do, read from the exchange's own API-key endpoint (Binance apiRestrictions, Bybit query-api). */
import type { Exchange as CcxtExchange } from "ccxt";
import type { ExchangeName } from "~/server/exchanges/profiles";

export interface KeyPermissions {
  read: boolean;
  trade: boolean;
  futures: boolean;
  withdraw: boolean;
  ipRestricted: boolean;
}

export async function readPermissions(c: CcxtExchange, exchange: ExchangeName): Promise<KeyPermissions> {
  const api = c as unknown as Record<string, (p?: object) => Promise<unknown>>;
  if (exchange === "BINANCE") {
    const r = (await api.sapiGetAccountApiRestrictions!()) as Record<string, unknown>;
    return {
      read: r.enableReading === true,
      trade: r.enableSpotAndMarginTrading === true,
      futures: r.enableFutures === true,
      withdraw: r.enableWithdrawals === true,
      ipRestricted: r.ipRestrict === true,
    };
  }
  const r = ((await api.privateGetV5UserQueryApi!()) as { result?: Record<string, unknown> }).result ?? {};
  const perms = (r.permissions ?? {}) as Record<string, string[] | undefined>;
  const readOnly = Number(r.readOnly ?? 0) === 1;
  const ips = (r.ips as string[] | undefined) ?? ["*"];
  return {
    read: true,
    trade: !readOnly && (perms.Spot ?? []).includes("SpotTrade"),
    futures: !readOnly && (perms.ContractTrade ?? []).includes("Order"),
    withdraw: (perms.Wallet ?? []).includes("Withdraw"),
    ipRestricted: !(ips.length === 0 || ips.includes("*")),
  };
}
