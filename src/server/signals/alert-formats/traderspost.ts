// TradersPost's webhook JSON (TradersPost docs, "Webhooks" reference: ticker, action, sentiment,
// quantity, quantityType, orderType, limitPrice, stopPrice, signalPrice, takeProfit, stopLoss, extras).
// Mapped onto what the engine does: "add" adds on the side each subscriber holds (nothing when flat),
// "breakeven" moves each open position's stop-loss to its entry (no order). What it cannot do (stop and
// trailing orders, percent-of-position sizes) is refused with the field and why, never silently traded differently.
import { dec } from "~/server/money/decimal";
import { byKey, hasPlaceholder, lowerText, norm, positiveText, refuse, type MapResult } from "~/server/signals/alert-formats/format-kit";

const L = "TradersPost";
/** TradersPost keys that, with ticker and action, say a JSON body is TradersPost's and not KeyRelay's own. */
const TRADERSPOST_KEYS = ["limitprice", "stopprice", "signalprice", "timeinforce", "extras", "trailingstop", "trailamount", "trailpercent"];

const QUANTITY_TYPES: Record<string, string> = { fixed_quantity: "contracts", dollar_amount: "quote", percent_of_equity: "percent" };
const SENTIMENTS: Record<string, string> = { bullish: "long", long: "long", bearish: "short", short: "short", flat: "flat" };
const CONSUMED = ["ticker", "action", "sentiment", "quantity", "quantitytype", "ordertype", "limitprice", "price", "signalprice", "takeprofit", "stoploss"];

export function isTradersPost(entries: [string, unknown][]): boolean {
  const keys = byKey(entries);
  if (!keys.has("ticker") || !keys.has("action")) return false;
  const objectLevel = (k: string) => typeof keys.get(k)?.value === "object" && keys.get(k)?.value !== null;
  return objectLevel("takeprofit") || objectLevel("stoploss") || TRADERSPOST_KEYS.some((k) => keys.has(k)) || ["add", "breakeven"].includes(lowerText(keys.get("action")?.value));
}

export function mapTradersPost(entries: [string, unknown][]): MapResult {
  const keys = byKey(entries);
  const get = (k: string) => keys.get(k)?.value;
  const out: [string, unknown][] = [];
  const names: Record<string, string> = {};

  const action = lowerText(get("action"));
  out.push(["ticker", get("ticker")], ["action", get("action")]);

  const sentiment = get("sentiment");
  if (sentiment !== undefined && sentiment !== null && sentiment !== "") {
    out.push(["marketPosition", SENTIMENTS[lowerText(sentiment)] ?? sentiment]);
    names.marketPosition = "sentiment";
  }
  if (get("quantity") !== undefined) out.push(["quantity", get("quantity")]);
  const qt = get("quantitytype");
  if (qt !== undefined && qt !== null && qt !== "") {
    const word = lowerText(qt);
    if (word === "percent_of_position") return refuse("quantityType", `${L} quantityType "percent_of_position" is not supported: send action "exit" to close the whole position, or a fixed_quantity.`);
    const mapped = QUANTITY_TYPES[word];
    if (mapped === undefined && !hasPlaceholder(qt)) return refuse("quantityType", `${L} quantityType must be fixed_quantity, dollar_amount or percent_of_equity; got "${String(qt).slice(0, 30)}".`);
    out.push(["quantityType", mapped ?? qt]);
  }
  const orderType = get("ordertype");
  if (orderType !== undefined && orderType !== null && orderType !== "") {
    if (["stop", "stop_limit", "trailing_stop"].includes(lowerText(orderType))) {
      return refuse("orderType", `${L} orderType "${lowerText(orderType)}" is not supported: KeyRelay sends market or limit orders; use the strategy's stop-loss or trailing stop instead.`);
    }
    out.push(["orderType", orderType]);
  }
  // limitPrice is the limit order's price; price / signalPrice are the chart's price when the alert fired.
  const priceKey = ["limitprice", "price", "signalprice"].find((k) => get(k) !== undefined && get(k) !== null && get(k) !== "");
  if (priceKey) {
    out.push(["price", get(priceKey)]);
    names.price = keys.get(priceKey)!.key;
  }
  const side = action === "buy" ? "long" : action === "sell" ? "short" : null;
  const reference = priceKey ? positiveText(get(priceKey)) : null;
  for (const [k, field] of [["takeprofit", "takeProfit"], ["stoploss", "stopLoss"]] as const) {
    const level = get(k);
    if (level === undefined || level === null || level === "") continue;
    const r = protection(field, level, side, reference);
    if ("ok" in r) return r;
    out.push([r.key, r.value]);
    names[r.key] = r.name;
  }
  // Everything else (extras, timeInForce, time, id, secret...) is passed on: KeyRelay's own aliases apply, the rest is kept and ignored.
  for (const [key, value] of entries) if (!CONSUMED.includes(norm(key))) out.push([key, value]);
  return { format: "traderspost", label: L, names, entries: out };
}

