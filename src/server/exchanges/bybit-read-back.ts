/**
 * Bybit's read-back of an order by id: the create answer carries no status or fill, so the engine
 * reads each Bybit order back once. The request is the one ccxt's fetchOrder makes (the signed v5
 * GET /v5/order/realtime with symbol, orderId and category, through ccxt's own implicit method), but
 * the answer is read directly for the five fields KeyRelay keeps when it has the plain shape: ccxt's
 * fetchOrder wrapper and its full parseOrder / safeOrder (every field of the unified order, trades,
 * fees reduced by currency) were a third of the read-back's CPU. Anything off that shape (a spot
 * market buy sized in quote, a missing quantity or average, an error code, a status KeyRelay has no
 * name for) is handed to ccxt's parseOrder as before. A property test holds the direct reading to
 * ccxt's on every shape (bybit-read-back.test.ts) for exchange values of up to 15 significant digits,
 * all that ccxt's floats carry: past that, the direct reading keeps the exchange's exact text.
 * Every Bybit account is a unified one here (profiles.ts), so ccxt's fetchOrder would take this same
 * endpoint (never its classic-account path).
 */
import ccxt, { type Exchange as CcxtExchange, type MarketInterface } from "ccxt";
import { decimal, toView } from "~/server/exchanges/ccxt-values";
import type { OrderView } from "~/server/exchanges/exchange-adapter";
import { sign } from "~/server/money/exact";

type RawOrder = Record<string, unknown>;
/** The ccxt methods used here that its typings do not declare (implicit endpoints, the status map). */
export type BybitClient = CcxtExchange & {
  privateGetV5OrderRealtime(params: Record<string, string>): Promise<{ result?: { list?: RawOrder[] } }>;
  parseOrderStatus(status: string | undefined): string | undefined;
};

const STATUSES: ReadonlySet<string> = new Set<OrderView["status"]>(["open", "closed", "canceled", "rejected", "expired"]);

export async function fetchBybitOrder(c: CcxtExchange, symbol: string, id: string): Promise<OrderView> {
  const client = c as BybitClient;
  const market = client.market(symbol);
  const category = market.spot ? "spot" : market.linear ? "linear" : market.inverse ? "inverse" : "option";
  const response = await client.privateGetV5OrderRealtime({ symbol: String(market.id), orderId: id, category });
  const raw = response?.result?.list?.[0];
  if (!raw) throw new ccxt.OrderNotFound(`${client.id} order ${id} was not found.`);
  return bybitOrderView(client, raw, market) ?? toView(client.parseOrder(raw, market), symbol, undefined);
}

/** The view ccxt's parseOrder gives (read through toView), read directly; null when the answer is not of the plain shape. */
export function bybitOrderView(c: BybitClient, raw: RawOrder, market: MarketInterface): OrderView | null {
  if ("code" in raw) return null;
  const text = (k: string) => {
    const v = raw[k];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const id = text("orderId");
  const status = c.parseOrderStatus(text("orderStatus"));
  if (id === undefined || status === undefined || !STATUSES.has(status)) return null;
  // A spot market order's quantity may be in quote (ccxt then derives the amount from the fills).
  const unit = text("marketUnit");
  if (market.spot && text("orderType")?.toLowerCase() === "market" && (unit === "quoteCoin" || (unit === undefined && text("side")?.toLowerCase() === "buy"))) return null;
  const amount = decimal(text("qty"));
  const filled = decimal(text("cumExecQty"));
  const avg = decimal(text("avgPrice"));
  const average = avg === undefined || sign(avg) === 0 ? undefined : avg;
  // ccxt derives a missing amount (filled + remaining) and a missing average (cost / filled): left to it.
  if (amount === undefined || sign(amount) === 0 || filled === undefined || (average === undefined && sign(filled) > 0)) return null;
  const detail = raw.cumFeeDetail !== null && typeof raw.cumFeeDetail === "object" ? (raw.cumFeeDetail as Record<string, unknown>) : {};
  const coin = Object.keys(detail)[0];
  const cost = coin === undefined ? undefined : decimal(detail[coin]);
  return { id, clientOrderId: text("orderLinkId"), symbol: market.symbol, status: status as OrderView["status"], amount, filled, average, fee: cost === undefined ? undefined : { cost, currency: coin! } };
}
