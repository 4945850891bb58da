/**
 * One subscriber's executions for one signal: a recorded reason when nothing may trade, else the
 * legs the position rules give (a reversal's open leg WAITs for its close).
 */
import crypto from "node:crypto";
import { TIER_PRIORITY } from "~/server/engine/engine-deps";
import { ES } from "~/server/engine/execution-state";
import type { ExecutionRow, Subscriber } from "~/server/engine/fan-out-sql";
import { skipped, type Reason } from "~/server/error-catalogue/skip-reasons";
import { haltReasonFor, type ActiveHalt } from "~/server/halts/halt-rules";
import { dec } from "~/server/money/decimal";
import { positionLegs, type Held, type Leg, type RuleAlert } from "~/server/positions/position-rules";
import type { ParsedAlert } from "~/server/signals/webhook-payload";

/** Ids that double as exchange client order ids: <= 36 chars of [A-Za-z0-9_-] on both exchanges. */
export function newExecutionId(): string {
  return `x${Date.now().toString(36)}${randomHex8()}`;
}

// 8 random bytes per id, cut from a 4 KB draw: one call into the CSPRNG per 512 ids, not per id.
let pool = Buffer.alloc(0);
let used = 0;
function randomHex8(): string {
  if (used + 8 > pool.length) {
    pool = crypto.randomBytes(4096);
    used = 0;
  }
  used += 8;
  return pool.toString("hex", used - 8, used);
}

export function clientOrderIdFor(executionId: string): string {
  return `kr-${executionId}`;
}

/** The alert's position fields, as the rules read them. */
export function ruleAlertOf(alert: ParsedAlert): RuleAlert {
  const signed = alert.positionSize === null ? null : dec(alert.positionSize);
  const fromSigned = signed === null ? null : signed.isZero() ? "flat" : signed.isNegative() ? "short" : "long";
  return {
    action: alert.action,
    exitSide: alert.exitSide,
    marketPosition: alert.marketPosition ?? fromSigned,
    prevMarketPosition: alert.prevMarketPosition,
    positionSize: alert.marketPositionSize ?? (signed === null ? null : signed.abs().toFixed()),
    prevPositionSize: alert.prevMarketPositionSize,
    contracts: alert.quantityType === "percent" ? null : alert.quantity,
    closePercent: alert.action === "exit" && alert.quantityType === "percent" ? alert.quantity : null,
  };
}

/** A test alert ("Send test alert") trades PAPER for everyone, whatever their mode: no key is needed, none is used. */
export function skipReason(sub: Subscriber, now: Date, test = false): Reason | null {
  if (sub.user.disabledAt) return skipped("ACCOUNT_DISABLED");
  if (sub.paused) return skipped("SUBSCRIPTION_PAUSED");
  if (sub.user.tier === "TRIAL" && sub.user.trialEndsAt && sub.user.trialEndsAt < now) return skipped("TRIAL_ENDED");
  if (test) return null;
  if (sub.user.tradingMode === "OFF") return skipped("TRADING_OFF");
  if (sub.user.tradingMode === "PERSONAL") {
    if (!sub.credential) return skipped("NO_KEY");
    if (sub.credential.status !== "ACTIVE") return skipped("KEY_NOT_ACTIVE", `The subscription's exchange key is ${sub.credential.status}, not ACTIVE: verify or replace it on the Keys page.`);
  }
  return null;
}

export interface LegContext {
  signalId: string;
  symbol: string;
  marketType: "spot" | "linear";
  orderType: "MARKET" | "LIMIT";
  alert: ParsedAlert;
  rule: RuleAlert;
  now: Date;
  /** Users in their cooldown on this symbol (opens only: a close always goes). */
  cooling: Set<string>;
  cooldownSeconds: number;
  /** A break-even alert's message per subscription (positions/protection/break-even-alert.ts). */
  breakEven?: Map<string, string>;
  /** A test alert: every execution is PAPER. */
  test: boolean;
  /** The signal's strategy, and the operator halts in force when its fan-out began (live executions only). */
  strategyId?: string;
  halts?: readonly ActiveHalt[];
}

/** Whether this subscriber's executions of this signal are paper (their mode, or a test alert). */
export function tradesPaper(sub: Subscriber, test: boolean): boolean {
  return test || sub.user.tradingMode === "PAPER";
}

export function subscriberRows(sub: Subscriber, held: Held, ctx: LegContext): ExecutionRow[] {
  const base = (leg: number, status: ExecutionRow["status"], reason: Reason | null, l: Leg | null): ExecutionRow => {
    const id = newExecutionId();
    return {
      id,
      signalId: ctx.signalId,
      subscriptionId: sub.id,
      userId: sub.userId,
      credentialId: sub.credential?.id ?? null,
      exchange: sub.credential?.exchange ?? null,
      tier: sub.user.tier,
      priority: TIER_PRIORITY[sub.user.tier],
      clientOrderId: clientOrderIdFor(id),
      status,
      paper: tradesPaper(sub, ctx.test),
      symbol: ctx.symbol,
      side: l === null ? ctx.alert.action : orderSide(l),
      orderType: ctx.orderType,
      price: ctx.alert.price ?? null,
      errorKind: reason?.code ?? null,
      message: reason?.message ?? null,
      leg,
      intent: l === null ? null : l.kind === "open" ? "OPEN" : "CLOSE",
      positionSide: l === null ? null : l.side === "long" ? "LONG" : "SHORT",
      closeFraction: l?.kind === "close" ? l.fraction : null,
    };
  };
  const skip = skipReason(sub, ctx.now, ctx.test);
  if (skip) return [base(0, ES.SKIPPED, skip, null)];
  // A break-even alert places no order (it moves protective stops, which reduce risk): a halt does not stop it.
  if (ctx.breakEven) return [base(0, ES.SKIPPED, skipped("BREAK_EVEN", ctx.breakEven.get(sub.id) ?? "Break-even alert: nothing to move."), null)];
  // An operator halt stops live orders only: a paper execution places nothing on an exchange.
  const halted = tradesPaper(sub, ctx.test) ? null : haltReasonFor(ctx.halts ?? [], { exchange: sub.credential?.exchange ?? null, strategyId: ctx.strategyId ?? null });
  if (halted) return [base(0, ES.SKIPPED, skipped("HALTED", halted), null)];
  const r = positionLegs({ marketType: ctx.marketType, held, alert: ctx.rule });
  if (!r.ok) return [base(0, ES.SKIPPED, { code: r.code, message: r.reason }, null)];
  const [first, second] = r.legs;
  if (first!.kind === "open" && ctx.cooling.has(sub.userId)) {
    return [base(0, ES.SKIPPED, skipped("COOLDOWN", `Cooldown: an order on this symbol was placed less than ${ctx.cooldownSeconds} s ago.`), first!)];
  }
  const rows = [base(0, ES.QUEUED, null, first!)];
  if (second) rows.push(base(1, ES.WAITING, null, second));
  return rows;
}

function orderSide(l: Leg): "buy" | "sell" {
  if (l.kind === "open") return l.side === "long" ? "buy" : "sell";
  return l.side === "long" ? "sell" : "buy";
}
