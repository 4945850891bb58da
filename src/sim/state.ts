// The simulator's whole world: accounts, keys, orders, prices. Plain data,
// mutated only by engine.ts / margin.ts (trading) and control-api.ts (setup).
import { randomBytes } from "node:crypto";
import { type Fixed, ZERO } from "./fixed.ts";
import { type Category, type ExchangeId, type Market, type MarketTable, buildMarkets, marketKey } from "./markets.ts";

export interface Permissions {
  read: boolean;
  spotTrade: boolean;
  futures: boolean;
  withdraw: boolean;
}

export interface ApiKey {
  apiKey: string;
  secret: string;
  accountId: string;
  exchange: ExchangeId;
  permissions: Permissions;
  /** null = unrestricted ("*"); otherwise the whitelisted client addresses */
  ips: string[] | null;
  createdAt: number;
  /** epoch ms when the key (Bybit expiredAt) or its trading authority (Binance tradingAuthorityExpirationTime) expires; null = never */
  expiresAt: number | null;
}

export interface SpotBalance {
  free: Fixed;
  locked: Fixed;
}

/** BOTH: one-way mode; LONG / SHORT: the two sides of a hedge-mode symbol */
export type PositionSide = "BOTH" | "LONG" | "SHORT";

export interface Position {
  /** exchange symbol id (BTCUSDT) */
  symbol: string;
  side: PositionSide;
  /** signed base quantity: > 0 long, < 0 short (LONG is never < 0, SHORT never > 0) */
  qty: Fixed;
  entryPrice: Fixed;
  realizedPnl: Fixed;
  createdAt: number;
  updatedAt: number;
}

/**
 * expired: IOC/FOK limit that could not fill, a reduce-only order left without a position, or a
 * conditional order the exchange dropped (closePosition with the position gone, trigger refused).
 * untriggered: a conditional order waiting for its trigger price.
 * triggered: a Binance USDⓈ-M algo order that fired; its outcome is its `child` order's.
 */
export type OrderStatus = "open" | "filled" | "canceled" | "expired" | "untriggered" | "triggered";

/** What makes a conditional order fire; the dialects set it, triggers.ts evaluates it. */
export interface Trigger {
  /** the exchange's own name: STOP_MARKET, TAKE_PROFIT, TRAILING_STOP_MARKET, STOP_LOSS_LIMIT... (Binance); Stop, TakeProfit, StopLoss, PartialTakeProfit, PartialStopLoss, TrailingStop (Bybit) */
  type: string;
  /** fires when the last price rises to (>=) or falls to (<=) `price` */
  direction: "rise" | "fall";
  /** trigger price; for trailing stops the current stop level (0 until activated) */
  price: Fixed;
  /** trailing by percent (Binance callbackRate; 1% = 10_000 ppm) */
  callbackPpm: bigint | null;
  /** trailing by price distance (Bybit trailingStop) */
  distance: Fixed | null;
  /** trailing activation price; null = active from placement */
  activation: Fixed | null;
  active: boolean;
  /** best price since activation: highest for a sell trailing stop, lowest for a buy */
  extreme: Fixed;
  /** size is the whole position (same side) when it fires: Binance closePosition, Bybit Full TP/SL */
  closePosition: boolean;
  /** Bybit position TP/SL (trading-stop or attached to an entry): cancelled with the position */
  tpsl: "Full" | "Partial" | null;
  /** CONTRACT_PRICE / MARK_PRICE (Binance), LastPrice / MarkPrice (Bybit): the simulator has one price */
  workingType: string;
}

/** Bybit take-profit / stop-loss attached to an entry order, set on the position when it fills. */
export interface AttachedTpsl {
  takeProfit: Fixed;
  stopLoss: Fixed;
  mode: "Full" | "Partial";
}

export interface Order {
  /** Binance: decimal digits of a number; Bybit: uuid */
  id: string;
  seq: number;
  exchange: ExchangeId;
  accountId: string;
  apiKey: string;
  market: Market;
  side: "buy" | "sell";
  type: "market" | "limit";
  /** base quantity; for quote-sized market buys it is set on fill */
  qty: Fixed;
  /** market buy sized in quote (Binance quoteOrderQty, Bybit marketUnit=quoteCoin) */
  quoteQty: Fixed | null;
  /** limit price, 0 for market orders */
  price: Fixed;
  /** quote reserved while resting (spot buy) or base reserved (spot sell) */
  reserved: Fixed;
  status: OrderStatus;
  filledQty: Fixed;
  cumQuote: Fixed;
  avgPrice: Fixed;
  fee: Fixed;
  feeAsset: string;
  /** linear: PnL the fill realized (Binance userTrades realizedPnl) */
  realizedPnl: Fixed;
  maker: boolean;
  tradeId: number;
  clientOrderId: string;
  /** as sent; hedge-mode closing orders reduce without it (see `reduces` in engine.ts) */
  reduceOnly: boolean;
  timeInForce: string;
  positionSide: PositionSide;
  /** null for plain orders */
  trigger: Trigger | null;
  /** when the trigger fired (0: not yet / never) */
  triggeredAt: number;
  /** Binance algo order -> the order it placed when it fired, and back */
  child: Order | null;
  parent: Order | null;
  /** why the exchange cancelled or expired it (Bybit cancelType; "" = by the user or not at all) */
  cancelType: string;
  attachedTpsl: AttachedTpsl | null;
  createdAt: number;
  updatedAt: number;
}

