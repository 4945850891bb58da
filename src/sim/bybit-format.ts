// Bybit V5 wire shapes: instruments, orders, UNIFIED wallet, positions, key info.
import { type Fixed, ZERO, abs, formatFixed, formatTrim, mul } from "./fixed.ts";
import { isIsolated, leverageOf, marginFor, marginSummary, positionOf } from "./margin.ts";
import type { Market } from "./markets.ts";
import { type Account, type Order, type PositionSide, type SimState, type Trigger, priceOf } from "./state.ts";
import { positionStops } from "./trading-stop.ts";

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

const STATUS = { open: "New", filled: "Filled", canceled: "Cancelled", expired: "Cancelled", untriggered: "Untriggered", triggered: "Triggered" } as const;
const TIF = { GTC: "GTC", IOC: "IOC", FOK: "FOK", PostOnly: "PostOnly" } as Record<string, string>;
const CREATE_TYPE: Record<string, string> = {
  TakeProfit: "CreateByTakeProfit",
  StopLoss: "CreateByStopLoss",
  PartialTakeProfit: "CreateByPartialTakeProfit",
  PartialStopLoss: "CreateByPartialStopLoss",
  TrailingStop: "CreateByTrailingStop",
};

/** V5 orderStatus; a conditional cancelled before it fired is Deactivated. */
export function orderStatus(o: Order): string {
  if (o.trigger !== null && o.triggeredAt === 0 && (o.status === "canceled" || o.status === "expired")) return "Deactivated";
  return STATUS[o.status];
}

