/**
 * Protective orders on the exchange, through unmodified ccxt: a reduce-only stop-loss, take-profit or
 * trailing stop per call, placed with KeyRelay's client order id, read back by id or client id, and
 * cancelled. The exchanges differ (src/sim/README.md, "Protective orders"):
 * - Binance USDⓈ-M: conditional orders live in the Algo Service: `{trigger: true}` to read or cancel
 *   them; once fired, the algo order names the plain order it placed (`actualOrderId`), which carries
 *   the fill, and USDⓈ-M fees are only in that order's trades.
 * - Bybit V5: a conditional order fires as itself (same id), its fill and fee on the order.
 * Hedge mode: Binance takes `positionSide` (and refuses `reduceOnly` with it), Bybit `positionIdx`;
 * ccxt's `hedged` param sets either from the order's side.
 */
import type { Exchange as CcxtExchange, Order as CcxtOrder } from "ccxt";
import { ccxtNumber, decimal } from "~/server/exchanges/ccxt-values";
import type { ExchangeName } from "~/server/exchanges/profiles";
import { dec } from "~/server/money/decimal";

export type ProtectionKindName = "STOP_LOSS" | "TAKE_PROFIT" | "TRAILING_STOP";

export interface ProtectiveInput {
  symbol: string;
  /** The closing side: sell for a long, buy for a short. */
  side: "buy" | "sell";
  kind: ProtectionKindName;
  /** Decimal string on the market's amount step. */
  amount: string;
  /** Stop-loss and take-profit: the trigger price (decimal string on the price step). */
  triggerPrice?: string;
  /** Trailing stop: the callback, in percent of the best price since placement. */
  callbackPct?: string;
  clientOrderId: string;
  /** Set on hedge-mode accounts: the side of the position this order closes. */
  hedgeSide?: "long" | "short";
}

export interface ProtectiveView {
  id: string;
  clientOrderId: string | undefined;
  /** open: waiting for its trigger (or fired and resting); filled: fired and filled (some or all); the rest: ended without a fill. */
  status: "open" | "filled" | "canceled" | "expired";
  /** Decimal strings; set once filled. */
  filled: string | undefined;
  average: string | undefined;
  fee: { cost: string; currency: string } | undefined;
}

export async function placeProtective(c: CcxtExchange, exchange: ExchangeName, o: ProtectiveInput): Promise<{ id: string }> {
  const amount = ccxtNumber("amount", o.amount);
  const params: Record<string, unknown> = { clientOrderId: o.clientOrderId };
  if (o.kind === "TRAILING_STOP") {
    if (exchange !== "BINANCE") throw new Error("trailing stops are placed on Binance only"); // callers check supportsTrailing first
    params.trailingPercent = Number(o.callbackPct);
  } else {
    params[o.kind === "STOP_LOSS" ? "stopLossPrice" : "takeProfitPrice"] = ccxtNumber("price", o.triggerPrice ?? "");
  }
  // Hedge mode: ccxt's `hedged` picks Binance's positionSide / Bybit's positionIdx from the side, the
  // closing side when reduce-only (and drops reduceOnly, which hedge-mode accounts refuse).
  if (o.hedgeSide) params.hedged = true;
  params.reduceOnly = true;
  const order = await c.createOrder(o.symbol, "market", o.side, amount, undefined, params);
  return { id: String(order.id) };
}

/** Whether the exchange takes a percent trailing stop as its own order (Bybit's is an absolute distance on the position). */
export const supportsTrailing = (exchange: ExchangeName) => exchange === "BINANCE";

/** The protective order by exchange id, or by client order id when the id is not known (null: the exchange has none). */
export async function readProtective(c: CcxtExchange, exchange: ExchangeName, symbol: string, ref: { id?: string | null; clientOrderId: string }): Promise<ProtectiveView | null> {
  return exchange === "BINANCE" ? readBinance(c, symbol, ref) : readBybit(c, symbol, ref);
}

