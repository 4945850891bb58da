// Bybit V5 wire shapes: instruments, orders, UNIFIED wallet, positions, key info.
import { type Fixed, ZERO, abs, formatFixed, formatTrim, mul } from "./fixed.ts";
import { leverageOf, marginFor, marginSummary } from "./margin.ts";
import type { Market } from "./markets.ts";
import { type Account, type ApiKey, type Order, type SimState, priceOf } from "./state.ts";

/** The V5 envelope; errors keep the same shape with a non-zero retCode. */
export function envelope(retCode: number, retMsg: string, result: unknown): string {
  return JSON.stringify({ retCode, retMsg, result, retExtInfo: {}, time: Date.now() });
}

export function instrument(m: Market): unknown {
  if (m.category === "spot") {
    return {
      symbol: m.id,
      baseCoin: m.base,
      quoteCoin: m.quote,
      innovation: "0",
      status: "Trading",
      marginTrading: "utaOnly",
      stTag: "0",
      lotSizeFilter: {
        basePrecision: m.raw.step,
        quotePrecision: "0.00000001",
        minOrderQty: m.raw.minQty,
        maxOrderQty: m.raw.maxQty,
        minOrderAmt: m.raw.minNotional,
        maxOrderAmt: "2000000",
      },
      priceFilter: { tickSize: m.raw.tick },
      riskParameters: { priceLimitRatioX: "0.05", priceLimitRatioY: "0.05" },
    };
  }
  return {
    symbol: m.id,
    contractType: "LinearPerpetual",
    status: "Trading",
    baseCoin: m.base,
    quoteCoin: m.quote,
    launchTime: "1584230400000",
    deliveryTime: "0",
    deliveryFeeRate: "",
    priceScale: String(m.priceDp),
    leverageFilter: { minLeverage: "1", maxLeverage: `${m.maxLeverage}.00`, leverageStep: "0.01" },
    priceFilter: { minPrice: m.raw.tick, maxPrice: "1999999.80", tickSize: m.raw.tick },
    lotSizeFilter: {
      maxOrderQty: m.raw.maxQty,
      minOrderQty: m.raw.minQty,
      qtyStep: m.raw.step,
      postOnlyMaxOrderQty: m.raw.maxQty,
      maxMktOrderQty: m.raw.maxMarketQty,
      minNotionalValue: m.raw.minNotional,
    },
    unifiedMarginTrade: true,
    fundingInterval: 480,
    settleCoin: m.quote,
    copyTrading: "both",
    upperFundingRate: "0.00375",
    lowerFundingRate: "-0.00375",
    isPreListing: false,
    preListingInfo: null,
  };
}

const STATUS = { open: "New", filled: "Filled", canceled: "Cancelled", expired: "Cancelled" } as const;
const TIF = { GTC: "GTC", IOC: "IOC", FOK: "FOK", PostOnly: "PostOnly" } as Record<string, string>;

export function orderItem(o: Order): Record<string, unknown> {
  const m = o.market;
  const quoteSized = o.quoteQty !== null;
  const spot = m.category === "spot";
  const qty = quoteSized ? formatTrim(o.quoteQty as Fixed) : formatFixed(o.qty, m.qtyDp);
  const leaves = o.status === "open" ? o.qty - o.filledQty : ZERO;
  const item: Record<string, unknown> = {
    orderId: o.id,
    orderLinkId: o.clientOrderId,
    blockTradeId: "",
    symbol: m.id,
    price: o.type === "market" ? "0" : formatFixed(o.price, m.priceDp),
    qty,
    side: o.side === "buy" ? "Buy" : "Sell",
    isLeverage: spot ? "0" : "",
    positionIdx: 0,
    orderStatus: STATUS[o.status],
    cancelType: o.status === "canceled" ? "CancelByUser" : "UNKNOWN",
    rejectReason: "EC_NoError",
    avgPrice: o.filledQty === ZERO ? (spot ? "" : "0") : formatFixed(o.avgPrice, m.priceDp),
    leavesQty: formatFixed(leaves, m.qtyDp),
    leavesValue: formatTrim(mul(leaves, o.price)),
    cumExecQty: formatFixed(o.filledQty, m.qtyDp),
    cumExecValue: formatTrim(o.cumQuote),
    cumExecFee: formatTrim(o.fee),
    timeInForce: TIF[o.timeInForce] ?? "GTC",
    orderType: o.type === "market" ? "Market" : "Limit",
    stopOrderType: "",
    orderIv: "",
    triggerPrice: "0",
    takeProfit: "0",
    stopLoss: "0",
    tpTriggerBy: "",
    slTriggerBy: "",
    triggerDirection: 0,
    triggerBy: "",
    lastPriceOnCreated: "",
    reduceOnly: o.reduceOnly,
    closeOnTrigger: false,
    smpType: "None",
    smpGroup: 0,
    smpOrderId: "",
    placeType: "",
    createdTime: String(o.createdAt),
    updatedTime: String(o.updatedAt),
    cumFeeDetail: o.fee === ZERO ? {} : { [o.feeAsset]: formatTrim(o.fee) },
  };
  if (spot) item.marketUnit = o.type === "market" ? (quoteSized ? "quoteCoin" : "baseCoin") : "";
  else item.tpslMode = "";
  return item;
}

