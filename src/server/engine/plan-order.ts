/**
 * What to send for one execution: side, type, amount rounded to the market's step, price,
 * reduce-only and leverage, from the alert, the subscription's sizing and the account.
 * Exits close what is there (spot: the free base balance; linear: the position, reduce-only).
 */
import type { Prisma } from "~/generated/prisma/client";
import type { EngineDeps } from "~/server/engine/engine-deps";
import type { CredentialRef } from "~/server/exchanges/exchange-clients";
import { checkUserRules } from "~/server/signals/decision";
import { floorToStep, sizeOrder } from "~/server/signals/sizing";
import type { ParsedAlert } from "~/server/signals/webhook-payload";

export type OrderPlan =
  | { ok: true; side: "buy" | "sell"; type: "market" | "limit"; amount: number; price: number | null; reduceOnly: boolean; leverage: number }
  | { ok: false; message: string };

type Exec = Prisma.ExecutionGetPayload<{ include: { subscription: true } }>;

export async function planOrder(
  deps: EngineDeps,
  input: { e: Exec; alert: ParsedAlert; cred: CredentialRef | null; marketPrice: number | null },
): Promise<OrderPlan> {
  const { e, alert, cred } = input;
  const exchange = cred?.exchange ?? e.exchange ?? "BINANCE";
  const info = await deps.adapter.marketInfo(exchange, e.symbol);
  if (!info) return { ok: false, message: `${e.symbol} is not listed on ${exchange}.` };
  const type = e.orderType === "LIMIT" ? "limit" : "market";
  const price = alert.price ?? input.marketPrice ?? (await deps.adapter.fetchPrice(exchange, e.symbol).catch(() => null));
  if (type === "limit" && !alert.price) return { ok: false, message: "A limit order needs a price in the alert." };

  if (e.side === "exit") {
    if (!cred) return { ok: false, message: "Paper trading keeps no positions to exit." };
    if (info.marketType === "linear") {
      const [pos] = await deps.adapter.fetchPositions(cred, [e.symbol]);
      if (!pos || pos.contracts === 0) return { ok: false, message: `No open ${e.symbol} position to close.` };
      if (alert.exitSide && pos.side && alert.exitSide !== pos.side) return { ok: false, message: `The open position is ${pos.side}, not ${alert.exitSide}.` };
      return { ok: true, side: pos.side === "short" ? "buy" : "sell", type: "market", amount: Math.abs(pos.contracts), price, reduceOnly: true, leverage: 1 };
    }
    const balance = await deps.adapter.fetchBalance(cred);
    const base = e.symbol.split("/")[0]!;
    const amount = Number(floorToStep(Math.max(0, balance.free[base] ?? 0), info.amountStep));
    if (amount === 0 || (info.minAmount !== null && amount < info.minAmount)) return { ok: false, message: `No ${base} balance to sell.` };
    return { ok: true, side: "sell", type: "market", amount, price, reduceOnly: false, leverage: 1 };
  }

  const sub = e.subscription;
  let availableQuote: number | null = null;
  if (sub.sizingMode === "PERCENT_BALANCE" && cred) {
    const quote = e.symbol.split("/")[1]!.split(":")[0]!;
    availableQuote = (await deps.adapter.fetchBalance(cred, info.marketType)).free[quote] ?? 0;
  }
  const sized = sizeOrder({
    mode: sub.sizingMode,
    value: Number(sub.sizingValue),
    alertContracts: alert.quantity,
    price: price ?? 0,
    availableQuote,
    market: info,
    leverage: alert.leverage,
    leverageCap: sub.leverageCap,
  });
  if (!sized.ok) return { ok: false, message: sized.reason.message };
  const limits = checkUserRules({
    notional: sized.notional,
    maxNotional: sub.maxNotional === null ? null : Number(sub.maxNotional),
    lastOrderAt: null, // cooldown is applied at fan-out, across the user's executions
    cooldownSeconds: 0,
    now: new Date(),
  });
  if (limits.length) return { ok: false, message: limits.map((r) => r.message).join(" ") };
  if (info.marketType === "linear" && cred && sized.leverage > 1) {
    await deps.adapter.setLeverage(cred, e.symbol, sized.leverage);
  }
  return { ok: true, side: e.side === "sell" ? "sell" : "buy", type, amount: sized.amount, price, reduceOnly: false, leverage: sized.leverage };
}
