// 3Commas bot webhooks. Signal Bot (3Commas help, "Signal Bot: custom signal / TradingView strategy"):
//   {"secret": "...", "max_lag": "300", "timestamp": "{{timenow}}", "trigger_price": "{{close}}",
//    "tv_exchange": "{{exchange}}", "tv_instrument": "{{ticker}}", "action": "{{strategy.order.action}}",
//    "bot_uuid": "...", "order": {"amount": "{{strategy.order.contracts}}", "currency_type": "base", "order_type": "market"}}
// and the older DCA/Signal bot body ("message_type": "bot", "bot_id", "email_token", "delay_seconds",
// "pair": "USDT_BTC"): 3Commas writes pairs QUOTE_BASE, so USDT_BTC is BTC/USDT.
import { SECRET_MAX_CHARS } from "~/server/signals/alert-fields";
import { byKey, hasPlaceholder, lowerText, positiveText, refuse, type MapResult } from "~/server/signals/alert-formats/format-kit";

const L = "3Commas";
const MARKERS = ["pair", "botid", "botuuid", "messagetype", "tvinstrument", "emailtoken", "delayseconds"];
const ACTIONS: Record<string, string> = { close_at_market_price: "exit", close_at_market: "exit", start_deal: "buy" };
const CURRENCY: Record<string, string> = { base: "base", quote: "quote", margin_percent: "percent" };
// Credentials for 3Commas itself: neither used nor stored here.
const DROPPED = ["secret", "emailtoken"];
const CONSUMED = ["pair", "tvinstrument", "action", "order", "maxlag", "timestamp", "triggerprice", ...DROPPED];

export const isThreeCommas = (entries: [string, unknown][]) => {
  const keys = byKey(entries);
  return MARKERS.some((k) => keys.has(k)) && !keys.has("ticker");
};

export function mapThreeCommas(entries: [string, unknown][]): MapResult {
  const keys = byKey(entries);
  const get = (k: string) => keys.get(k)?.value;
  const out: [string, unknown][] = [];
  const names: Record<string, string> = { maxLagSeconds: "max_lag", price: "trigger_price", action: "action" };

  const pair = get("pair");
  if (pair !== undefined) {
    names.ticker = "pair";
    const m = typeof pair === "string" ? /^([A-Za-z0-9]{1,20})_([A-Za-z0-9]{1,20})$/.exec(pair.trim()) : null;
    if (m) out.push(["ticker", `${m[2]}/${m[1]}`]);
    else if (hasPlaceholder(pair)) out.push(["ticker", pair]);
    else return refuse("pair", `${L} pair must be QUOTE_BASE, e.g. "USDT_BTC" for BTC/USDT; got ${JSON.stringify(pair)?.slice(0, 30)}.`);
  } else {
    names.ticker = "tv_instrument";
    out.push(["ticker", get("tvinstrument")]);
  }
  const action = get("action");
  if (action === undefined || action === null || action === "") {
    return refuse("action", `${L} action is required: send "action": "{{strategy.order.action}}" (or enter_long, exit_long, enter_short, exit_short); KeyRelay does not start deals without one.`);
  }
  out.push(["action", ACTIONS[lowerText(action)] ?? action]);

  const order = get("order");
  if (order !== undefined && order !== null) {
    if (typeof order !== "object" || Array.isArray(order)) return refuse("order", `${L} order must be an object like {"amount": "0.01", "currency_type": "base"}.`);
    const o = order as Record<string, unknown>;
    const currency = lowerText(o.currency_type);
    const exiting = /^(exit|close)/.test(lowerText(action));
    if (currency === "position_percent") {
      // "position_percent" sizes an exit by the open position: 100 is the whole of it, the one partial size KeyRelay follows.
      if (!exiting || positiveText(o.amount) === null || Number(o.amount) !== 100) {
        return refuse("order.currency_type", `${L} order.currency_type "position_percent" is supported only to close the whole position (an exit with amount 100); send base or quote otherwise.`);
      }
    } else {
      if (o.amount !== undefined) out.push(["quantity", o.amount]);
      names.quantity = "order.amount";
      if (currency !== "") {
        const mapped = CURRENCY[currency];
        if (mapped === undefined) return refuse("order.currency_type", `${L} order.currency_type must be base, quote, margin_percent or position_percent; got "${currency.slice(0, 30)}".`);
        out.push(["quantityType", mapped]);
      }
    }
    if (o.order_type !== undefined) out.push(["orderType", o.order_type]);
    names.orderType = "order.order_type";
  }
  if (get("triggerprice") !== undefined) out.push(["price", get("triggerprice")]);
  // max_lag is seconds, usually as a string ("300"), which the field reads.
  if (get("maxlag") !== undefined) out.push(["maxLagSeconds", get("maxlag")]);
  if (get("timestamp") !== undefined) out.push(["timestamp", get("timestamp")]);
  for (const [key, value] of entries) if (!CONSUMED.includes(key.toLowerCase().replace(/[\s_-]/g, ""))) out.push([key, value]);
  const secret = get("secret");
  // A short secret may be KeyRelay's webhook token (the id-in-URL form); 3Commas' own long JWTs are dropped.
  if (typeof secret === "string" && secret.length <= SECRET_MAX_CHARS && !secret.startsWith("eyJ")) out.push(["secret", secret]);
  return { format: "3commas", label: L, names, entries: out };
}
