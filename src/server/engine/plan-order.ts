/**
 * What to send for one execution: side, type, amount rounded to the market's step, price,
 * reduce-only and leverage.
 * - OPEN legs: the subscription's sizing, the user's limits.
 * - CLOSE legs: the closed share of what the strategy holds in the ledger, never more than the
 *   account holds (linear: the position on that side, reduce-only; spot: the free base balance,
 *   so coins the user held before are never sold). When the account holds less than the ledger
 *   (the user closed by hand), the ledger follows the account first and the position says so.
 */
import type { Claimed } from "~/server/engine/claim-executions";
import { applyFuturesSettings } from "~/server/engine/futures-settings";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { sizeOrder } from "~/server/engine/sizing";
import { checkUserRules } from "~/server/engine/user-rules";
import { sizingReason, skipped, type Reason } from "~/server/error-catalogue/skip-reasons";
import type { CredentialRef } from "~/server/exchanges/exchange-clients";
import type { MarketInfo } from "~/server/exchanges/market-rules";
import { dec } from "~/server/money/decimal";
import { floorToStep } from "~/server/money/exact";
import { followAccount, readPosition } from "~/server/positions/position-ledger";
import type { ParsedAlert } from "~/server/signals/webhook-payload";

export type OrderPlan =
  | {
      ok: true;
      side: "buy" | "sell";
      type: "market" | "limit";
      amount: string;
      price: string | null;
      reduceOnly: boolean;
      leverage: number;
      /** A close of the whole holding: a remainder below this cannot be sold (dust). */
      dustBelow: string | null;
    }
  | { ok: false; message: string; code: string };

type Exec = Claimed;

const no = (r: Reason): OrderPlan => ({ ok: false, message: r.message, code: r.code });
type Ok = Extract<OrderPlan, { ok: true }>;

export async function planOrder(
  deps: EngineDeps,
  input: { e: Exec; alert: ParsedAlert; cred: CredentialRef | null; marketPrice: string | null },
): Promise<OrderPlan> {
  const { e, alert, cred } = input;
  const exchange = cred?.exchange ?? e.exchange ?? "BINANCE";
  const info = await deps.adapter.marketInfo(exchange, e.symbol);
  if (!info) return no(skipped("SYMBOL_NOT_LISTED", `${e.symbol} is not listed on ${exchange}.`));
  const type = e.orderType === "LIMIT" && e.intent !== "CLOSE" ? "limit" : "market";
  const price = alert.price ?? input.marketPrice ?? (await deps.adapter.fetchPrice(exchange, e.symbol).catch(() => null));
  if (type === "limit" && !alert.price) return no(skipped("LIMIT_NEEDS_PRICE"));
  if (e.intent === "CLOSE" || (e.intent === null && e.side === "exit")) return planClose(deps, { e, cred, info, price });
  return planOpen(deps, { e, alert, cred, info, price, type });
}

async function planOpen(
  deps: EngineDeps,
  { e, alert, cred, info, price, type }: { e: Exec; alert: ParsedAlert; cred: CredentialRef | null; info: MarketInfo; price: string | null; type: Ok["type"] },
): Promise<OrderPlan> {
  const sub = e.subscription;
  let availableQuote: string | null = null;
  if (sub.sizingMode === "PERCENT_BALANCE" && cred) {
    const quote = e.symbol.split("/")[1]!.split(":")[0]!;
    availableQuote = (await deps.adapter.fetchBalance(cred, info.marketType)).free[quote] ?? "0";
  }
  const sized = sizeOrder({
    mode: sub.sizingMode,
    value: String(sub.sizingValue),
    alertContracts: alert.quantity,
    price: price ?? "0",
    availableQuote,
    market: info,
    leverage: alert.leverage ?? sub.leverage,
    leverageCap: sub.leverageCap,
  });
  if (!sized.ok) return no(sizingReason(sized.reason));
  const limits = checkUserRules({
    notional: sized.notional,
    maxNotional: sub.maxNotional === null ? null : String(sub.maxNotional),
    lastOrderAt: null, // cooldown is applied at fan-out, across the user's executions
    cooldownSeconds: 0,
    now: new Date(),
  });
  if (limits.length) return no(skipped(limits[0]!.code, limits.map((r) => r.message).join(" ")));
  if (info.marketType === "linear" && cred) {
    const refused = await applyFuturesSettings(deps, cred, e.symbol, { leverage: sized.leverage, marginMode: sub.marginMode });
    if (refused) return no(skipped("FUTURES_SETTINGS", refused));
  }
  const side = e.positionSide === "SHORT" || (e.positionSide === null && e.side === "sell") ? "sell" : "buy";
  return { ok: true, side, type, amount: sized.amount, price, reduceOnly: false, leverage: sized.leverage, dustBelow: null };
}

async function planClose(deps: EngineDeps, { e, cred, info, price }: { e: Exec; cred: CredentialRef | null; info: MarketInfo; price: string | null }): Promise<OrderPlan> {
  const position = await readPosition(deps.db, e.subscriptionId, e.symbol, e.paper);
  let book = position?.book;
  if (!position || !book || book.side === "flat" || dec(book.size).isZero()) {
    return no(skipped("NOTHING_TO_CLOSE", `The strategy holds no ${e.symbol} position on this account: nothing to close.`));
  }
  const long = book.side === "long";
  const fraction = dec(e.closeFraction === null ? "1" : String(e.closeFraction));
  const closeAll = fraction.gte(1);
  let want = dec(book.size).times(fraction);

  if (cred) {
    // Never more than the account holds: the user may have closed by hand.
    const held = await accountHolding(deps, cred, e.symbol, info, book.side as "long" | "short");
    if (held.lt(book.size)) {
      book = await followAccount(
        deps.db,
        position.id,
        book,
        held.toFixed(),
        `The account held ${held.toFixed()} ${e.symbol.split("/")[0]} where the strategy's ledger said ${book.size}: the position was closed or reduced outside KeyRelay, so the ledger now follows the account.`,
      );
      if (book.side === "flat") return no(skipped("CLOSED_OUTSIDE", `The account no longer holds this ${e.symbol} position (closed outside KeyRelay): nothing to close.`));
      want = dec(book.size).times(fraction);
    }
  }
  const amount = floorToStep(want, info.amountStep);
  const dustBelow = dec(info.minAmount ?? "0").gt(info.amountStep) ? (info.minAmount as string) : info.amountStep;
  if (dec(amount).isZero() || (info.minAmount !== null && dec(amount).lt(info.minAmount))) {
    return no(skipped("CLOSE_BELOW_MIN", `The ${e.symbol} holding to close (${want.toFixed()}) is below the market's smallest order.`));
  }
  return {
    ok: true,
    side: long ? "sell" : "buy",
    type: "market",
    amount,
    price,
    reduceOnly: info.marketType === "linear",
    leverage: 1,
    dustBelow: closeAll ? dustBelow : null,
  };
}

/** What the account holds of the position's side: linear, the position; spot, the free base balance. */
async function accountHolding(deps: EngineDeps, cred: CredentialRef, symbol: string, info: MarketInfo, side: "long" | "short") {
  if (info.marketType === "linear") {
    const positions = await deps.adapter.fetchPositions(cred, [symbol]);
    const pos = positions.find((p) => p.side === side) ?? (positions.length === 1 && !positions[0]!.side ? positions[0] : undefined);
    return pos ? dec(pos.contracts).abs() : dec(0);
  }
  const balance = await deps.adapter.fetchBalance(cred);
  const free = dec(balance.free[symbol.split("/")[0]!] ?? "0");
  return free.isNegative() ? dec(0) : free;
}
