// Shared pieces of the Binance dialect: the request context, parameter parsing
// and the mapping of engine errors to Binance codes (spot and USDⓈ-M differ).
import { EngineError } from "./engine-rules.ts";
import { parseFixed } from "./fixed.ts";
import { isHedged } from "./margin.ts";
import type { Market } from "./markets.ts";
import { type Account, type ApiKey, type PositionSide, type SimState, findMarket } from "./state.ts";
import { type SimResponse, json } from "./wire.ts";

export interface Ctx {
  state: SimState;
  params: URLSearchParams;
  key: ApiKey;
  account: Account;
}

export type Perm = "any" | "read" | "spotTrade" | "futures" | "futuresTrade";

export interface Route {
  weight: number;
  perm: Perm;
  run: (ctx: Ctx) => SimResponse;
}

export const SPOT_CLIENT_ID = /^[a-zA-Z0-9_-]{1,36}$/;
export const FUTURES_CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

export function err(status: number, code: number, msg: string, headers?: Record<string, string>): SimResponse {
  return json(status, { code, msg }, headers);
}

export const missing = (name: string): SimResponse => err(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
export const invalid = (name: string): SimResponse => err(400, -1130, `Data sent for parameter '${name}' is not valid.`);
export const notRequired = (name: string): SimResponse => err(400, -1106, `Parameter '${name}' sent when not required.`);

export function isResponse(value: unknown): value is SimResponse {
  return typeof value === "object" && value !== null && "status" in value && "body" in value;
}

export function market(ctx: Ctx, futures: boolean, required = true): Market | SimResponse | undefined {
  const id = ctx.params.get("symbol");
  if (id === null || id === "") return required ? missing("symbol") : undefined;
  return findMarket(ctx.state, "binance", futures ? "linear" : "spot", id) ?? err(400, -1121, "Invalid symbol.");
}

export function decimalParam(ctx: Ctx, name: string): bigint | SimResponse | null {
  const text = ctx.params.get(name);
  if (text === null || text === "") return null;
  const value = parseFixed(text);
  if (value !== null) return value;
  return /^\d+\.\d+$/.test(text)
    ? err(400, -1111, "Precision is over the maximum defined for this asset.")
    : err(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
}

/**
 * USDⓈ-M positionSide against the account's mode: one-way takes BOTH (or nothing), hedge mode
 * needs LONG / SHORT and refuses reduceOnly (closing is SELL LONG / BUY SHORT).
 */
export function positionSideParam(ctx: Ctx, m: Market): PositionSide | SimResponse {
  const raw = ctx.params.get("positionSide") ?? "";
  const hedged = isHedged(ctx.account, m);
  if (raw !== "" && raw !== "BOTH" && raw !== "LONG" && raw !== "SHORT") return err(400, -4060, "Invalid position side.");
  if (hedged ? raw !== "LONG" && raw !== "SHORT" : raw !== "" && raw !== "BOTH") return err(400, -4061, "Order's position side does not match user's setting.");
  if (hedged && ctx.params.has("reduceOnly")) return notRequired("reduceOnly");
  return raw === "" ? "BOTH" : raw;
}

export function engineError(e: unknown, futures: boolean, m: Market): SimResponse {
  if (!(e instanceof EngineError)) throw e;
  if (!futures) {
    switch (e.kind) {
      case "qtyStep":
      case "qtyMin":
        return err(400, -1013, "Filter failure: LOT_SIZE");
      case "qtyMax":
        return err(400, -1013, "Filter failure: MARKET_LOT_SIZE");
      case "priceTick":
        return err(400, -1013, "Filter failure: PRICE_FILTER");
      case "notional":
        return err(400, -1013, "Filter failure: NOTIONAL");
      case "insufficient":
        return err(400, -2010, "Account has insufficient balance for requested action.");
      case "duplicateClientId":
        return err(400, -2010, "Duplicate order sent.");
      case "postOnly":
        return err(400, -2010, "Order would immediately match and take.");
      case "immediateTrigger":
        return err(400, -2010, "Order would trigger immediately.");
      default:
        return err(400, -1013, e.message);
    }
  }
  switch (e.kind) {
    case "qtyStep":
      return err(400, -1111, "Precision is over the maximum defined for this asset.");
    case "qtyMin":
      return err(400, -4003, "Quantity less than or equal to zero.");
    case "qtyMax":
      return err(400, -4005, "Quantity greater than max quantity.");
    case "priceTick":
      return err(400, -4014, "Price not increased by tick size.");
    case "notional":
      return err(400, -4164, `Order's notional must be no smaller than ${m.raw.minNotional} (unless you choose reduce only).`);
    case "insufficient":
      return err(400, -2019, "Margin is insufficient.");
    case "duplicateClientId":
      return err(400, -4116, "ClientOrderId is duplicated.");
    case "reduceOnly":
      return err(400, -2022, "ReduceOnly Order is rejected.");
    case "immediateTrigger":
      return err(400, -2021, "Order would immediately trigger.");
    default:
      return err(400, -1000, e.message);
  }
}
