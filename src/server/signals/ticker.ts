// TradingView tickers come in many spellings for the same market: "BTCUSDT", "BINANCE:BTCUSDT",
// "BTCUSDT.P" (TradingView's perpetual suffix), "BTC/USDT", "BTC-USDT", "BTCUSDT.PERP" or ccxt's own
// "BTC/USDT:USDT". This turns all of them into base/quote plus a perpetual flag; decision.ts builds
// the ccxt symbol from that and the strategy's market type.

export type Ticker = {
  /** As sent, trimmed (e.g. "BINANCE:BTCUSDT.P"), for audit rows and error messages. */
  raw: string;
  base: string;
  quote: string;
  /** The ticker named a perpetual (".P", ".PERP", "-PERP", "BTC/USDT:USDT"). Informational: the strategy's marketType decides what is traded. */
  perp: boolean;
};

export const TICKER_MAX_CHARS = 40;

// Longest first, so "BTCUSDT" splits as BTC/USDT and not BTCU/SDT, "ETHFDUSD" as ETH/FDUSD and not ETHFD/USD.
// Only needed for concatenated tickers; a separator ("/", "-", "_") names the quote explicitly.
const QUOTES = ["FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDE", "USD", "EUR", "TRY", "BRL", "DAI", "BTC", "ETH", "BNB"];
const PERP_SUFFIXES = [".PERP", "-PERP", "_PERP", ".P"];
const ASSET = /^[A-Z0-9]{1,20}$/;

/** The base/quote of a TradingView or ccxt ticker, or a message saying what to send instead. */
export function parseTicker(input: string): Ticker | { problem: string } {
  const raw = input.trim();
  if (raw.length === 0) return { problem: "is empty; send the market, e.g. \"BTCUSDT\" or {{ticker}}." };
  if (raw.length > TICKER_MAX_CHARS) return { problem: `is longer than ${TICKER_MAX_CHARS} characters; send the market, e.g. "BTCUSDT".` };

  let rest = raw.toUpperCase();
  // "BINANCE:BTCUSDT" (TradingView's {{exchange}}:{{ticker}}). A colon after a slash is ccxt's settle currency instead.
  const colon = rest.indexOf(":");
  if (colon !== -1 && !rest.slice(0, colon).includes("/")) rest = rest.slice(colon + 1);

  let perp = false;
  const ccxtSettle = /^([A-Z0-9]+)\/([A-Z0-9]+):([A-Z0-9]+)$/.exec(rest);
  if (ccxtSettle) {
    const [, base = "", quote = "", settle = ""] = ccxtSettle;
    if (settle !== quote) return { problem: `"${raw}" is an inverse or cross-settled market; only USDT/USDC-settled linear markets are supported.` };
    return checked(raw, base, quote, true);
  }
  for (const suffix of PERP_SUFFIXES) {
    if (rest.endsWith(suffix)) {
      rest = rest.slice(0, -suffix.length);
      perp = true;
      break;
    }
  }

  const separated = /^([A-Z0-9]+)[/\-_]([A-Z0-9]+)$/.exec(rest);
  if (separated) return checked(raw, separated[1] ?? "", separated[2] ?? "", perp);

  if (ASSET.test(rest)) {
    const quote = QUOTES.find((q) => rest.length > q.length && rest.endsWith(q));
    if (quote !== undefined) return checked(raw, rest.slice(0, -quote.length), quote, perp);
    return { problem: `"${raw}" has no quote currency KeyRelay recognises; send it as BASE/QUOTE, e.g. "BTC/USDT".` };
  }
  return { problem: `"${raw}" is not a market KeyRelay can read; send e.g. "BTCUSDT", "BINANCE:BTCUSDT.P" or "BTC/USDT".` };
}

function checked(raw: string, base: string, quote: string, perp: boolean): Ticker | { problem: string } {
  if (!ASSET.test(base) || !ASSET.test(quote)) {
    return { problem: `"${raw}" is not a market KeyRelay can read; send e.g. "BTCUSDT" or "BTC/USDT".` };
  }
  return { raw, base, quote, perp };
}

/** The ccxt unified symbol: "BTC/USDT" on spot, "BTC/USDT:USDT" for a linear (quote-settled) perpetual. */
export function unifiedSymbol(ticker: Pick<Ticker, "base" | "quote">, marketType: "spot" | "linear"): string {
  const spot = `${ticker.base}/${ticker.quote}`;
  return marketType === "linear" ? `${spot}:${ticker.quote}` : spot;
}
