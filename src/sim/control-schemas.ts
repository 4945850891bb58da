// The /__sim/ control API's request bodies (zod): every field refused with its name and what to send.
import { z } from "zod";

export const decimal = z.string().regex(/^\d+(\.\d{1,8})?$/, "a decimal string with at most 8 places, e.g. \"10000\" or \"0.5\"");
/** A JSON number with at most 8 places below 1e15, as the exact decimal string it stands for (1000 -> "1000"). */
export const plainNumber = (what: string) =>
  z
    .number({ error: `${what}: a number or a decimal string with at most 8 places, e.g. 1000 or "0.5"` })
    .refine((n) => Number.isFinite(n) && n >= 0 && n < 1e15, `${what}: must be from 0 to below 1e15`)
    .refine((n) => Number(n.toFixed(8)) === n, `${what}: at most 8 decimal places (send a decimal string for exact values)`)
    .transform((n) => n.toFixed(8).replace(/\.?0+$/, "") || "0");
/** an amount as a decimal string or a plain number (`{"USDT": 1000}`), normalised to a decimal string */
export const amount = z.union([decimal, plainNumber("an amount")], {
  error: (i) => (i.input === undefined ? undefined : `an amount: a number or a decimal string with at most 8 places, e.g. 1000 or "0.5", not ${JSON.stringify(i.input)}`),
});
export const balances = z.record(z.string().regex(/^[A-Z0-9]{2,12}$/, "an asset code like USDT"), amount);
/** futures settings an account starts with or is switched to (the exchanges' own preconditions apply: no open positions) */
export const settingsFields = {
  /** one-way (false, default) or hedge mode: Binance account-wide, Bybit the default for every symbol */
  hedgeMode: z.boolean().optional(),
  /** Bybit: the UTA margin mode (account-wide); Binance: the margin type of `symbols` (default: every symbol) */
  marginMode: z.enum(["cross", "isolated"]).optional(),
  symbols: z.array(z.string().regex(/^[A-Z0-9]+$/, "an exchange symbol like BTCUSDT")).min(1).optional(),
  /** leverage per exchange symbol, e.g. {"BTCUSDT": 10} */
  leverage: z.record(z.string().regex(/^[A-Z0-9]+$/, "an exchange symbol like BTCUSDT"), z.number().int().min(1)).optional(),
};
export const permissions = z.strictObject({
  read: z.boolean().optional(),
  spotTrade: z.boolean().optional(),
  futures: z.boolean().optional(),
  withdraw: z.boolean().optional(),
});
export const keyFields = {
  permissions: permissions.optional(),
  /** true: the key works only from `ips` (Binance ipRestrict true, Bybit ips = the list); false/absent: from anywhere (Bybit ["*"]) */
  ipRestricted: z.boolean().optional(),
  /** the whitelisted client addresses; implies ipRestricted (default when restricted: loopback, so the key still works locally) */
  ips: z.array(z.union([z.ipv4(), z.ipv6()], { error: "ips must be IP addresses (leave ips out for a key usable from any IP)" })).min(1).optional(),
  /**
   * when the key (Bybit expiredAt) or its trading authority (Binance tradingAuthorityExpirationTime) expires:
   * an ISO time or epoch ms; null = never. Default: Bybit keys without `ips` expire 90 days after creation, others never.
   */
  expiresAt: z
    .union([z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)), z.number().int().positive(), z.null()], {
      error: "expiresAt must be an ISO time like \"2026-12-24T00:00:00Z\", epoch milliseconds, or null for no expiry",
    })
    .optional(),
};
export const ipFieldsAgree = (b: { ipRestricted?: boolean; ips?: string[] }) => !(b.ipRestricted === false && b.ips !== undefined);
export const ipFieldsDisagree = { error: "ips lists the addresses of an IP-restricted key: drop ipRestricted: false, or drop ips", path: ["ips"] };
export const AccountBody = z.strictObject({
  exchange: z.enum(["binance", "bybit"]),
  ...keyFields,
  balances: balances.optional(),
  /** Binance USDⓈ-M wallet; defaults to the USDT/USDC entries of `balances`. Ignored for Bybit (one UNIFIED wallet). */
  futuresBalances: balances.optional(),
  ...settingsFields,
}).refine(ipFieldsAgree, ipFieldsDisagree);
export const SettingsBody = z.strictObject(settingsFields);
export const KeyBody = z.strictObject(keyFields).refine(ipFieldsAgree, ipFieldsDisagree);
export const ExpiryBody = z.strictObject({ expiresAt: keyFields.expiresAt.unwrap() });
export const BalancesBody = z.strictObject({ balances: balances.optional(), futuresBalances: balances.optional() });
export const PriceBody = z.strictObject({
  exchange: z.enum(["binance", "bybit"]).optional(),
  symbol: z.string().regex(/^[A-Z0-9]+(\/[A-Z0-9]+(:[A-Z0-9]+)?)?$/, "BTC/USDT, BTC/USDT:USDT or BTCUSDT"),
  price: z.union([decimal, plainNumber("price")], { error: (i) => `price: a number or a decimal string with at most 8 places, e.g. 65000 or "0.5", not ${JSON.stringify(i.input)}` }),
});
export const FaultBody = z.strictObject({
  apiKey: z.string().min(1).optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  status: z.union([z.literal(429), z.literal(418), z.literal(500), z.literal(502), z.literal(503)]).optional(),
  timeout: z.boolean().optional(),
  dropAfterAccept: z.boolean().optional(),
  count: z.number().int().positive().optional(),
  paths: z.array(z.string().startsWith("/")).min(1).optional(),
});
export const LimitsBody = z.strictObject({
  binanceWeight: z.number().int().positive().optional(),
  binanceWindowMs: z.number().int().positive().optional(),
  bybitOrders: z.number().int().positive().optional(),
  bybitWindowMs: z.number().int().positive().optional(),
});

