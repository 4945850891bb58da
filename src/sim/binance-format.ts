// Binance wire shapes: exchangeInfo, spot orders and balances, key
// restrictions (USDⓈ-M ones: binance-futures-format.ts). Field sets follow the
// real responses (ccxt reads a subset; the rest keeps code written against the
// simulator honest about production).
import { ZERO, formatFixed } from "./fixed.ts";
import { type Market, assetsOf } from "./markets.ts";
import type { Account, ApiKey, Order, SimState } from "./state.ts";

const SPOT_ORDER_TYPES = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"];
const FUTURES_ORDER_TYPES = ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"];

function spotSymbol(m: Market): unknown {
  return {
    symbol: m.id,
    status: "TRADING",
    baseAsset: m.base,
    baseAssetPrecision: 8,
    quoteAsset: m.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: SPOT_ORDER_TYPES,
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: "PRICE_FILTER", minPrice: formatFixed(m.tickSize), maxPrice: "1000000.00000000", tickSize: formatFixed(m.tickSize) },
      { filterType: "LOT_SIZE", minQty: formatFixed(m.minQty), maxQty: formatFixed(m.maxQty), stepSize: formatFixed(m.stepSize) },
      { filterType: "ICEBERG_PARTS", limit: 10 },
      { filterType: "MARKET_LOT_SIZE", minQty: "0.00000000", maxQty: formatFixed(m.maxMarketQty), stepSize: "0.00000000" },
      { filterType: "NOTIONAL", minNotional: formatFixed(m.minNotional), applyMinToMarket: true, maxNotional: "9000000.00000000", applyMaxToMarket: false, avgPriceMins: 5 },
      { filterType: "MAX_NUM_ORDERS", maxNumOrders: 200 },
      { filterType: "MAX_NUM_ALGO_ORDERS", maxNumAlgoOrders: 5 },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: "EXPIRE_MAKER",
    allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
  };
}

function futuresSymbol(m: Market): unknown {
  return {
    symbol: m.id,
    pair: m.id,
    contractType: "PERPETUAL",
    deliveryDate: 4133404800000,
    onboardDate: 1569398400000,
    status: "TRADING",
    maintMarginPercent: "2.5000",
    requiredMarginPercent: "5.0000",
    baseAsset: m.base,
    quoteAsset: m.quote,
    marginAsset: m.quote,
    pricePrecision: m.priceDp,
    quantityPrecision: m.qtyDp,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: "COIN",
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: "0.0500",
    liquidationFee: "0.012500",
    marketTakeBound: "0.05",
    maxMoveOrderLimit: 10000,
    filters: [
      { filterType: "PRICE_FILTER", minPrice: m.raw.tick, maxPrice: "4529764", tickSize: m.raw.tick },
      { filterType: "LOT_SIZE", stepSize: m.raw.step, maxQty: m.raw.maxQty, minQty: m.raw.minQty },
      { filterType: "MARKET_LOT_SIZE", stepSize: m.raw.step, maxQty: m.raw.maxMarketQty, minQty: m.raw.minQty },
      { filterType: "MAX_NUM_ORDERS", limit: 200 },
      { filterType: "MAX_NUM_ALGO_ORDERS", limit: 10 },
      { filterType: "MIN_NOTIONAL", notional: m.raw.minNotional },
      { filterType: "PERCENT_PRICE", multiplierUp: "1.0500", multiplierDown: "0.9500", multiplierDecimal: "4" },
    ],
    orderTypes: FUTURES_ORDER_TYPES,
    timeInForce: ["GTC", "IOC", "FOK", "GTX", "GTD"],
    permissionSets: ["GRID", "COPY"],
  };
}

