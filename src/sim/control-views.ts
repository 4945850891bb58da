// What the control API shows of accounts and orders: exchange-neutral JSON
// (unified symbols, decimal strings) for tests and the e2e fixtures.
import { ZERO, abs, formatTrim } from "./fixed.ts";
import { isHedged, isIsolated, leverageOf } from "./margin.ts";
import type { Account, Order, OrderStatus, SimState } from "./state.ts";

const UNIFIED_STATUS: Record<OrderStatus, string> = { open: "open", filled: "closed", canceled: "canceled", expired: "expired", untriggered: "open", triggered: "open" };

export type TriggerStatus = "NEW" | "TRIGGERED" | "FILLED" | "CANCELED" | "EXPIRED";

/** The order that carries the fills: a Binance algo order's child once it fired, else the order itself. */
function executed(o: Order): Order {
  return o.child ?? o;
}

/** NEW (waiting) -> TRIGGERED (fired, its order still open) -> FILLED; or CANCELED / EXPIRED at any point. */
export function triggerStatus(o: Order): TriggerStatus {
  if (o.status === "untriggered") return "NEW";
  const x = executed(o);
  if (o.triggeredAt === 0 || o.status === "canceled" || o.status === "expired") return o.status === "canceled" ? "CANCELED" : "EXPIRED";
  switch (x.status) {
    case "filled":
      return "FILLED";
    case "canceled":
      return "CANCELED";
    case "expired":
      return "EXPIRED";
    default:
      return "TRIGGERED";
  }
}

export function orderView(o: Order): unknown {
  const x = executed(o);
  const t = o.trigger;
  return {
    id: o.id,
    apiKey: o.apiKey,
    exchange: o.exchange,
    accountId: o.accountId,
    symbol: o.market.symbol,
    exchangeSymbol: o.market.id,
    category: o.market.category,
    side: o.side,
    type: o.type,
    amount: formatTrim(x.qty),
    cost: o.quoteQty === null ? null : formatTrim(o.quoteQty),
    price: o.type === "limit" ? formatTrim(o.price) : null,
    average: x.filledQty === ZERO ? null : formatTrim(x.avgPrice),
    filled: formatTrim(x.filledQty),
    fee: formatTrim(x.fee),
    feeAsset: x.feeAsset === "" ? null : x.feeAsset,
    status: o.status === "triggered" ? UNIFIED_STATUS[x.status] : UNIFIED_STATUS[o.status],
    clientOrderId: o.clientOrderId === "" ? null : o.clientOrderId,
    reduceOnly: o.reduceOnly,
    positionSide: o.positionSide,
    trigger:
      t === null
        ? null
        : {
            type: t.type,
            price: t.price === ZERO ? null : formatTrim(t.price),
            direction: t.direction,
            status: triggerStatus(o),
            closePosition: t.closePosition,
            tpsl: t.tpsl,
            callbackRate: t.callbackPpm === null ? null : formatTrim(t.callbackPpm * 10_000n),
            trailingDistance: t.distance === null ? null : formatTrim(t.distance),
            activationPrice: t.activation === null ? null : formatTrim(t.activation),
            triggeredAt: o.triggeredAt === 0 ? null : o.triggeredAt,
            triggeredOrderId: o.child?.id ?? null,
            reason: o.cancelType === "" || o.cancelType === "CancelByUser" ? null : o.cancelType,
          },
    createdAt: o.createdAt,
  };
}

export function accountView(state: SimState, account: Account): unknown {
  const spot = Object.fromEntries([...account.spot].map(([a, b]) => [a, { free: formatTrim(b.free), locked: formatTrim(b.locked) }]));
  const futures = Object.fromEntries([...account.futures].map(([a, v]) => [a, formatTrim(v)]));
  const positions = [...account.positions.values()]
    .filter((p) => p.qty !== ZERO)
    .map((p) => ({
      symbol: p.symbol,
      positionSide: p.side,
      side: p.qty > ZERO ? "long" : "short",
      qty: formatTrim(p.qty),
      size: formatTrim(abs(p.qty)),
      entryPrice: formatTrim(p.entryPrice),
      realizedPnl: formatTrim(p.realizedPnl),
    }));
  const linear = state.markets.list.filter((m) => m.exchange === account.exchange && m.category === "linear");
  return {
    accountId: account.id,
    exchange: account.exchange,
    keys: account.keys.map((k) => ({ apiKey: k.apiKey, permissions: k.permissions, ips: k.ips ?? ["*"], expiresAt: k.expiresAt === null ? null : new Date(k.expiresAt).toISOString() })),
    balances: account.exchange === "binance" ? { spot, futures } : { unified: spot },
    positions,
    leverage: Object.fromEntries(account.leverage),
    hedgeMode: account.hedgeMode,
    // per symbol, as the account's trading endpoints see it
    symbols: Object.fromEntries(linear.map((m) => [m.id, { hedgeMode: isHedged(account, m), marginMode: isIsolated(account, m) ? "isolated" : "cross", leverage: leverageOf(account, m) }])),
    openConditionalOrders: account.conditionals.size,
  };
}
