import { dec, Decimal, decStr } from "~/server/money/decimal";
import { parseTicker, unifiedSymbol } from "~/server/signals/ticker";
import type { ParsedAlert } from "~/server/signals/webhook-payload";

// The rules an alert must pass before any order, once per alert (the per-subscriber rules are the
// engine's, engine/user-rules.ts). Pure: the caller supplies the clock, the market price and the listed
// markets. Every failed rule is reported, not just the first, so the audit row tells the whole story.

export type MarketType = "spot" | "linear";
export type ReasonCode =
  | "STRATEGY_DISABLED"
  | "SYMBOL_NOT_ALLOWED"
  | "SYMBOL_NOT_LISTED"
  | "STALE_ALERT"
  | "TIMESTAMP_IN_FUTURE"
  | "PRICE_DEVIATION"
  | "ACTION_UNSUPPORTED";
export type Reason = { code: ReasonCode; message: string };
export type Decision = { approved: boolean; symbol: string; reasons: Reason[] };

export const DEFAULT_MAX_PRICE_DEVIATION_PCT = "2";

export type DecisionInput = {
  strategy: { enabled: boolean; allowedSymbols: readonly string[]; marketType: MarketType };
  alert: ParsedAlert;
  now: Date;
  /** Last price of the market, a decimal string, or null when unknown (the deviation rule is then skipped). */
  marketPrice: string | null;
  /** The strategy's limit in percent, a decimal string; missing or not > 0 is DEFAULT_MAX_PRICE_DEVIATION_PCT. */
  maxPriceDeviationPct?: string | null;
  /** ccxt unified symbols the exchange lists for this market type ("BTC/USDT", "BTC/USDT:USDT"). */
  listedSymbols: ReadonlySet<string>;
};

export function decideAlert(input: DecisionInput): Decision {
  const { strategy, alert, now } = input;
  // The strategy's market type decides what is traded: a ".P" chart often drives a spot strategy.
  const symbol = unifiedSymbol(alert.ticker, strategy.marketType);
  const reasons: Reason[] = [];
  const add = (code: ReasonCode, message: string) => reasons.push({ code, message });

  if (!strategy.enabled) add("STRATEGY_DISABLED", "The strategy is disabled; enable it to trade its alerts.");

  // Deny by default: an empty list allows nothing, so a leaked webhook URL can trade only listed pairs.
  if (!isAllowed(alert.ticker, strategy.allowedSymbols)) {
    add("SYMBOL_NOT_ALLOWED", `${symbol} is not in the strategy's allowed symbols; add ${unifiedSymbol(alert.ticker, "spot")} to trade it.`);
  }
  if (!input.listedSymbols.has(symbol)) {
    add("SYMBOL_NOT_LISTED", `${symbol} is not listed on the exchange as a ${strategy.marketType} market; check the ticker and the strategy's market type.`);
  }
  if (strategy.marketType === "spot" && alert.exitSide === "short") {
    add("ACTION_UNSUPPORTED", `"${alert.rawAction}" closes a short, and spot has no shorts; use a linear strategy for short positions.`);
  }

  if (alert.timestamp !== null && alert.maxLagSeconds !== null) {
    const ageMs = now.getTime() - alert.timestamp.getTime();
    if (ageMs > alert.maxLagSeconds * 1000) {
      add("STALE_ALERT", `The alert is ${Math.round(ageMs / 1000)} s old, more than its maxLagSeconds (${alert.maxLagSeconds}); it was not traded.`);
    } else if (-ageMs > alert.maxLagSeconds * 1000) {
      // As far ahead as the allowed lag: a wrong clock here or in the sender, and staleness cannot be judged.
      add("TIMESTAMP_IN_FUTURE", `The alert's timestamp is ${Math.round(-ageMs / 1000)} s in the future; check the server clock (NTP) and the timestamp sent.`);
    }
  }

  const deviation = priceDeviation(alert, input.marketPrice, input.maxPriceDeviationPct);
  if (deviation !== null) add("PRICE_DEVIATION", deviation);

  return { approved: reasons.length === 0, symbol, reasons };
}

function isAllowed(ticker: ParsedAlert["ticker"], allowed: readonly string[]): boolean {
  // Entries are parsed like tickers, so "BTC/USDT", "BTC/USDT:USDT" and "BTCUSDT" all allow BTC/USDT.
  return allowed.some((entry) => {
    const parsed = parseTicker(entry);
    return !("problem" in parsed) && parsed.base === ticker.base && parsed.quote === ticker.quote;
  });
}

/** Only for orders that open or add (buy/sell/add): an exit, cancel or break-even must never be blocked by a price. */
function priceDeviation(alert: ParsedAlert, marketPrice: string | null, maxPct: string | null | undefined): string | null {
  if (alert.action !== "buy" && alert.action !== "sell" && alert.action !== "add") return null;
  const price = positive(alert.price);
  const market = positive(marketPrice);
  if (price === null || market === null) return null;
  const limit = positive(maxPct ?? null) ?? dec(DEFAULT_MAX_PRICE_DEVIATION_PCT);
  // |price - market| / market * 100 <= limit, multiplied out: no division, so no rounding at the edge.
  const off = price.minus(market).abs().times(100);
  if (off.lte(limit.times(market))) return null;
  const pct = off.div(market).toFixed(2, Decimal.ROUND_UP); // up: a refused 2.001% never reads as 2.00%
  return `The alert's price ${decStr(price)} is ${pct}% from the market price ${decStr(market)} (limit ${decStr(limit)}%); check the ticker or the price placeholder.`;
}

function positive(x: string | null): Decimal | null {
  if (x === null) return null;
  try {
    const d = dec(x);
    return d.gt(0) ? d : null;
  } catch {
    return null;
  }
}
