// Default market list: filters copied from the real exchanges' exchangeInfo /
// instruments-info (mid 2025), so ccxt's precision helpers round exactly as in production.
import { type Fixed, fx, decimalsOf } from "./fixed.ts";

export type ExchangeId = "binance" | "bybit";
export type Category = "spot" | "linear";

export interface Market {
  exchange: ExchangeId;
  category: Category;
  /** exchange id, e.g. BTCUSDT (same for spot and linear on both exchanges) */
  id: string;
  /** unified ccxt symbol: BTC/USDT or BTC/USDT:USDT */
  symbol: string;
  base: string;
  quote: string;
  tickSize: Fixed;
  stepSize: Fixed;
  minQty: Fixed;
  maxQty: Fixed;
  maxMarketQty: Fixed;
  minNotional: Fixed;
  maxLeverage: number;
  priceDp: number;
  qtyDp: number;
  /** the original strings, echoed in exchangeInfo / instruments-info */
  raw: { tick: string; step: string; minQty: string; maxQty: string; maxMarketQty: string; minNotional: string };
}

// tick, step, minQty, maxQty, maxMarketQty, minNotional, maxLeverage
type Row = [string, string, string, string, string, string, number];

interface PairSpec {
  base: string;
  price: string;
  binanceSpot: Row;
  binanceLinear: Row;
  bybitSpot: Row;
  bybitLinear: Row;
}

const PAIRS: PairSpec[] = [
  {
    base: "BTC",
    price: "65000",
    binanceSpot: ["0.01", "0.00001", "0.00001", "9000", "120", "5", 1],
    binanceLinear: ["0.10", "0.001", "0.001", "1000", "120", "100", 125],
    bybitSpot: ["0.01", "0.000001", "0.000048", "71.73956243", "71.73956243", "1", 1],
    bybitLinear: ["0.10", "0.001", "0.001", "1190", "500", "5", 100],
  },
  {
    base: "ETH",
    price: "3200",
    binanceSpot: ["0.01", "0.0001", "0.0001", "9000", "2000", "5", 1],
    binanceLinear: ["0.01", "0.001", "0.001", "10000", "2000", "20", 125],
    bybitSpot: ["0.01", "0.00001", "0.00062", "1229.2336343", "1229.2336343", "1", 1],
    bybitLinear: ["0.01", "0.01", "0.01", "7240", "724", "5", 100],
  },
  {
    base: "SOL",
    price: "150",
    binanceSpot: ["0.01", "0.001", "0.001", "90000", "20000", "5", 1],
    binanceLinear: ["0.0100", "1", "1", "1000000", "5000", "5", 100],
    bybitSpot: ["0.01", "0.001", "0.011", "14000", "14000", "1", 1],
    bybitLinear: ["0.010", "0.1", "0.1", "79770", "7977", "5", 100],
  },
  {
    base: "BNB",
    price: "580",
    binanceSpot: ["0.01", "0.001", "0.001", "9000", "1000", "5", 1],
    binanceLinear: ["0.010", "0.01", "0.01", "100000", "2000", "5", 75],
    bybitSpot: ["0.1", "0.001", "0.001", "1000", "1000", "1", 1],
    bybitLinear: ["0.01", "0.01", "0.01", "4300", "430", "5", 75],
  },
  {
    base: "XRP",
    price: "0.5200",
    binanceSpot: ["0.0001", "0.1", "0.1", "9222449", "920000", "5", 1],
    binanceLinear: ["0.0001", "0.1", "0.1", "10000000", "2000000", "5", 75],
    bybitSpot: ["0.0001", "0.01", "1.5", "1200000", "1200000", "1", 1],
    bybitLinear: ["0.0001", "1", "1", "2400000", "240000", "5", 75],
  },
  {
    base: "DOGE",
    price: "0.12000",
    binanceSpot: ["0.00001", "1", "1", "9000000", "3000000", "1", 1],
    binanceLinear: ["0.000010", "1", "1", "50000000", "30000000", "5", 75],
    bybitSpot: ["0.00001", "0.1", "9", "8500000", "8500000", "1", 1],
    bybitLinear: ["0.00001", "1", "1", "61795000", "6179500", "5", 75],
  },
  {
    base: "ADA",
    price: "0.4500",
    binanceSpot: ["0.0001", "0.1", "0.1", "900000", "200000", "5", 1],
    binanceLinear: ["0.00010", "1", "1", "10000000", "300000", "5", 75],
    bybitSpot: ["0.0001", "0.01", "2", "800000", "800000", "1", 1],
    bybitLinear: ["0.0001", "1", "1", "2500000", "250000", "5", 75],
  },
  {
    base: "LTC",
    price: "85.00",
    binanceSpot: ["0.01", "0.001", "0.001", "90000", "5000", "5", 1],
    binanceLinear: ["0.01", "0.001", "0.001", "10000", "2000", "20", 75],
    bybitSpot: ["0.01", "0.00001", "0.012", "5000", "5000", "1", 1],
    bybitLinear: ["0.01", "0.1", "0.1", "3500", "350", "5", 50],
  },
];

export const QUOTE = "USDT";

function makeMarket(exchange: ExchangeId, category: Category, base: string, row: Row): Market {
  const [tick, step, minQty, maxQty, maxMarketQty, minNotional, maxLeverage] = row;
  const tickSize = fx(tick);
  const stepSize = fx(step);
  return {
    exchange,
    category,
    id: base + QUOTE,
    symbol: category === "spot" ? `${base}/${QUOTE}` : `${base}/${QUOTE}:${QUOTE}`,
    base,
    quote: QUOTE,
    tickSize,
    stepSize,
    minQty: fx(minQty),
    maxQty: fx(maxQty),
    maxMarketQty: fx(maxMarketQty),
    minNotional: fx(minNotional),
    maxLeverage,
    priceDp: decimalsOf(tickSize),
    qtyDp: decimalsOf(stepSize),
    raw: { tick, step, minQty, maxQty, maxMarketQty, minNotional },
  };
}

export interface MarketTable {
  /** all markets in a stable order */
  list: Market[];
  /** `${exchange}:${category}:${id}` -> market */
  byKey: Map<string, Market>;
  /** pair id (BTCUSDT) -> default price */
  defaultPrices: Map<string, Fixed>;
}

export function marketKey(exchange: ExchangeId, category: Category, id: string): string {
  return exchange + ":" + category + ":" + id;
}

export function buildMarkets(): MarketTable {
  const list: Market[] = [];
  const defaultPrices = new Map<string, Fixed>();
  for (const p of PAIRS) {
    list.push(makeMarket("binance", "spot", p.base, p.binanceSpot));
    list.push(makeMarket("binance", "linear", p.base, p.binanceLinear));
    list.push(makeMarket("bybit", "spot", p.base, p.bybitSpot));
    list.push(makeMarket("bybit", "linear", p.base, p.bybitLinear));
    defaultPrices.set(p.base + QUOTE, fx(p.price));
  }
  const byKey = new Map<string, Market>();
  for (const m of list) byKey.set(marketKey(m.exchange, m.category, m.id), m);
  return { list, byKey, defaultPrices };
}

/** Every asset that appears in the default markets (for balance listings). */
export function assetsOf(table: MarketTable): string[] {
  const seen = new Set<string>([QUOTE]);
  for (const m of table.list) seen.add(m.base);
  return [...seen];
}
