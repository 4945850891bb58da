// Binance USDⓈ-M wire shapes: orders, algo (conditional) orders, positions,
// account, symbol config and leverage brackets. Field sets follow the real
// responses (ccxt reads a subset).
import { ZERO, abs, formatFixed, formatTrim, mul } from "./fixed.ts";
import { hasPosition, isHedged, isIsolated, leverageOf, marginFor, marginSummary, positionOf } from "./margin.ts";
import type { Market } from "./markets.ts";
import { type Account, type Order, type PositionSide, type SimState, priceOf } from "./state.ts";

const FUTURES_STATUS = { open: "NEW", filled: "FILLED", canceled: "CANCELED", expired: "EXPIRED", untriggered: "NEW", triggered: "NEW" } as const;

/** A plain USDⓈ-M order; one an algo order placed when it fired carries its type as origType and its trigger price. */
export function futuresOrder(o: Order, query: boolean): Record<string, unknown> {
  const m = o.market;
  const type = o.type === "market" ? "MARKET" : "LIMIT";
  const t = o.parent?.trigger ?? null;
  const out: Record<string, unknown> = {
    orderId: Number(o.id),
    symbol: m.id,
    status: FUTURES_STATUS[o.status],
    clientOrderId: o.clientOrderId,
    price: formatFixed(o.price, m.priceDp),
    avgPrice: formatFixed(o.avgPrice, m.priceDp),
    origQty: formatFixed(o.qty, m.qtyDp),
    executedQty: formatFixed(o.filledQty, m.qtyDp),
    cumQty: formatFixed(o.filledQty, m.qtyDp),
    cumQuote: formatFixed(o.cumQuote),
    timeInForce: o.timeInForce === "PostOnly" ? "GTX" : o.timeInForce,
    type,
    reduceOnly: o.reduceOnly,
    closePosition: t?.closePosition ?? false,
    side: o.side === "buy" ? "BUY" : "SELL",
    positionSide: o.positionSide,
    stopPrice: t === null ? "0" : formatFixed(t.price, m.priceDp),
    workingType: t?.workingType ?? "CONTRACT_PRICE",
    priceProtect: false,
    origType: t?.type ?? type,
    priceMatch: "NONE",
    selfTradePreventionMode: "EXPIRE_MAKER",
    goodTillDate: 0,
    updateTime: o.updatedAt,
  };
  if (query) out.time = o.createdAt;
  return out;
}

const ALGO_STATUS = { untriggered: "NEW", canceled: "CANCELED", expired: "EXPIRED" } as const;

/** Algo (conditional) order, the Query Algo Order shape; after it fired, actualOrderId is the order it placed. */
export function algoOrder(o: Order): Record<string, unknown> {
  const m = o.market;
  const t = o.trigger as NonNullable<Order["trigger"]>;
  const child = o.child;
  let status: string;
  if (o.status === "triggered") status = child !== null && child.status === "open" ? "TRIGGERED" : "FINISHED";
  else if (o.status === "expired" && o.cancelType === "REJECTED") status = "REJECTED";
  else status = ALGO_STATUS[o.status as keyof typeof ALGO_STATUS] ?? "NEW";
  const trailing = t.callbackPpm !== null;
  const row: Record<string, unknown> = {
    algoId: Number(o.id),
    clientAlgoId: o.clientOrderId,
    algoType: "CONDITIONAL",
    orderType: t.type,
    symbol: m.id,
    side: o.side === "buy" ? "BUY" : "SELL",
    positionSide: o.positionSide,
    timeInForce: o.timeInForce === "PostOnly" ? "GTX" : o.timeInForce,
    quantity: formatFixed(t.closePosition && o.triggeredAt === 0 ? ZERO : o.qty, m.qtyDp),
    algoStatus: status,
    actualOrderId: child === null ? "" : child.id,
    actualPrice: formatFixed(child?.avgPrice ?? ZERO, m.priceDp),
    triggerPrice: formatFixed(t.price, m.priceDp),
    price: formatFixed(o.price, m.priceDp),
    icebergQuantity: null,
    tpTriggerPrice: formatFixed(ZERO, m.priceDp),
    tpPrice: formatFixed(ZERO, m.priceDp),
    slTriggerPrice: formatFixed(ZERO, m.priceDp),
    slPrice: formatFixed(ZERO, m.priceDp),
    tpOrderType: "",
    selfTradePreventionMode: "EXPIRE_MAKER",
    workingType: t.workingType,
    priceMatch: "NONE",
    closePosition: t.closePosition,
    priceProtect: false,
    reduceOnly: o.reduceOnly,
    createTime: o.createdAt,
    updateTime: o.updatedAt,
    triggerTime: o.triggeredAt,
    goodTillDate: 0,
  };
  if (trailing) {
    row.activatePrice = t.activation === null ? "" : formatFixed(t.activation, m.priceDp);
    row.callbackRate = formatTrim((t.callbackPpm as bigint) * 10_000n);
  }
  return row;
}