/** exchangeInfo minus serverTime, serialized once: it is large and never changes. */
export function exchangeInfoBodies(state: SimState): { spot: string; futures: string } {
  const spot = state.markets.list.filter((m) => m.exchange === "binance" && m.category === "spot").map(spotSymbol);
  const futures = state.markets.list.filter((m) => m.exchange === "binance" && m.category === "linear").map(futuresSymbol);
  const rateLimits = [
    { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: state.limits.binanceWeight },
    { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
  ];
  return {
    spot: JSON.stringify({ timezone: "UTC", rateLimits, exchangeFilters: [], symbols: spot }).slice(1),
    futures: JSON.stringify({ timezone: "UTC", futuresType: "U_MARGINED", rateLimits, exchangeFilters: [], assets: [{ asset: "USDT", marginAvailable: true, autoAssetExchange: "-10000" }], symbols: futures }).slice(1),
  };
}

const SPOT_STATUS = { open: "NEW", filled: "FILLED", canceled: "CANCELED", expired: "EXPIRED", untriggered: "NEW", triggered: "NEW" } as const;

function spotType(o: Order): string {
  if (o.trigger !== null) return o.trigger.type;
  return o.type === "market" ? "MARKET" : o.timeInForce === "PostOnly" ? "LIMIT_MAKER" : "LIMIT";
}

/** Spot order; `resp` is newOrderRespType for create (ACK/RESULT/FULL), "QUERY" for GET/DELETE. */
export function spotOrder(o: Order, resp: string): Record<string, unknown> {
  const base: Record<string, unknown> = { symbol: o.market.id, orderId: Number(o.id), orderListId: -1, clientOrderId: o.clientOrderId };
  if (resp === "ACK") {
    base.transactTime = o.createdAt;
    return base;
  }
  base.price = formatFixed(o.price);
  base.origQty = formatFixed(o.qty);
  base.executedQty = formatFixed(o.filledQty);
  base.cummulativeQuoteQty = formatFixed(o.cumQuote);
  base.status = SPOT_STATUS[o.status];
  base.timeInForce = o.timeInForce === "PostOnly" ? "GTC" : o.timeInForce;
  base.type = spotType(o);
  base.side = o.side === "buy" ? "BUY" : "SELL";
  if (o.trigger !== null) base.stopPrice = formatFixed(o.trigger.price);
  if (resp === "QUERY") {
    base.stopPrice ??= "0.00000000";
    base.icebergQty = "0.00000000";
    base.time = o.createdAt;
    base.updateTime = o.updatedAt;
    // a stop order starts working when it fires
    base.isWorking = o.status !== "untriggered";
  } else {
    base.transactTime = o.createdAt;
  }
  base.workingTime = o.createdAt;
  base.origQuoteOrderQty = formatFixed(o.quoteQty ?? ZERO);
  base.selfTradePreventionMode = "EXPIRE_MAKER";
  if (resp === "FULL") {
    base.fills =
      o.status === "filled"
        ? [{ price: formatFixed(o.avgPrice), qty: formatFixed(o.filledQty), commission: formatFixed(o.fee), commissionAsset: o.feeAsset, tradeId: o.tradeId }]
        : [];
  }
  return base;
}

export function spotAccount(state: SimState, account: Account, key: ApiKey): unknown {
  const assets = new Set(assetsOf(state.markets));
  for (const asset of account.spot.keys()) assets.add(asset);
  const balances = [...assets].map((asset) => {
    const b = account.spot.get(asset);
    return { asset, free: formatFixed(b?.free ?? ZERO), locked: formatFixed(b?.locked ?? ZERO) };
  });
  return {
    makerCommission: 10,
    takerCommission: 10,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: "0.00100000", taker: "0.00100000", buyer: "0.00000000", seller: "0.00000000" },
    canTrade: key.permissions.spotTrade,
    canWithdraw: key.permissions.withdraw,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: Date.now(),
    accountType: "SPOT",
    balances,
    permissions: ["SPOT"],
    uid: Number(account.id.replace(/\D/g, "")) || 1,
  };
}

export function apiRestrictions(key: ApiKey): unknown {
  return {
    ipRestrict: key.ips !== null,
    createTime: key.createdAt,
    enableReading: key.permissions.read,
    enableWithdrawals: key.permissions.withdraw,
    enableInternalTransfer: false,
    enableMargin: false,
    enableFutures: key.permissions.futures,
    permitsUniversalTransfer: false,
    enableVanillaOptions: false,
    enableFixApiTrade: false,
    enableFixReadOnly: false,
    enableSpotAndMarginTrading: key.permissions.spotTrade,
    enablePortfolioMarginTrading: false,
    // present only when the key's trading permission expires (epoch ms)
    ...(key.expiresAt === null ? {} : { tradingAuthorityExpirationTime: key.expiresAt }),
  };
}