type Level = { key: string; value: unknown; name: string };

/** A takeProfit / stopLoss object: {limitPrice | stopPrice | price}, {percent} or {amount} (a distance in quote currency from the price). */
function protection(field: "takeProfit" | "stopLoss", level: unknown, side: "long" | "short" | null, reference: string | null): Level | ReturnType<typeof refuse> {
  if (typeof level !== "object") return { key: field, value: level, name: field }; // a plain price, as KeyRelay's own JSON sends it
  if (Array.isArray(level)) return refuse(field, `${L} ${field} must be an object like {"percent": 2}; got a list.`);
  const o = new Map(Object.entries(level as Record<string, unknown>).map(([k, v]) => [norm(k), { k, v }]));
  const type = lowerText(o.get("type")?.v);
  if (type === "trailing_stop" || o.has("trailpercent") || o.has("trailprice") || o.has("trailamount")) {
    if (field === "takeProfit") return refuse(field, `${L} takeProfit cannot trail; send the trailing stop as stopLoss {"type": "trailing_stop", "trailPercent": 1}.`);
    const pct = o.get("trailpercent");
    if (!pct) return refuse(field, `${L} stopLoss trailing stops are taken in percent only (the exchanges trail by a callback rate): send {"type": "trailing_stop", "trailPercent": 1}.`);
    const value = positiveText(pct.v);
    if (value === null) return refuse(`stopLoss.${pct.k}`, `${L} stopLoss.${pct.k} must be a positive number; got ${JSON.stringify(pct.v)?.slice(0, 30)}.`);
    return { key: "trailingStopPct", value, name: `stopLoss.${pct.k}` };
  }
  if (type !== "" && type !== "stop" && type !== "stop_limit") return refuse(`${field}.type`, `${L} ${field}.type must be stop; got "${type.slice(0, 20)}".`);
  const priceKeys = field === "takeProfit" ? ["limitprice", "price"] : ["stopprice", "price"];
  const given = [...priceKeys, "percent", "amount"].filter((k) => o.has(k));
  if (given.length !== 1) {
    const which = given.length === 0 ? "has none of" : "has more than one of";
    return refuse(field, `${L} ${field} ${which} ${priceKeys.map((k) => o.get(k)?.k ?? k).join(", ")}, percent, amount; send exactly one, e.g. {"percent": 2}.`);
  }
  const key = given[0]!;
  const { k: sentKey, v } = o.get(key)!;
  const name = `${field}.${sentKey}`;
  const value = positiveText(v);
  if (value === null) return refuse(name, `${L} ${name} must be a positive number; got ${JSON.stringify(v)?.slice(0, 30)}.`);
  if (priceKeys.includes(key)) return { key: field, value, name };
  if (key === "percent") return { key: `${field}Pct`, value, name };
  // amount: a distance from the alert's price, so it needs that price and the side.
  if (reference === null || hasPlaceholder(value) || side === null) {
    return refuse(name, `${L} ${name} is a distance from the entry, so it needs "action" buy or sell and a "price" (or limitPrice) to measure from; send "percent" instead, or add "price": "{{close}}".`);
  }
  const up = (field === "takeProfit") === (side === "long");
  const price = up ? dec(reference).plus(value) : dec(reference).minus(value);
  if (!price.gt(0)) return refuse(name, `${L} ${name} ${value} from ${reference} gives a price below 0; send a smaller amount.`);
  return { key: field, value: price.toFixed(), name };
}