function positionRow(state: SimState, account: Account, market: Market, side: PositionSide, v3: boolean): Record<string, unknown> {
  const pos = positionOf(account, market, side);
  const qty = pos?.qty ?? ZERO;
  const mark = priceOf(state, market);
  const notional = mul(qty, mark);
  const leverage = leverageOf(account, market);
  const im = marginFor(abs(notional), leverage);
  const isolated = isIsolated(account, market);
  const upnl = mul(qty, mark - (pos?.entryPrice ?? ZERO));
  const row: Record<string, unknown> = {
    symbol: market.id,
    positionSide: side,
    positionAmt: formatFixed(qty, market.qtyDp),
    entryPrice: formatFixed(pos?.entryPrice ?? ZERO),
    breakEvenPrice: formatFixed(pos?.entryPrice ?? ZERO),
    markPrice: formatFixed(mark),
    unRealizedProfit: formatFixed(upnl),
    liquidationPrice: "0",
    // isolated: the margin posted for the position (its wallet) plus its PnL
    isolatedMargin: isolated ? formatFixed(im + upnl) : "0",
    notional: formatFixed(notional),
    marginAsset: "USDT",
    isolatedWallet: isolated ? formatFixed(im) : "0",
    initialMargin: formatFixed(im),
    maintMargin: formatFixed(notional < ZERO ? -notional / 250n : notional / 250n),
    positionInitialMargin: formatFixed(im),
    openOrderInitialMargin: "0",
    adl: 0,
    bidNotional: "0",
    askNotional: "0",
    updateTime: pos?.updatedAt ?? 0,
  };
  // v2 also reports leverage and margin type; v3 dropped them (margin type shows in isolatedMargin)
  if (!v3) {
    row.leverage = String(leverage);
    row.marginType = isolated ? "isolated" : "cross";
    row.isAutoAddMargin = "false";
    row.maxNotionalValue = "1000000";
  }
  return row;
}

/**
 * positionRisk: v3 lists symbols with a position or an open order, v2 every queried symbol; in
 * hedge mode each symbol has a LONG and a SHORT row.
 */
export function positionRisk(state: SimState, account: Account, only: Market | undefined, v3: boolean): unknown[] {
  const rows: unknown[] = [];
  for (const m of state.markets.list) {
    if (m.exchange !== "binance" || m.category !== "linear" || (only !== undefined && m !== only)) continue;
    const sides: PositionSide[] = isHedged(account, m) ? ["LONG", "SHORT"] : ["BOTH"];
    const open = hasPosition(account, m) || [...account.openOrders, ...account.conditionals].some((o) => o.market === m);
    if (v3 && !open) continue;
    for (const side of sides) rows.push(positionRow(state, account, m, side, v3));
  }
  return rows;
}

/** GET /fapi/v1/symbolConfig: margin type and leverage per symbol (ccxt fetchMarginMode, fetchLeverages). */
export function symbolConfig(state: SimState, account: Account, only: Market | undefined): unknown[] {
  return state.markets.list
    .filter((m) => m.exchange === "binance" && m.category === "linear" && (only === undefined || m === only))
    .map((m) => ({ symbol: m.id, marginType: isIsolated(account, m) ? "ISOLATED" : "CROSSED", isAutoAddMargin: "false", leverage: leverageOf(account, m), maxNotionalValue: "1000000" }));
}