export async function cancelProtective(c: CcxtExchange, exchange: ExchangeName, symbol: string, id: string): Promise<void> {
  await c.cancelOrder(id, symbol, exchange === "BINANCE" ? { trigger: true } : {});
}

const isNotFound = (err: unknown) => (err as { constructor?: { name?: string } })?.constructor?.name === "OrderNotFound";

async function readBinance(c: CcxtExchange, symbol: string, ref: { id?: string | null; clientOrderId: string }): Promise<ProtectiveView | null> {
  let algo: CcxtOrder;
  try {
    algo = ref.id ? await c.fetchOrder(ref.id, symbol, { trigger: true }) : await c.fetchOrder("", symbol, { trigger: true, clientOrderId: ref.clientOrderId });
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  const info = (algo.info ?? {}) as Record<string, unknown>;
  const base = { id: String(algo.id), clientOrderId: algo.clientOrderId ?? ref.clientOrderId, filled: undefined, average: undefined, fee: undefined };
  const algoStatus = String(info.algoStatus ?? "");
  if (algoStatus === "NEW") return { ...base, status: "open" };
  if (algoStatus === "CANCELED") return { ...base, status: "canceled" };
  const actual = info.actualOrderId ? String(info.actualOrderId) : "";
  if (!actual) return { ...base, status: algoStatus === "TRIGGERED" ? "open" : "expired" };
  const placed = await c.fetchOrder(actual, symbol);
  const filled = decimal(placed.filled) ?? "0";
  if (placed.status === "open") return { ...base, status: "open" };
  if (dec(filled).isZero()) return { ...base, status: "expired" };
  return { ...base, status: "filled", filled, average: decimal(placed.average), fee: await tradesFee(c, symbol, actual) };
}

/** The fee of an order from its trades (USDⓈ-M orders carry none); undefined when mixed or missing. */
export async function tradesFee(c: CcxtExchange, symbol: string, orderId: string): Promise<ProtectiveView["fee"]> {
  // fetchOrderTrades is spot-only in ccxt's Binance; userTrades filtered by the order serves USDⓈ-M.
  const trades = (await c.fetchMyTrades(symbol, undefined, undefined, { orderId })).filter((t) => String(t.order) === orderId);
  const fees = trades.flatMap((t) => (t.fee?.cost !== undefined && t.fee.currency ? [{ cost: decimal(t.fee.cost) ?? "0", currency: t.fee.currency }] : []));
  if (fees.length === 0 || fees.some((f) => f.currency !== fees[0]!.currency)) return undefined;
  return { cost: fees.reduce((s, f) => s.plus(f.cost), dec(0)).toFixed(), currency: fees[0]!.currency };
}

async function readBybit(c: CcxtExchange, symbol: string, ref: { id?: string | null; clientOrderId: string }): Promise<ProtectiveView | null> {
  const linkParams = { orderLinkId: ref.clientOrderId };
  const match = (list: CcxtOrder[]) => list.find((o) => (ref.id ? String(o.id) === ref.id : o.clientOrderId === ref.clientOrderId));
  const open = match(await c.fetchOpenOrders(symbol, undefined, undefined, { trigger: true, ...linkParams }));
  if (open) return view(open, ref.clientOrderId);
  const done = match(await c.fetchCanceledAndClosedOrders(symbol, undefined, undefined, { trigger: true, ...linkParams }));
  return done ? view(done, ref.clientOrderId) : null;
}

function view(o: CcxtOrder, clientOrderId: string): ProtectiveView {
  const filled = decimal(o.filled) ?? "0";
  const fee = decimal(o.fee?.cost);
  const base = { id: String(o.id), clientOrderId: o.clientOrderId ?? clientOrderId };
  if (o.status === "open") return { ...base, status: "open", filled: undefined, average: undefined, fee: undefined };
  if (dec(filled).gt(0)) {
    return { ...base, status: "filled", filled, average: decimal(o.average), fee: fee === undefined ? undefined : { cost: fee, currency: String(o.fee?.currency ?? "") } };
  }
  return { ...base, status: o.status === "canceled" ? "canceled" : "expired", filled: undefined, average: undefined, fee: undefined };
}