export interface Account {
  id: string;
  exchange: ExchangeId;
  keys: ApiKey[];
  /** Binance spot wallet; Bybit's single UNIFIED wallet (also the linear margin) */
  spot: Map<string, SpotBalance>;
  /** Binance USDⓈ-M futures wallet balances (walletBalance per asset); unused for Bybit */
  futures: Map<string, Fixed>;
  /** by positionKey(symbol, side) */
  positions: Map<string, Position>;
  leverage: Map<string, number>;
  /** hedge mode: Binance account-wide; Bybit the default for symbols not in hedgeSymbols */
  hedgeMode: boolean;
  /** Bybit per-symbol position mode set by symbol */
  hedgeSymbols: Map<string, boolean>;
  /** Binance USDⓈ-M per-symbol margin type (absent = cross) */
  isolated: Set<string>;
  /** Bybit UTA margin mode, account-wide */
  unifiedMarginMode: "REGULAR_MARGIN" | "ISOLATED_MARGIN";
  orders: Map<string, Order>;
  /** latest order per client id (Binance reuse rules) / every client id ever used (Bybit) */
  clientIds: Map<string, Order>;
  openOrders: Set<Order>;
  /** untriggered conditional orders */
  conditionals: Set<Order>;
  /** Binance USDⓈ-M algo (conditional) orders: their own id and clientAlgoId namespaces */
  algoOrders: Map<string, Order>;
  algoClientIds: Map<string, Order>;
  createdAt: number;
}

export function newAccount(id: string, exchange: ExchangeId, createdAt = Date.now()): Account {
  return {
    id,
    exchange,
    keys: [],
    spot: new Map(),
    futures: new Map(),
    positions: new Map(),
    leverage: new Map(),
    hedgeMode: false,
    hedgeSymbols: new Map(),
    isolated: new Set(),
    unifiedMarginMode: "REGULAR_MARGIN",
    orders: new Map(),
    clientIds: new Map(),
    openOrders: new Set(),
    conditionals: new Set(),
    algoOrders: new Map(),
    algoClientIds: new Map(),
    createdAt,
  };
}

export function positionKey(symbol: string, side: PositionSide): string {
  return side === "BOTH" ? symbol : symbol + ":" + side;
}

export interface RateLimits {
  /** Binance request weight per key per window (real: 1200 / minute per IP, 6000 spot today) */
  binanceWeight: number;
  binanceWindowMs: number;
  /** Bybit /v5/order/create calls per key per window (real: 10-20 / s; raised so benches don't trip) */
  bybitOrders: number;
  bybitWindowMs: number;
}

export const DEFAULT_LIMITS: RateLimits = {
  binanceWeight: 1200,
  binanceWindowMs: 60_000,
  bybitOrders: 200,
  bybitWindowMs: 1_000,
};

export interface FaultRule {
  id: number;
  apiKey: string | null;
  latencyMs: number;
  status: number | null;
  timeout: boolean;
  dropAfterAccept: boolean;
  /** requests left; Infinity = until cleared */
  remaining: number;
  paths: string[] | null;
}

export interface SimState {
  markets: MarketTable;
  accounts: Map<string, Account>;
  keys: Map<string, ApiKey>;
  /** every order ever placed, in placement order (the ledger behind GET /__sim/orders) */
  ledger: Order[];
  /** `${exchange}:${pairId}` -> last price (spot and linear of a pair share it) */
  prices: Map<string, Fixed>;
  /** resting limit orders per market key, crossed when a price is set */
  book: Map<string, Set<Order>>;
  /** untriggered conditional orders per `${exchange}:${pairId}` (spot and linear), checked when a price is set */
  triggers: Map<string, Set<Order>>;
  faults: FaultRule[];
  limits: RateLimits;
  /** the limits the simulator started with; reset returns to them */
  startLimits: RateLimits;
  /** per-key fixed rate-limit windows */
  usage: Map<string, { start: number; used: number }>;
  seq: number;
  tradeSeq: number;
  faultSeq: number;
}

export function createState(limits: Partial<RateLimits> = {}): SimState {
  const markets = buildMarkets();
  const state: SimState = {
    markets,
    accounts: new Map(),
    keys: new Map(),
    ledger: [],
    prices: new Map(),
    book: new Map(),
    triggers: new Map(),
    faults: [],
    limits: { ...DEFAULT_LIMITS, ...limits },
    startLimits: { ...DEFAULT_LIMITS, ...limits },
    usage: new Map(),
    seq: 0,
    tradeSeq: 0,
    faultSeq: 0,
  };
  resetPrices(state);
  return state;
}

export function resetState(state: SimState): void {
  state.accounts.clear();
  state.keys.clear();
  state.ledger.length = 0;
  state.book.clear();
  state.triggers.clear();
  state.faults.length = 0;
  state.usage.clear();
  state.limits = { ...state.startLimits };
  resetPrices(state);
}

function resetPrices(state: SimState): void {
  state.prices.clear();
  for (const [pair, price] of state.markets.defaultPrices) {
    state.prices.set("binance:" + pair, price);
    state.prices.set("bybit:" + pair, price);
  }
}

export function priceOf(state: SimState, market: Market): Fixed {
  return state.prices.get(market.exchange + ":" + market.id) ?? ZERO;
}

export function findMarket(state: SimState, exchange: ExchangeId, category: Category, id: string): Market | undefined {
  return state.markets.byKey.get(marketKey(exchange, category, id));
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Random alphanumeric string; rejection sampling keeps it unbiased. */
export function randomAlnum(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALNUM[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Real formats: Binance 64-char key and secret; Bybit 18-char key, 36-char secret. */
export function newKeyPair(exchange: ExchangeId): { apiKey: string; secret: string } {
  return exchange === "binance"
    ? { apiKey: randomAlnum(64), secret: randomAlnum(64) }
    : { apiKey: randomAlnum(18), secret: randomAlnum(36) };
}