export function orderItem(o: Order): Record<string, unknown> {
  const m = o.market;
  const quoteSized = o.quoteQty !== null;
  const spot = m.category === "spot";
  const t = o.trigger;
  // a Full TP/SL or trailing stop closes whatever the position is when it fires: qty 0 until then
  const fullStop = t?.closePosition === true && o.triggeredAt === 0;
  const qty = quoteSized ? formatTrim(o.quoteQty as Fixed) : formatFixed(fullStop ? ZERO : o.qty, m.qtyDp);
  const leaves = o.status === "open" || o.status === "untriggered" ? o.qty - o.filledQty : ZERO;
  const tpsl = o.attachedTpsl;
  const item: Record<string, unknown> = {
    orderId: o.id,
    orderLinkId: o.clientOrderId,
    blockTradeId: "",
    symbol: m.id,
    price: o.type === "market" ? "0" : formatFixed(o.price, m.priceDp),
    qty,
    side: o.side === "buy" ? "Buy" : "Sell",
    isLeverage: spot ? "0" : "",
    positionIdx: o.positionSide === "LONG" ? 1 : o.positionSide === "SHORT" ? 2 : 0,
    orderStatus: orderStatus(o),
    createType: t !== null && t.tpsl !== null ? (CREATE_TYPE[t.type] ?? "CreateByUser") : "CreateByUser",
    cancelType: o.status === "canceled" || o.status === "expired" ? o.cancelType || "CancelByUser" : "UNKNOWN",
    rejectReason: "EC_NoError",
    avgPrice: o.filledQty === ZERO ? (spot ? "" : "0") : formatFixed(o.avgPrice, m.priceDp),
    leavesQty: formatFixed(fullStop ? ZERO : leaves, m.qtyDp),
    leavesValue: formatTrim(mul(leaves, o.price)),
    cumExecQty: formatFixed(o.filledQty, m.qtyDp),
    cumExecValue: formatTrim(o.cumQuote),
    cumExecFee: formatTrim(o.fee),
    timeInForce: TIF[o.timeInForce] ?? "GTC",
    orderType: o.type === "market" ? "Market" : "Limit",
    stopOrderType: t?.type ?? "",
    orderIv: "",
    triggerPrice: t === null ? "0" : formatFixed(t.price, m.priceDp),
    takeProfit: tpsl === null || tpsl.takeProfit === ZERO ? "0" : formatFixed(tpsl.takeProfit, m.priceDp),
    stopLoss: tpsl === null || tpsl.stopLoss === ZERO ? "0" : formatFixed(tpsl.stopLoss, m.priceDp),
    tpTriggerBy: tpsl === null ? "" : "LastPrice",
    slTriggerBy: tpsl === null ? "" : "LastPrice",
    triggerDirection: t === null ? 0 : t.direction === "rise" ? 1 : 2,
    triggerBy: t === null ? "" : t.workingType,
    lastPriceOnCreated: "",
    reduceOnly: o.reduceOnly,
    closeOnTrigger: t?.tpsl != null,
    smpType: "None",
    smpGroup: 0,
    smpOrderId: "",
    placeType: "",
    createdTime: String(o.createdAt),
    updatedTime: String(o.updatedAt),
    cumFeeDetail: o.fee === ZERO ? {} : { [o.feeAsset]: formatTrim(o.fee) },
  };
  if (spot) item.marketUnit = o.type === "market" ? (quoteSized ? "quoteCoin" : "baseCoin") : "";
  else item.tpslMode = t?.tpsl ?? (tpsl === null ? "" : tpsl.mode);
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

export const flatSize = (m: Market): string => formatFixed(ZERO, m.qtyDp);

/** One position row; `side` BOTH in one-way mode (positionIdx 0), LONG / SHORT (1 / 2) in hedge mode. */
export function positionItem(state: SimState, account: Account, m: Market, side: PositionSide): Record<string, unknown> {
  const pos = positionOf(account, m, side);
  const qty = pos?.qty ?? ZERO;
  const mark = priceOf(state, m);
  const value = mul(abs(qty), pos?.entryPrice ?? ZERO);
  const leverage = leverageOf(account, m);
  const im = marginFor(mul(abs(qty), mark), leverage);
  const isolated = isIsolated(account, m);
  // the position's Full TP / SL / trailing stop, as trading-stop (or an entry's attached TP/SL) set them
  const stops = positionStops(account, m, side).filter((o) => o.trigger?.tpsl === "Full");
  const level = (type: string): Trigger | undefined => stops.find((o) => o.trigger?.type === type)?.trigger ?? undefined;
  const tp = level("TakeProfit");
  const sl = level("StopLoss");
  const ts = level("TrailingStop");
  const partial = positionStops(account, m, side).some((o) => o.trigger?.tpsl === "Partial");
  return {
    positionIdx: side === "LONG" ? 1 : side === "SHORT" ? 2 : 0,
    riskId: 1,
    riskLimitValue: "2000000",
    symbol: m.id,
    side: qty > ZERO ? "Buy" : qty < ZERO ? "Sell" : "",
    size: formatFixed(abs(qty), m.qtyDp),
    avgPrice: formatTrim(pos?.entryPrice ?? ZERO),
    positionValue: formatTrim(value),
    // deprecated on UTA (margin mode is account-wide, see /v5/account/info); kept in step with it
    tradeMode: isolated ? 1 : 0,
    positionStatus: "Normal",
    autoAddMargin: 0,
    adlRankIndicator: qty === ZERO ? 0 : 2,
    leverage: String(leverage),
    positionBalance: isolated ? formatTrim(im) : "0",
    markPrice: formatFixed(mark, m.priceDp),
    liqPrice: "",
    bustPrice: "",
    positionMM: formatTrim(mul(abs(qty), mark) / 200n),
    positionIM: formatTrim(im),
    tpslMode: partial ? "Partial" : "Full",
    takeProfit: tp === undefined ? "0" : formatFixed(tp.price, m.priceDp),
    stopLoss: sl === undefined ? "0" : formatFixed(sl.price, m.priceDp),
    trailingStop: ts === undefined ? "0" : formatFixed(ts.distance ?? ZERO, m.priceDp),
    activePrice: ts === undefined || ts.activation === null ? "0" : formatFixed(ts.activation, m.priceDp),
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
