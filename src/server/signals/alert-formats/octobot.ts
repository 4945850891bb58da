// OctoBot's TradingView alert format (OctoBot guides, "TradingView trading mode": alert message as
// KEY=VALUE lines): EXCHANGE=binance, SYMBOL=BTCUSDT, SIGNAL=BUY|SELL|CANCEL, ORDER_TYPE=MARKET|LIMIT,
// PRICE=..., VOLUME=0.01 (or 10%), REDUCE_ONLY=true, TAKE_PROFIT_PRICE=..., TAKE_PROFIT_PRICE_1.._n,
// STOP_PRICE=..., LEVERAGE=..., TAG=... . KeyRelay takes one take-profit price from an alert: the
// first level; further levels are kept (and ignored): the strategy's own take-profit ladder is the way.
import { byKey, lowerText, refuse, type MapResult } from "~/server/signals/alert-formats/format-kit";

const L = "OctoBot";
const CONSUMED = ["signal", "symbol", "volume", "ordertype", "price", "takeprofitprice", "takeprofitprice1", "stopprice", "reduceonly"];

export const isOctoBot = (entries: [string, unknown][]) => byKey(entries).has("signal");

export function mapOctoBot(entries: [string, unknown][]): MapResult {
  const keys = byKey(entries);
  const get = (k: string) => keys.get(k)?.value;
  const names: Record<string, string> = { ticker: "SYMBOL", action: "SIGNAL", quantity: "VOLUME", orderType: "ORDER_TYPE", price: "PRICE", takeProfit: "TAKE_PROFIT_PRICE", stopLoss: "STOP_PRICE" };
  const out: [string, unknown][] = [["ticker", get("symbol")]];

  const signal = lowerText(get("signal"));
  const reduceOnly = lowerText(get("reduceonly")) === "true";
  if (reduceOnly && (signal === "buy" || signal === "sell")) out.push(["action", signal === "sell" ? "close_long" : "close_short"]);
  else out.push(["action", get("signal")]);

  const volume = get("volume");
  if (typeof volume === "string" && volume.trim().endsWith("%")) out.push(["quantity", volume.trim().slice(0, -1)], ["quantityType", "percent"]);
  else if (volume !== undefined) out.push(["quantity", volume], ["quantityType", "base"]);

  const orderType = lowerText(get("ordertype"));
  if (orderType === "stop") return refuse("ORDER_TYPE", `${L} ORDER_TYPE STOP is not supported: KeyRelay sends market or limit orders; use STOP_PRICE for a stop-loss.`);
  if (get("ordertype") !== undefined) out.push(["orderType", get("ordertype")]);
  if (get("price") !== undefined) out.push(["price", get("price")]);
  const takeProfit = get("takeprofitprice") ?? get("takeprofitprice1");
  if (takeProfit !== undefined) out.push(["takeProfit", takeProfit]);
  if (keys.has("takeprofitprice1") && !keys.has("takeprofitprice")) names.takeProfit = "TAKE_PROFIT_PRICE_1";
  if (get("stopprice") !== undefined) out.push(["stopLoss", get("stopprice")]);
  for (const [key, value] of entries) if (!CONSUMED.includes(key.toLowerCase().replace(/[\s_-]/g, ""))) out.push([key, value]);
  return { format: "octobot", label: L, names, entries: out };
}
