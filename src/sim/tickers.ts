// Public market tickers for both dialects: Binance /api/v3 + /fapi ticker/24hr,
// ticker/price, ticker/bookTicker and Bybit /v5/market/tickers. The simulator
// keeps no trade history, so the 24h statistics are derived from the pair's
// current price: open 2% below it, a 1% range around open and last, a fixed
// turnover. The last price is always exactly the price set via /__sim/prices.
import { envelope } from "./bybit-format.ts";
import { type Fixed, SCALE, ZERO, decimalsOf, div, floorTo, formatFixed, mul } from "./fixed.ts";
import type { Category, ExchangeId, Market } from "./markets.ts";
import { type SimState, findMarket, priceOf } from "./state.ts";
import { type SimRequest, type SimResponse, json } from "./wire.ts";

const DAY_MS = 86_400_000;
const EIGHT_HOURS_MS = 28_800_000;
/** 24h quote turnover (USDT) every simulated market reports */
const TURNOVER: Record<Category, Fixed> = { spot: 250_000_000n * SCALE, linear: 1_000_000_000n * SCALE };

interface Stats {
  market: Market;
  last: Fixed;
  bid: Fixed;
  ask: Fixed;
  /** resting size at the best bid / ask */
  depth: Fixed;
  open: Fixed;
  high: Fixed;
  low: Fixed;
  vwap: Fixed;
  volume: Fixed;
  quoteVolume: Fixed;
  /** (last - open) / open */
  ratio: Fixed;
  /** decimals of a price (the tick's, as printed by the exchange) */
  dp: number;
}

const maxF = (a: Fixed, b: Fixed): Fixed => (a > b ? a : b);
const minF = (a: Fixed, b: Fixed): Fixed => (a < b ? a : b);
const pct = (value: Fixed, percent: bigint): Fixed => (value * percent) / 100n;

function stats(state: SimState, m: Market): Stats {
  const last = priceOf(state, m);
  const tick = m.tickSize;
  const open = maxF(floorTo(pct(last, 98n), tick), tick);
  const high = floorTo(pct(maxF(last, open), 101n), tick);
  const low = maxF(floorTo(pct(minF(last, open), 99n), tick), tick);
  const vwap = floorTo((open + last) / 2n, tick);
  const volume = vwap === ZERO ? ZERO : floorTo(div(TURNOVER[m.category], vwap), m.stepSize);
  const tickDp = m.raw.tick.split(".")[1]?.length ?? 0;
  return {
    market: m,
    last,
    bid: last > tick ? last - tick : last,
    ask: last + tick,
    depth: maxF(floorTo(m.maxMarketQty / 100n, m.stepSize), m.minQty),
    open,
    high,
    low,
    vwap,
    volume,
    quoteVolume: mul(volume, vwap),
    ratio: open === ZERO ? ZERO : div(last - open, open),
    // a price set off-tick via the control API still prints in full
    dp: Math.max(tickDp, decimalsOf(last)),
  };
}

// ---------------------------------------------------------------- Binance

type BinanceKind = "24hr" | "price" | "bookTicker";

function binanceErr(code: number, msg: string): SimResponse {
  return json(400, { code, msg });
}

function binanceTicker(s: Stats, kind: BinanceKind, futures: boolean, now: number): Record<string, unknown> {
  const m = s.market;
  // spot prints every price and quantity with 8 decimals; futures with the symbol's precision
  const p = (v: Fixed): string => formatFixed(v, futures ? s.dp : 8);
  const q = (v: Fixed): string => formatFixed(v, futures ? m.qtyDp : 8);
  if (kind === "price") return futures ? { symbol: m.id, price: p(s.last), time: now } : { symbol: m.id, price: p(s.last) };
  if (kind === "bookTicker") {
    const book = { symbol: m.id, bidPrice: p(s.bid), bidQty: q(s.depth), askPrice: p(s.ask), askQty: q(s.depth) };
    return futures ? { ...book, time: now, lastUpdateId: now } : book;
  }
  const lastId = Math.floor(now / 10);
  const common = {
    symbol: m.id,
    priceChange: p(s.last - s.open),
    priceChangePercent: formatFixed(s.ratio * 100n, 3),
    weightedAvgPrice: p(s.vwap),
  };
  const stats24 = {
    openPrice: p(s.open),
    highPrice: p(s.high),
    lowPrice: p(s.low),
    volume: q(s.volume),
    quoteVolume: formatFixed(s.quoteVolume, futures ? 2 : 8),
    openTime: now - DAY_MS,
    closeTime: now,
    firstId: lastId - 1_500_000,
    lastId,
    count: 1_500_001,
  };
  // the futures 24hr ticker has no book fields (ccxt tells spot from contract rows by `bidQty`)
  if (futures) return { ...common, lastPrice: p(s.last), lastQty: q(m.minQty), ...stats24 };
  return {
    ...common,
    prevClosePrice: p(s.open),
    lastPrice: p(s.last),
    lastQty: q(m.minQty),
    bidPrice: p(s.bid),
    bidQty: q(s.depth),
    askPrice: p(s.ask),
    askQty: q(s.depth),
    ...stats24,
  };
}

