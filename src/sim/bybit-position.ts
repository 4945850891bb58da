// Bybit V5 positions and account settings: position list, trading-stop (TP/SL
// and trailing stop on a position), leverage, position mode, margin mode (UTA:
// account-wide), wallet and account info.
import * as fmt from "./bybit-format.ts";
import { apiKeyInfo } from "./bybit-key-format.ts";
import { type Ctx, PERMISSION_DENIED, categoryOf, decimal, engineError, isResponse, marketOf, ok, positionIdxParam, reply, str } from "./bybit-params.ts";
import { setLeverage } from "./engine.ts";
import { ZERO } from "./fixed.ts";
import { isHedged, leverageOf } from "./margin.ts";
import { changePositionMode, changeUnifiedMarginMode } from "./settings.ts";
import { setTradingStop } from "./trading-stop.ts";
import type { SimResponse } from "./wire.ts";

function positions(ctx: Ctx): SimResponse {
  const category = categoryOf(ctx);
  if (isResponse(category)) return category;
  if (category !== "linear") return reply(10001, "params error: Category is invalid");
  const m = marketOf(ctx, category, false);
  if (isResponse(m)) return m;
  if (m === undefined && str(ctx.params, "settleCoin") === undefined && str(ctx.params, "baseCoin") === undefined) {
    return reply(10001, "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin");
  }
  const list: unknown[] = [];
  for (const market of ctx.state.markets.list) {
    if (market.exchange !== "bybit" || market.category !== "linear" || (m !== undefined && market !== m)) continue;
    // by symbol even a flat position is listed (both sides in hedge mode); by settleCoin only open ones
    for (const side of isHedged(ctx.account, market) ? (["LONG", "SHORT"] as const) : (["BOTH"] as const)) {
      const row = fmt.positionItem(ctx.state, ctx.account, market, side);
      if (m === undefined && row.size === fmt.flatSize(market)) continue;
      list.push(row);
    }
  }
  return ok({ list, nextPageCursor: "", category });
}

function linearSymbol(ctx: Ctx): ReturnType<typeof marketOf> {
  if (str(ctx.params, "category") !== "linear") return reply(10001, "params error: Category is invalid");
  const m = marketOf(ctx, "linear", true);
  if (isResponse(m) || m === undefined) return m;
  return ctx.key.permissions.futures ? m : PERMISSION_DENIED();
}

function leverage(ctx: Ctx): SimResponse {
  const m = linearSymbol(ctx);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const buy = str(ctx.params, "buyLeverage");
  const sell = str(ctx.params, "sellLeverage");
  if (buy === undefined || buy !== sell) return reply(10001, "params error: buyLeverage must be equal to sellLeverage in one-way mode");
  const value = Number(buy);
  if (value === leverageOf(ctx.account, m)) return reply(110043, "Set leverage not modified");
  try {
    setLeverage(ctx.account, m, value);
  } catch {
    return reply(10001, `leverage invalid: must be between 1 and ${m.maxLeverage}`);
  }
  return ok({});
}

/** POST /v5/position/trading-stop: ccxt createOrder with trailingAmount, or with both stopLossPrice and takeProfitPrice. */
function tradingStop(ctx: Ctx): SimResponse {
  const m = linearSymbol(ctx);
  if (isResponse(m) || m === undefined) return m as SimResponse;
  const side = positionIdxParam(ctx, m);
  if (isResponse(side)) return side;
  const p = ctx.params;
  const mode = str(p, "tpslMode") ?? "Full";
  if (mode !== "Full" && mode !== "Partial") return reply(10001, "params error: tpslMode invalid");
  const fields = ["takeProfit", "stopLoss", "trailingStop", "activePrice", "tpSize", "slSize", "tpLimitPrice", "slLimitPrice"] as const;
  const v: Partial<Record<(typeof fields)[number], bigint>> = {};
  for (const f of fields) {
    const value = decimal(p, f);
    if (value === null) return reply(10001, `params error: ${f} invalid`);
    if (value !== undefined) v[f] = value;
  }
  if (v.takeProfit === undefined && v.stopLoss === undefined && v.trailingStop === undefined) return reply(10001, "params error: takeProfit, stopLoss or trailingStop is required");
  if (mode === "Partial" && v.trailingStop !== undefined && v.trailingStop !== ZERO) return reply(10001, "trailingStop is only supported in Full mode");
  const limitTp = str(p, "tpOrderType") === "Limit";
  const limitSl = str(p, "slOrderType") === "Limit";
  if ((limitTp && v.tpLimitPrice === undefined) || (limitSl && v.slLimitPrice === undefined)) return reply(10001, "params error: tpLimitPrice/slLimitPrice is required for Limit");
  try {
    setTradingStop(ctx.state, ctx.account, ctx.key.apiKey, {
      market: m,
      positionSide: side,
      mode,
      takeProfit: v.takeProfit,
      stopLoss: v.stopLoss,
      trailingStop: v.trailingStop,
      activePrice: v.activePrice,
      tpSize: v.tpSize,
      slSize: v.slSize,
      tpLimitPrice: limitTp ? v.tpLimitPrice : undefined,
      slLimitPrice: limitSl ? v.slLimitPrice : undefined,
    });
  } catch (e) {
    return engineError(e, m);
  }
  return ok({});
}

