/**
 * Per-exchange differences, as data (freqtrade-style capability maps): which options stop needless calls, documented per-key limits, and the error codes
 * ccxt does not classify the way we need.
 */
export type ExchangeName = "BINANCE" | "BYBIT";
export type EnvironmentName = "LIVE" | "TESTNET" | "DEMO";
export type MarketType = "spot" | "linear";

export interface RateBucket {
  /** Sustained requests per second allowed per API key. */
  perSecond: number;
  /** Burst capacity. */
  burst: number;
}

export interface ExchangeProfile {
  ccxtId: "binance" | "bybit";
  label: string;
  options: Record<string, unknown>;
  has?: Record<string, boolean>;
  /** Documented limits, enforced per API key by the adapter (ccxt's per-instance limiter is off). */
  limits: { orders: RateBucket; requests: RateBucket };
  /** Exchange error codes meaning "this client order id already exists". */
  duplicateClientIdCodes: number[];
  insufficientFundsCodes: number[];
  /** The exchange refused the key itself (ccxt may class some of these as DDoSProtection). */
  authCodes: number[];
  /** Order refusals ccxt leaves as a plain ExchangeError when URLs are overridden (futures codes). */
  invalidOrderCodes: number[];
  /** "Leverage not modified" and similar: the requested state already holds. */
  noopCodes: number[];
  /** The order's position side does not match the account's position mode (one-way vs hedge). */
  positionModeCodes: number[];
  /** Where users manage their keys, shown in instructions. */
  apiManagementUrl: string;
}

export const PROFILES: Record<ExchangeName, ExchangeProfile> = {
  BINANCE: {
    ccxtId: "binance",
    label: "Binance",
    options: {
      fetchCurrencies: false,
      fetchMargins: false,
      fetchMarkets: { types: ["spot", "linear"] },
      defaultType: "spot",
    },
    // Spot: 100 orders / 10 s per account; USDⓈ-M: 300 orders / 10 s; 6,000 request weight / min.
    limits: { orders: { perSecond: 10, burst: 50 }, requests: { perSecond: 20, burst: 40 } },
    duplicateClientIdCodes: [-4116, -4015],
    insufficientFundsCodes: [-2019, -2018],
    authCodes: [-2015, -2014, -1022, -2008],
    // -2022 reduce-only rejected, -4164 min notional, -1111 precision, -4003 quantity <= 0, -1013 filter.
    invalidOrderCodes: [-2022, -4164, -1111, -4003, -1013, -4061],
    noopCodes: [-4046, -4059],
    positionModeCodes: [-4061],
    apiManagementUrl: "https://www.binance.com/en/my/settings/api-management",
  },
  BYBIT: {
    ccxtId: "bybit",
    label: "Bybit",
    options: {
      fetchMarkets: { types: ["spot", "linear"] },
      enableUnifiedAccount: true,
      enableUnifiedMargin: false,
      unifiedMarginStatus: 6,
      defaultType: "spot",
    },
    has: { fetchCurrencies: false },
    // V5: create order 10-20 / s per UID and category; 600 requests / 5 s per IP.
    limits: { orders: { perSecond: 10, burst: 20 }, requests: { perSecond: 20, burst: 40 } },
    duplicateClientIdCodes: [110072],
    insufficientFundsCodes: [110007, 170131, 110004, 110012],
    authCodes: [10003, 10004, 33004, 10010],
    invalidOrderCodes: [110017, 170136, 170140, 110094, 10001],
    noopCodes: [110043, 110025],
    // 10001 is Bybit's generic parameter error; only its "position idx not match position mode" message means this.
    positionModeCodes: [10001],
    apiManagementUrl: "https://www.bybit.com/app/user/api-management",
  },
};

export const EXCHANGE_NAMES = Object.keys(PROFILES) as ExchangeName[];
