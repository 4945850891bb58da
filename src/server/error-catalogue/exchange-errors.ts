/**
 * The catalogue's exchange part: each kind an exchange error is mapped to (exchanges/map-error.ts),
 * and each exchange code the mapping reads (exchanges/profiles.ts; not the "already so" codes the
 * adapter treats as success), with its cause in plain words,
 * the fix and where to click. A code the mapping knows without an entry here fails the catalogue's
 * test, so the two cannot drift apart.
 */
import type { ExchangeErrorKind } from "~/server/exchanges/map-error";
import type { CatalogueEntry } from "~/server/error-catalogue/catalogue-entry";

const KEYS_PAGE = "Keys page (Keys in the menu): the exchange's card";
const ORDERS_PAGE = "Signals page: the order's row shows the exchange's own words";

/** One entry per kind the app records on an execution (`errorKind`) or shows when a key is verified. */
export const EXCHANGE_KIND_ENTRIES: Record<ExchangeErrorKind, CatalogueEntry> = {
  AUTH: {
    code: "EXCHANGE_AUTH",
    title: "The exchange rejected the API key",
    cause: "The key or its secret is wrong, the key was deleted or has expired, or the exchange refuses calls from this server's IP address.",
    fix: "Create a new key on the exchange (trading allowed, withdrawals off), restrict it to this server's egress IPs, then enter it again on the Keys page and press Verify. The key disabled itself so no order is sent with it until then.",
    where: KEYS_PAGE,
  },
  PERMISSION: {
    code: "EXCHANGE_PERMISSION",
    title: "The API key lacks a permission",
    cause: "The key exists, but the permission this action needs (spot or futures trading, reading the account) is not ticked on the exchange.",
    fix: "In the exchange's API management, edit the key and tick the trading permissions for the markets your strategies trade; keep withdrawals off. Then press Verify on the Keys page.",
    where: KEYS_PAGE,
  },
  INSUFFICIENT_FUNDS: {
    code: "EXCHANGE_INSUFFICIENT_FUNDS",
    title: "Not enough balance for the order",
    cause: "The account (or its futures wallet) does not hold enough of the quote currency, or margin, for the order's size, fees included.",
    fix: "Add funds or move them to the right wallet (spot vs USDⓈ-M futures on Binance, the unified account on Bybit), or lower the subscription's size on the Signals page.",
    where: ORDERS_PAGE,
  },
  RATE_LIMITED: {
    code: "EXCHANGE_RATE_LIMITED",
    title: "The exchange is rate-limiting the key",
    cause: "Too many requests were made with this key in a short time (other tools using the same key count too).",
    fix: "Nothing for a single refusal: KeyRelay waits and retries. If it repeats, give KeyRelay its own key that no other tool uses.",
    where: ORDERS_PAGE,
  },
  INVALID_ORDER: {
    code: "EXCHANGE_INVALID_ORDER",
    title: "The exchange refused the order",
    cause: "The order broke one of the market's rules: below the minimum amount or value, a price or size off the market's step, a reduce-only close with nothing to reduce, or a position mode that does not match.",
    fix: "Read the exchange's own words on the order's row. Usually: raise the subscription's size above the market's minimum, or check the account's position mode and leverage on the exchange.",
    where: ORDERS_PAGE,
  },
  DUPLICATE_CLIENT_ID: {
    code: "EXCHANGE_DUPLICATE_ORDER",
    title: "The order already exists on the exchange",
    cause: "An order with the same client order id was already placed: KeyRelay sent it once, the answer was lost, and the exchange refused the repeat.",
    fix: "Nothing: this is how KeyRelay makes sure an order is placed only once. The existing order is looked up and recorded.",
    where: ORDERS_PAGE,
  },
  NOT_FOUND: {
    code: "EXCHANGE_ORDER_NOT_FOUND",
    title: "The exchange has no such order",
    cause: "An order KeyRelay looked up (to settle a lost answer, or a protective order) is not on the exchange: it was never placed, or was cancelled by hand.",
    fix: "Nothing for a lost answer: KeyRelay records that the order was not placed. A stop-loss cancelled by hand is placed again by the protection watch.",
    where: "Positions page: the position's protective orders",
  },
  TEMPORARY: {
    code: "EXCHANGE_TEMPORARY",
    title: "The exchange is unreachable or busy",
    cause: "The exchange did not answer, is in maintenance, or rejected the request's time (this server's clock is off).",
    fix: "Nothing for a short outage: the request is retried. If it lasts, check the exchange's status page; an operator should check the server's clock (NTP) when the message names the time.",
    where: ORDERS_PAGE,
  },
  UNKNOWN_OUTCOME: {
    code: "EXCHANGE_UNKNOWN_OUTCOME",
    title: "The order may or may not exist",
    cause: "The order was sent but the answer was lost (a timeout or a dropped connection).",
    fix: "Nothing: KeyRelay looks the order up by its client order id before any retry, so it is never placed twice.",
    where: ORDERS_PAGE,
  },
  UNKNOWN: {
    code: "EXCHANGE_UNKNOWN",
    title: "An unexpected exchange error",
    cause: "The exchange answered with an error KeyRelay does not know.",
    fix: "Read the exchange's own words on the order's row; if they do not explain it, send them to your operator.",
    where: ORDERS_PAGE,
  },
};