const SYMBOLS_RANGE = `^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$`;

/** GET /api/v3/ticker/{24hr,price,bookTicker} and /fapi/v1|v2/ticker/...: `symbol` -> one object, otherwise a list. */
export function binanceTickers(state: SimState, req: SimRequest, kind: BinanceKind, futures: boolean): SimResponse {
  const params = new URLSearchParams(req.rawQuery);
  const category: Category = futures ? "linear" : "spot";
  const now = Date.now();
  const symbol = params.get("symbol");
  if (symbol !== null) {
    const m = findMarket(state, "binance", category, symbol);
    return m === undefined ? binanceErr(-1121, "Invalid symbol.") : json(200, binanceTicker(stats(state, m), kind, futures, now));
  }
  let markets = state.markets.list.filter((m) => m.exchange === "binance" && m.category === category);
  const symbols = futures ? null : params.get("symbols");
  if (symbols !== null) {
    let ids: unknown;
    try {
      ids = JSON.parse(symbols);
    } catch {
      ids = null;
    }
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
      return binanceErr(-1100, `Illegal characters found in parameter 'symbols'; legal range is '${SYMBOLS_RANGE}'.`);
    }
    const picked: Market[] = [];
    for (const id of ids as string[]) {
      const m = findMarket(state, "binance", category, id);
      if (m === undefined) return binanceErr(-1121, "Invalid symbol.");
      picked.push(m);
    }
    markets = picked;
  }
  return json(200, markets.map((m) => binanceTicker(stats(state, m), kind, futures, now)));
}

// ---------------------------------------------------------------- Bybit

function bybitItem(s: Stats, now: number): Record<string, unknown> {
  const m = s.market;
  const p = (v: Fixed): string => formatFixed(v, s.dp);
  const q = (v: Fixed): string => formatFixed(v, m.qtyDp);
  const shared = {
    lastPrice: p(s.last),
    prevPrice24h: p(s.open),
    price24hPcnt: formatFixed(s.ratio, m.category === "spot" ? 4 : 6),
    highPrice24h: p(s.high),
    lowPrice24h: p(s.low),
    turnover24h: formatFixed(s.quoteVolume, 4),
    volume24h: q(s.volume),
  };
  if (m.category === "spot") {
    return { symbol: m.id, bid1Price: p(s.bid), bid1Size: q(s.depth), ask1Price: p(s.ask), ask1Size: q(s.depth), ...shared, usdIndexPrice: p(s.last) };
  }
  // ccxt tells linear rows from spot ones by `openInterestValue`
  const openInterest = floorTo(s.volume / 4n, m.stepSize);
  return {
    symbol: m.id,
    ...shared,
    indexPrice: p(s.last),
    markPrice: p(s.last),
    prevPrice1h: p(s.last),
    openInterest: q(openInterest),
    openInterestValue: formatFixed(mul(openInterest, s.last), 2),
    fundingRate: "0.0001",
    nextFundingTime: String(Math.ceil((now + 1) / EIGHT_HOURS_MS) * EIGHT_HOURS_MS),
    predictedDeliveryPrice: "",
    basisRate: "",
    deliveryFeeRate: "",
    deliveryTime: "0",
    ask1Size: q(s.depth),
    bid1Price: p(s.bid),
    ask1Price: p(s.ask),
    bid1Size: q(s.depth),
    basis: "",
    preOpenPrice: "",
    preQty: "",
    curPreListingPhase: "",
  };
}

/** GET /v5/market/tickers?category=spot|linear[&symbol=] (errors: HTTP 200, retCode 10001). */
export function bybitTickers(state: SimState, req: SimRequest): SimResponse {
  const params = new URLSearchParams(req.rawQuery);
  const category = params.get("category");
  if (category !== "spot" && category !== "linear") return { status: 200, body: envelope(10001, "params error: Category is invalid", {}) };
  const symbol = params.get("symbol") ?? "";
  const exchange: ExchangeId = "bybit";
  let markets: Market[];
  if (symbol === "") {
    markets = state.markets.list.filter((m) => m.exchange === exchange && m.category === category);
  } else {
    const m = findMarket(state, exchange, category, symbol);
    if (m === undefined) return { status: 200, body: envelope(10001, "Not supported symbols", {}) };
    markets = [m];
  }
  const now = Date.now();
  return { status: 200, body: envelope(0, "OK", { category, list: markets.map((m) => bybitItem(stats(state, m), now)) }) };
}