export function futuresAccount(state: SimState, account: Account): unknown {
  const summary = marginSummary(state, account);
  const now = Date.now();
  const usdt = {
    asset: "USDT",
    walletBalance: formatFixed(summary.wallet),
    unrealizedProfit: formatFixed(summary.unrealized),
    marginBalance: formatFixed(summary.wallet + summary.unrealized),
    maintMargin: "0.00000000",
    initialMargin: formatFixed(summary.positionIM + summary.orderIM),
    positionInitialMargin: formatFixed(summary.positionIM),
    openOrderInitialMargin: formatFixed(summary.orderIM),
    crossWalletBalance: formatFixed(summary.wallet),
    crossUnPnl: formatFixed(summary.unrealized),
    availableBalance: formatFixed(summary.available),
    maxWithdrawAmount: formatFixed(summary.available),
    updateTime: now,
  };
  const others = [...account.futures].filter(([asset]) => asset !== "USDT").map(([asset, wallet]) => ({
    asset,
    walletBalance: formatFixed(wallet),
    unrealizedProfit: "0.00000000",
    marginBalance: formatFixed(wallet),
    maintMargin: "0.00000000",
    initialMargin: "0.00000000",
    positionInitialMargin: "0.00000000",
    openOrderInitialMargin: "0.00000000",
    crossWalletBalance: formatFixed(wallet),
    crossUnPnl: "0.00000000",
    availableBalance: formatFixed(wallet),
    maxWithdrawAmount: formatFixed(wallet),
    updateTime: now,
  }));
  return {
    totalInitialMargin: usdt.initialMargin,
    totalMaintMargin: "0.00000000",
    totalWalletBalance: usdt.walletBalance,
    totalUnrealizedProfit: usdt.unrealizedProfit,
    totalMarginBalance: usdt.marginBalance,
    totalPositionInitialMargin: usdt.positionInitialMargin,
    totalOpenOrderInitialMargin: usdt.openOrderInitialMargin,
    totalCrossWalletBalance: usdt.crossWalletBalance,
    totalCrossUnPnl: usdt.crossUnPnl,
    availableBalance: usdt.availableBalance,
    maxWithdrawAmount: usdt.maxWithdrawAmount,
    assets: [usdt, ...others],
    positions: positionRisk(state, account, undefined, true),
  };
}

export function leverageBrackets(state: SimState, only: Market | undefined): unknown[] {
  return state.markets.list
    .filter((m) => m.exchange === "binance" && m.category === "linear" && (only === undefined || m === only))
    .map((m) => ({
      symbol: m.id,
      notionalCoef: 1.0,
      brackets: [
        { bracket: 1, initialLeverage: m.maxLeverage, notionalCap: 50000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0.0 },
        { bracket: 2, initialLeverage: Math.min(m.maxLeverage, 50), notionalCap: 600000, notionalFloor: 50000, maintMarginRatio: 0.005, cum: 50.0 },
        { bracket: 3, initialLeverage: 20, notionalCap: 3000000, notionalFloor: 600000, maintMarginRatio: 0.01, cum: 3050.0 },
      ],
    }));
}


/** GET /fapi/v1/userTrades (ccxt fetchMyTrades): one trade per fill, with the commission USDⓈ-M orders do not carry. */
export function userTrade(o: Order): Record<string, unknown> {
  const m = o.market;
  return {
    buyer: o.side === "buy",
    commission: formatFixed(o.fee),
    commissionAsset: o.feeAsset,
    id: o.tradeId,
    maker: o.maker,
    orderId: Number(o.id),
    price: formatFixed(o.avgPrice, m.priceDp),
    qty: formatFixed(o.filledQty, m.qtyDp),
    quoteQty: formatFixed(o.cumQuote),
    realizedPnl: formatFixed(o.realizedPnl),
    side: o.side === "buy" ? "BUY" : "SELL",
    positionSide: o.positionSide,
    symbol: m.id,
    time: o.updatedAt,
  };
}