function coinEntry(asset: string, wallet: Fixed, locked: Fixed, orderIM: Fixed, positionIM: Fixed, upnl: Fixed, price: Fixed): unknown {
  const equity = wallet + upnl;
  return {
    coin: asset,
    equity: formatTrim(equity),
    usdValue: formatTrim(mul(equity, price)),
    walletBalance: formatTrim(wallet),
    free: "",
    locked: formatTrim(locked),
    spotHedgingQty: "0",
    borrowAmount: "0",
    accruedInterest: "0",
    // deprecated on UTA accounts and answered empty; ccxt then derives free from locked + IM
    availableToWithdraw: "",
    availableToBorrow: "",
    bonus: "0",
    totalOrderIM: formatTrim(orderIM),
    totalPositionIM: formatTrim(positionIM),
    totalPositionMM: "0",
    unrealisedPnl: formatTrim(upnl),
    cumRealisedPnl: "0",
    marginCollateral: true,
    collateralSwitch: true,
  };
}

export function walletBalance(state: SimState, account: Account, onlyCoins: Set<string> | null): unknown {
  const summary = marginSummary(state, account);
  const coins: unknown[] = [];
  let total = ZERO;
  for (const [asset, b] of account.spot) {
    if (onlyCoins !== null && !onlyCoins.has(asset)) continue;
    const wallet = b.free + b.locked;
    if (wallet === ZERO && asset !== "USDT") continue;
    const usdt = asset === "USDT";
    const price = usdt ? 100_000_000n : (state.prices.get("bybit:" + asset + "USDT") ?? ZERO);
    total += mul(wallet, price);
    coins.push(coinEntry(asset, wallet, b.locked, usdt ? summary.orderIM : ZERO, usdt ? summary.positionIM : ZERO, usdt ? summary.unrealized : ZERO, price));
  }
  const equity = total + summary.unrealized;
  const im = summary.orderIM + summary.positionIM;
  return {
    list: [
      {
        accountType: "UNIFIED",
        accountLTV: "0",
        accountIMRate: equity > ZERO ? formatTrim((im * 100_000_000n) / equity) : "0",
        accountMMRate: "0",
        totalEquity: formatTrim(equity),
        totalWalletBalance: formatTrim(total),
        totalMarginBalance: formatTrim(equity),
        totalAvailableBalance: formatTrim(equity - im),
        totalPerpUPL: formatTrim(summary.unrealized),
        totalInitialMargin: formatTrim(im),
        totalMaintenanceMargin: "0",
        coin: coins,
      },
    ],
  };
}

export function positionItem(state: SimState, account: Account, m: Market): unknown {
  const pos = account.positions.get(m.id);
  const qty = pos?.qty ?? ZERO;
  const mark = priceOf(state, m);
  const value = mul(abs(qty), pos?.entryPrice ?? ZERO);
  const leverage = leverageOf(account, m);
  return {
    positionIdx: 0,
    riskId: 1,
    riskLimitValue: "2000000",
    symbol: m.id,
    side: qty > ZERO ? "Buy" : qty < ZERO ? "Sell" : "",
    size: formatFixed(abs(qty), m.qtyDp),
    avgPrice: formatTrim(pos?.entryPrice ?? ZERO),
    positionValue: formatTrim(value),
    tradeMode: 0,
    positionStatus: "Normal",
    autoAddMargin: 0,
    adlRankIndicator: qty === ZERO ? 0 : 2,
    leverage: String(leverage),
    positionBalance: "0",
    markPrice: formatFixed(mark, m.priceDp),
    liqPrice: "",
    bustPrice: "",
    positionMM: formatTrim(mul(abs(qty), mark) / 200n),
    positionIM: formatTrim(marginFor(mul(abs(qty), mark), leverage)),
    tpslMode: "Full",
    takeProfit: "0",
    stopLoss: "0",
    trailingStop: "0",
    unrealisedPnl: formatTrim(mul(qty, mark - (pos?.entryPrice ?? ZERO))),
    curRealisedPnl: formatTrim(pos?.realizedPnl ?? ZERO),
    cumRealisedPnl: formatTrim(pos?.realizedPnl ?? ZERO),
    seq: account.orders.size,
    isReduceOnly: false,
    mmrSysUpdatedTime: "",
    leverageSysUpdatedTime: "",
    sessionAvgPrice: "",
    createdTime: String(pos?.createdAt ?? account.createdAt),
    updatedTime: String(pos?.updatedAt ?? account.createdAt),
  };
}

/** GET /v5/user/query-api: the permissions object keeps every real category, empty when not granted. */
export function apiKeyInfo(key: ApiKey, account: Account): unknown {
  const p = key.permissions;
  const trades = p.spotTrade || p.futures || p.withdraw;
  return {
    id: String(Math.abs(hashCode(key.apiKey))),
    note: "keyrelay-sim",
    apiKey: key.apiKey,
    readOnly: trades ? 0 : 1,
    secret: "",
    permissions: {
      ContractTrade: p.futures ? ["Order", "Position"] : [],
      Spot: p.spotTrade ? ["SpotTrade"] : [],
      Wallet: p.withdraw ? ["AccountTransfer", "SubMemberTransfer", "Withdraw"] : [],
      Options: [],
      Derivatives: p.futures ? ["DerivativesTrade"] : [],
      Exchange: [],
      NFT: [],
      CopyTrading: [],
      BlockTrade: [],
      Affiliate: [],
    },
    ips: key.ips ?? ["*"],
    type: 1,
    deadlineDay: key.ips === null ? 90 : -1,
    expiredAt: key.ips === null ? new Date(key.createdAt + 90 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z") : "",
    createdAt: new Date(key.createdAt).toISOString().replace(/\.\d+Z$/, "Z"),
    unified: 0,
    uta: 1,
    userID: Number(account.id.replace(/\D/g, "")) || 1,
    inviterID: 0,
    vipLevel: "No VIP",
    mktMakerLevel: "0",
    affiliateID: 0,
    rsaPublicKey: "",
    isMaster: true,
    parentUid: "0",
    kycLevel: "LEVEL_1",
    kycRegion: "",
  };
}

function hashCode(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}
