import { parseTicker, unifiedSymbol } from "~/server/signals/ticker";
import type { ParsedAlert } from "~/server/signals/webhook-payload";

// The rules an alert must pass before any order, once per alert (decideAlert) and once per subscriber
// (checkUserRules). Pure: the caller supplies the clock, the market price and the listed markets. Every
// failed rule is reported, not just the first, so the audit row tells the whole story.

export type MarketType = "spot" | "linear";
export type ReasonCode =
  | "STRATEGY_DISABLED"
  | "SYMBOL_NOT_ALLOWED"
  | "SYMBOL_NOT_LISTED"
  | "STALE_ALERT"
  | "TIMESTAMP_IN_FUTURE"
  | "PRICE_DEVIATION"
  | "ACTION_UNSUPPORTED"
  | "NOTIONAL_LIMIT"
  | "COOLDOWN";
export type Reason = { code: ReasonCode; message: string };
export type Decision = { approved: boolean; symbol: string; reasons: Reason[] };

export const DEFAULT_MAX_PRICE_DEVIATION_PCT = 2;

export type DecisionInput = {
  strategy: { enabled: boolean; allowedSymbols: readonly string[]; marketType: MarketType };
  alert: ParsedAlert;
  now: Date;
  /** Last price of the market, or null when unknown (the deviation rule is then skipped). */
  marketPrice: number | null;
  maxPriceDeviationPct?: number;
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

/** Only for orders that open or add (buy/sell): an exit or cancel must never be blocked by a price. */
function priceDeviation(alert: ParsedAlert, marketPrice: number | null, maxPct: number | undefined): string | null {
  if (alert.action !== "buy" && alert.action !== "sell") return null;
  if (alert.price === null || marketPrice === null || !Number.isFinite(marketPrice) || marketPrice <= 0) return null;
  const limit = maxPct !== undefined && Number.isFinite(maxPct) && maxPct > 0 ? maxPct : DEFAULT_MAX_PRICE_DEVIATION_PCT;
  const pct = (Math.abs(alert.price - marketPrice) / marketPrice) * 100;
  if (pct <= limit) return null;
  return `The alert's price ${alert.price} is ${pct.toFixed(2)}% from the market price ${marketPrice} (limit ${limit}%); check the ticker or the price placeholder.`;
}

export type UserRulesInput = {
  notional: number;
  maxNotional: number | null;
  lastOrderAt: Date | null;
  cooldownSeconds: number;
  now: Date;
  /** An exit or a reduce-only order: never blocked, or a limit would keep a user in a position. */
  reducesPosition?: boolean;
};

export function checkUserRules(input: UserRulesInput): Reason[] {
  if (input.reducesPosition === true) return [];
  const reasons: Reason[] = [];
  // Written as !(<=) so a NaN notional (a bug upstream) is refused rather than waved through.
  if (input.maxNotional !== null && !(input.notional <= input.maxNotional)) {
    reasons.push({
      code: "NOTIONAL_LIMIT",
      message: `The order's value ${round(input.notional)} is over the subscription's limit ${input.maxNotional}; raise the limit or lower the size.`,
    });
  }
  if (input.lastOrderAt !== null && input.cooldownSeconds > 0) {
    const waitedMs = input.now.getTime() - input.lastOrderAt.getTime();
    if (waitedMs < input.cooldownSeconds * 1000) {
      reasons.push({
        code: "COOLDOWN",
        message: `The last order was ${Math.max(0, Math.round(waitedMs / 1000))} s ago, inside the ${input.cooldownSeconds} s cooldown.`,
      });
    }
  }
  return reasons;
}

const round = (n: number) => Number(n.toPrecision(8));
