// Futures account settings with the exchanges' preconditions: margin mode
// (Binance per symbol, Bybit UTA per account) and position mode (one-way /
// hedge: Binance per account, Bybit per symbol or per settle coin). The
// dialects turn each refusal into the exchange's code.
import { hasPosition, isHedged } from "./margin.ts";
import type { Market } from "./markets.ts";
import type { Account, SimState } from "./state.ts";

export type SettingResult = "ok" | "unchanged" | "hasPosition" | "hasOrders";

/** Open or untriggered orders on the symbol (any symbol's linear orders when `market` is null). */
function hasOrders(account: Account, market: Market | null): boolean {
  for (const o of [...account.openOrders, ...account.conditionals]) {
    if (o.market.category === "linear" && (market === null || o.market === market)) return true;
  }
  return false;
}

function linearMarkets(state: SimState, account: Account): Market[] {
  return state.markets.list.filter((m) => m.exchange === account.exchange && m.category === "linear");
}

/** Binance POST /fapi/v1/marginType: refused while the symbol has a position or open orders. */
export function changeMarginType(account: Account, market: Market, isolated: boolean): SettingResult {
  if (account.isolated.has(market.id) === isolated) return "unchanged";
  if (hasPosition(account, market)) return "hasPosition";
  if (hasOrders(account, market)) return "hasOrders";
  if (isolated) account.isolated.add(market.id);
  else account.isolated.delete(market.id);
  return "ok";
}

/** Bybit UTA POST /v5/account/set-margin-mode: account-wide, refused with any position or open order. */
export function changeUnifiedMarginMode(state: SimState, account: Account, mode: Account["unifiedMarginMode"]): SettingResult {
  if (account.unifiedMarginMode === mode) return "unchanged";
  if (linearMarkets(state, account).some((m) => hasPosition(account, m))) return "hasPosition";
  if (hasOrders(account, null)) return "hasOrders";
  account.unifiedMarginMode = mode;
  return "ok";
}

/**
 * Position mode. Binance: the whole account, refused with any position or open order. Bybit by
 * symbol: that symbol, same preconditions; by coin: the default for every symbol, except those
 * with a position or open orders, which keep their mode.
 */
export function changePositionMode(state: SimState, account: Account, hedged: boolean, market: Market | null): SettingResult {
  if (account.exchange === "binance" || market !== null) {
    const scope = market === null ? linearMarkets(state, account) : [market];
    if (scope.every((m) => isHedged(account, m) === hedged)) return "unchanged";
    if (scope.some((m) => hasPosition(account, m))) return "hasPosition";
    if (hasOrders(account, market)) return "hasOrders";
    if (market === null) account.hedgeMode = hedged;
    else account.hedgeSymbols.set(market.id, hedged);
    return "ok";
  }
  const markets = linearMarkets(state, account);
  if (account.hedgeMode === hedged && markets.every((m) => isHedged(account, m) === hedged)) return "unchanged";
  for (const m of markets) {
    if (hasPosition(account, m) || hasOrders(account, m)) account.hedgeSymbols.set(m.id, isHedged(account, m));
    else account.hedgeSymbols.delete(m.id);
  }
  account.hedgeMode = hedged;
  return "ok";
}