/** POST /v5/position/switch-mode (ccxt setPositionMode): mode 0 one-way, 3 hedge; by symbol or by coin. */
function switchMode(ctx: Ctx): SimResponse {
  if (str(ctx.params, "category") !== "linear") return reply(10001, "params error: Category is invalid");
  if (!ctx.key.permissions.futures) return PERMISSION_DENIED();
  const mode = str(ctx.params, "mode");
  if (mode !== "0" && mode !== "3") return reply(10001, "params error: mode invalid");
  let m = null;
  if (str(ctx.params, "symbol") !== undefined) {
    const found = marketOf(ctx, "linear", true);
    if (isResponse(found) || found === undefined) return found as SimResponse;
    m = found;
  } else if (str(ctx.params, "coin") === undefined) {
    return reply(10001, "params error: symbol or coin is required");
  } else if (str(ctx.params, "coin") !== "USDT") {
    return reply(10001, "params error: coin invalid");
  }
  switch (changePositionMode(ctx.state, ctx.account, mode === "3", m)) {
    case "unchanged":
      return reply(110025, "Position mode is not modified");
    case "hasPosition":
      return reply(110024, "You have an existing position, so position mode cannot be switched");
    case "hasOrders":
      return reply(110028, "Open orders exist, so you cannot change position mode");
    default:
      return ok({});
  }
}

/** POST /v5/account/set-margin-mode (ccxt setMarginMode on a UTA account): account-wide. */
function setMarginMode(ctx: Ctx): SimResponse {
  if (!ctx.key.permissions.futures) return PERMISSION_DENIED();
  const mode = str(ctx.params, "setMarginMode");
  if (mode === "PORTFOLIO_MARGIN") return reply(3400045, "Set margin mode failed", { reasons: [{ reasonCode: "3400000", reasonMsg: "Portfolio margin is not simulated" }] });
  if (mode !== "REGULAR_MARGIN" && mode !== "ISOLATED_MARGIN") return reply(10001, "params error: setMarginMode invalid");
  const result = changeUnifiedMarginMode(ctx.state, ctx.account, mode);
  if (result === "hasPosition" || result === "hasOrders") {
    const reasonMsg = result === "hasPosition" ? "Please close all positions before switching margin mode" : "Please cancel all open orders before switching margin mode";
    return reply(3400045, "Set margin mode failed", { reasons: [{ reasonCode: "3400000", reasonMsg }] });
  }
  return reply(0, "Request accepted", { reasons: [] });
}

function wallet(ctx: Ctx): SimResponse {
  if (str(ctx.params, "accountType") !== "UNIFIED") return reply(10001, "accountType only support UNIFIED.");
  const coin = str(ctx.params, "coin");
  return ok(fmt.walletBalance(ctx.state, ctx.account, coin === undefined ? null : new Set(coin.split(","))));
}

function accountInfo(ctx: Ctx): SimResponse {
  return ok({
    unifiedMarginStatus: 6,
    marginMode: ctx.account.unifiedMarginMode,
    isMasterTrader: false,
    spotHedgingStatus: "OFF",
    updatedTime: String(ctx.account.createdAt),
    dcpStatus: "OFF",
    timeWindow: 10,
    smpGroup: 0,
  });
}

type Run = (ctx: Ctx) => SimResponse;

export const POSITION_ROUTES: [string, [boolean, Run]][] = [
  ["GET /v5/position/list", [true, positions]],
  ["POST /v5/position/set-leverage", [false, leverage]],
  ["POST /v5/position/trading-stop", [false, tradingStop]],
  ["POST /v5/position/switch-mode", [false, switchMode]],
  // per-symbol cross/isolated is for classic accounts; a UTA sets its margin mode account-wide
  ["POST /v5/position/switch-isolated", [false, () => reply(100028, "The API cannot be accessed by unified account users.")]],
  ["POST /v5/account/set-margin-mode", [false, setMarginMode]],
  ["GET /v5/account/wallet-balance", [true, wallet]],
  ["GET /v5/account/info", [true, accountInfo]],
  ["GET /v5/user/query-api", [false, (c) => ok(apiKeyInfo(c.key, c.account))]],
];
