// Shared pieces of the Bybit V5 dialect: the request context, the envelope,
// parameter parsing and the mapping of engine errors to retCodes.
import * as fmt from "./bybit-format.ts";
import { EngineError } from "./engine-rules.ts";
import { type Fixed, ZERO, formatTrim, parseFixed } from "./fixed.ts";
import { isHedged } from "./margin.ts";
import type { Category, Market } from "./markets.ts";
import { type Account, type ApiKey, type Order, type PositionSide, type SimState, findMarket } from "./state.ts";
import type { SimResponse } from "./wire.ts";

export type Params = Record<string, unknown>;

export interface Ctx {
  state: SimState;
  params: Params;
  key: ApiKey;
  account: Account;
  now: number;
}

export function reply(retCode: number, retMsg: string, result: unknown = {}, status = 200, headers?: Record<string, string>): SimResponse {
  const body = fmt.envelope(retCode, retMsg, result);
  return headers === undefined ? { status, body } : { status, body, headers };
}

export const ok = (result: unknown): SimResponse => reply(0, "OK", result);
export const PERMISSION_DENIED = (): SimResponse => reply(10005, "Permission denied, please check your API key permissions.");

export function str(params: Params, name: string): string | undefined {
  const v = params[name];
  if (typeof v === "string") return v === "" ? undefined : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export function bool(params: Params, name: string): boolean {
  const v = params[name];
  return v === true || v === "true";
}

/** A decimal field: undefined when absent, null when malformed. */
export function decimal(params: Params, name: string): Fixed | null | undefined {
  const text = str(params, name);
  return text === undefined ? undefined : parseFixed(text);
}

export function isResponse(value: unknown): value is SimResponse {
  return typeof value === "object" && value !== null && "status" in value && "body" in value;
}

export function categoryOf(ctx: Ctx): Category | SimResponse {
  const c = str(ctx.params, "category");
  return c === "spot" || c === "linear" ? c : reply(10001, "params error: Category is invalid");
}

export function marketOf(ctx: Ctx, category: Category, required: boolean): Market | SimResponse | undefined {
  const id = str(ctx.params, "symbol");
  if (id === undefined) return required ? reply(10001, "params error: symbol invalid") : undefined;
  return findMarket(ctx.state, "bybit", category, id) ?? reply(10001, "params error: symbol invalid");
}

export function canTrade(key: ApiKey, category: Category): boolean {
  return category === "spot" ? key.permissions.spotTrade : key.permissions.futures;
}

/** positionIdx against the symbol's position mode: 0 in one-way mode, 1 (Buy side) / 2 (Sell side) in hedge mode. */
export function positionIdxParam(ctx: Ctx, m: Market): PositionSide | SimResponse {
  const idx = str(ctx.params, "positionIdx") ?? "0";
  const hedged = isHedged(ctx.account, m);
  if (hedged ? idx !== "1" && idx !== "2" : idx !== "0") return reply(10001, "position idx not match position mode");
  return idx === "1" ? "LONG" : idx === "2" ? "SHORT" : "BOTH";
}

export function engineError(e: unknown, m: Market): SimResponse {
  if (!(e instanceof EngineError)) throw e;
  const spot = m.category === "spot";
  switch (e.kind) {
    case "qtyStep":
      return spot ? reply(170137, "Order quantity has too many decimals.") : reply(10001, "Qty invalid: qty must be a multiple of qtyStep");
    case "qtyMin":
      return spot ? reply(170136, "Order quantity lower than the minimum.") : reply(10001, "The number of contracts exceeds minimum limit allowed");
    case "qtyMax":
      return spot ? reply(170135, "Order quantity exceeded upper limit.") : reply(10001, "The number of contracts exceeds maximum limit allowed");
    case "priceTick":
      return spot ? reply(170134, "Order price has too many decimals.") : reply(10001, "Price invalid: price must be a multiple of tickSize");
    case "notional":
      return spot ? reply(170140, "Order value exceeded lower limit.") : reply(110094, `Order does not meet minimum order value ${m.raw.minNotional}USDT`);
    case "insufficient":
      return spot ? reply(170131, "Insufficient balance.") : reply(110007, "ab not enough for new order");
    case "duplicateClientId":
      return reply(110072, "OrderLinkedID is duplicate");
    case "reduceOnly":
      return reply(110017, "current position is zero, cannot fix reduce-only order qty");
    case "noPosition":
      return reply(10001, "can not set tp/sl/ts for zero position");
    case "tpslSize":
      return e.message.startsWith("Insufficient") ? reply(110058, e.message) : reply(10001, e.message);
    default:
      return reply(10001, e.message);
  }
}

/** takeProfit / stopLoss sent with an entry: valid against the side and the price it opens at. */
export function attachedTpsl(ctx: Ctx, m: Market, buy: boolean, entry: Fixed): Order["attachedTpsl"] | SimResponse {
  const tp = decimal(ctx.params, "takeProfit");
  const sl = decimal(ctx.params, "stopLoss");
  if (tp === null || sl === null) return reply(10001, "params error: takeProfit/stopLoss invalid");
  if ((tp === undefined || tp === ZERO) && (sl === undefined || sl === ZERO)) return null;
  if (m.category !== "linear") return reply(10001, "takeProfit/stopLoss on spot orders are not simulated");
  const side = buy ? "Buy" : "Sell";
  if (tp !== undefined && tp !== ZERO && (buy ? tp <= entry : tp >= entry)) {
    return reply(10001, `TakeProfit:${formatTrim(tp)} set for ${side} position should be ${buy ? "higher" : "lower"} than base_price:${formatTrim(entry)}??LastPrice`);
  }
  if (sl !== undefined && sl !== ZERO && (buy ? sl >= entry : sl <= entry)) {
    return reply(10001, `StopLoss:${formatTrim(sl)} set for ${side} position should be ${buy ? "lower" : "higher"} than base_price:${formatTrim(entry)}??LastPrice`);
  }
  return { takeProfit: tp ?? ZERO, stopLoss: sl ?? ZERO, mode: str(ctx.params, "tpslMode") === "Partial" ? "Partial" : "Full" };
}