type CodeEntry = CatalogueEntry & { exchange: "BINANCE" | "BYBIT"; exchangeCode: number; kind: ExchangeErrorKind };

const code = (exchange: CodeEntry["exchange"], exchangeCode: number, kind: ExchangeErrorKind, title: string, cause: string, fix?: string): CodeEntry => ({
  code: `${exchange}_${exchangeCode < 0 ? "M" : ""}${Math.abs(exchangeCode)}`,
  exchange,
  exchangeCode,
  kind,
  title,
  cause,
  fix: fix ?? EXCHANGE_KIND_ENTRIES[kind].fix,
  where: EXCHANGE_KIND_ENTRIES[kind].where,
});

/** The exchange codes the mapping reads, with what each means on that exchange. */
export const EXCHANGE_CODE_ENTRIES: readonly CodeEntry[] = [
  code("BINANCE", -2015, "AUTH", "Binance -2015: invalid API key, IP or permissions", "Binance refuses the key: it is wrong or deleted, this server's IP is not in the key's IP list, or the key lacks the permission for this market (the message says which)."),
  code("BINANCE", -2014, "AUTH", "Binance -2014: API key format invalid", "The API key is not a Binance key (a copy-paste error, or a key of another exchange)."),
  code("BINANCE", -1022, "AUTH", "Binance -1022: signature not valid", "The secret does not match the key (the secret was mistyped, or belongs to another key)."),
  code("BINANCE", -2008, "AUTH", "Binance -2008: invalid API key id", "Binance does not know this key: it was deleted, or is a testnet key used against the live exchange (or the reverse)."),
  code("BINANCE", -2019, "INSUFFICIENT_FUNDS", "Binance -2019: margin is insufficient", "The USDⓈ-M futures wallet does not hold enough margin for the order at its leverage."),
  code("BINANCE", -2018, "INSUFFICIENT_FUNDS", "Binance -2018: balance is insufficient", "The wallet does not hold enough of the asset for the order."),
  code("BINANCE", -2010, "INVALID_ORDER", "Binance -2010: new order rejected", "Binance refused the spot order; its own words say why (most often: insufficient balance, or an order with this client id already open).", "Read Binance's words on the order's row: add funds for a balance refusal; a duplicate is settled by KeyRelay on its own."),
  code("BINANCE", -4116, "DUPLICATE_CLIENT_ID", "Binance -4116: client order id is duplicated", "A futures order with this client order id was already placed."),
  code("BINANCE", -4015, "DUPLICATE_CLIENT_ID", "Binance -4015: client order id is not valid or duplicated", "A futures order with this client order id already exists."),
  code("BINANCE", -2022, "INVALID_ORDER", "Binance -2022: reduce-only order rejected", "A close was refused because there is no position (or a smaller one) on that side to reduce: it was closed by hand, or by a stop."),
  code("BINANCE", -4164, "INVALID_ORDER", "Binance -4164: order's notional too small", "The order's value is below the futures market's minimum notional (5 USDT on most USDⓈ-M markets).", "Raise the subscription's size on the Signals page so each order is worth more than the market's minimum."),
  code("BINANCE", -1111, "INVALID_ORDER", "Binance -1111: precision over the maximum", "The amount or price has more decimals than the market allows."),
  code("BINANCE", -4003, "INVALID_ORDER", "Binance -4003: quantity less than or equal to zero", "The order's size rounded down to zero at the market's step: the subscription's size is too small for this market."),
  code("BINANCE", -1013, "INVALID_ORDER", "Binance -1013: filter failure", "The order broke one of the market's filters (minimum amount, minimum notional, price or lot step)."),
  code("BINANCE", -4061, "INVALID_ORDER", "Binance -4061: position side does not match the position mode", "The account is in hedge mode and the order named no side, or in one-way mode and the order named one. KeyRelay sends it once more in the other mode and remembers it.", "Nothing for a single refusal. If it keeps coming, pick one position mode on Binance (Preferences → Position mode) and leave it."),
  code("BINANCE", -1021, "TEMPORARY", "Binance -1021: timestamp outside the receive window", "The request's time was too far from Binance's clock: this server's clock is off, or the request waited too long on the way.", "Nothing for a single refusal: it is retried. If it repeats, the operator must sync the server's clock (NTP)."),
  code("BYBIT", 10003, "AUTH", "Bybit 10003: API key is invalid", "Bybit does not know this key: mistyped, deleted, or a testnet/demo key used against the live exchange (or the reverse)."),
  code("BYBIT", 10004, "AUTH", "Bybit 10004: signature error", "The secret does not match the key."),
  code("BYBIT", 33004, "AUTH", "Bybit 33004: API key expired", "The key passed its expiry: Bybit expires keys without an IP restriction after 90 days.", "Create a new key restricted to this server's egress IPs (such keys do not expire), enter it on the Keys page and press Verify."),
  code("BYBIT", 10010, "AUTH", "Bybit 10010: unmatched IP", "The key is restricted to IP addresses that do not include this server's."),
  code("BYBIT", 10005, "PERMISSION", "Bybit 10005: permission denied", "The key lacks the permission for this action (Contract or Spot trading, or Unified Trading)."),
  code("BYBIT", 110007, "INSUFFICIENT_FUNDS", "Bybit 110007: available balance not enough", "The unified account does not hold enough available balance for the order."),
  code("BYBIT", 170131, "INSUFFICIENT_FUNDS", "Bybit 170131: insufficient balance", "The spot balance is not enough for the order."),
  code("BYBIT", 110004, "INSUFFICIENT_FUNDS", "Bybit 110004: wallet balance insufficient", "The wallet does not hold enough for the order."),
  code("BYBIT", 110012, "INSUFFICIENT_FUNDS", "Bybit 110012: insufficient available balance", "The available balance (not in orders or as margin) is not enough."),
  code("BYBIT", 110072, "DUPLICATE_CLIENT_ID", "Bybit 110072: duplicate order link id", "An order with this client order id (orderLinkId) was already placed."),
  code("BYBIT", 110017, "INVALID_ORDER", "Bybit 110017: reduce-only would not reduce", "A close was refused because there is no position (or a smaller one) to reduce: it was closed by hand, or by a stop."),
  code("BYBIT", 170136, "INVALID_ORDER", "Bybit 170136: order quantity below the minimum", "The order's size is below the spot market's minimum.", "Raise the subscription's size on the Signals page."),
  code("BYBIT", 170140, "INVALID_ORDER", "Bybit 170140: order value below the minimum", "The order's value is below the spot market's minimum.", "Raise the subscription's size on the Signals page."),
  code("BYBIT", 110094, "INVALID_ORDER", "Bybit 110094: order does not meet the minimum notional", "The order's value is below the market's minimum notional.", "Raise the subscription's size on the Signals page."),
  code("BYBIT", 10001, "INVALID_ORDER", "Bybit 10001: parameter error", "Bybit refused one of the order's parameters; its own words name it (for example a position index that does not match the account's position mode, which KeyRelay retries in the other mode)."),
];
