/**
 * Sending one claimed execution, Hummingbot-style: a create is never blindly retried. After
 * TEMPORARY, UNKNOWN_OUTCOME or RATE_LIMITED the order is looked up by its client order id and
 * re-sent only when the exchange shows it does not exist; a re-claimed execution (crash, lost
 * lease) is looked up before anything is sent at all.
 *
 * "Does not exist" needs time: a create that timed out may still be in flight and be accepted
 * until its receive window closes. So after an answer-less failure, an empty look-up is trusted
 * only once RESEND_SAFE_AFTER_MS has passed since that create was signed. A 429 is an answer
 * (refused): the create is sent again after the key's pause, with no look-up. No create starts
 * after the claim's send deadline.
 */
import { envVar } from "~/env";
import type { Claimed, ClaimedCred } from "~/server/engine/claim-executions";
import { RESEND_SAFE_AFTER_MS, type EngineDeps } from "~/server/engine/engine-deps";
import { ES } from "~/server/engine/execution-state";
import { fromOrder, paperOrder, type Outcome } from "~/server/engine/order-outcome";
import { skipped, type Reason } from "~/server/error-catalogue/skip-reasons";
import { planOrder, type OrderPlan } from "~/server/engine/plan-order";
import type { CredentialRef } from "~/server/exchanges/exchange-clients";
import { isPositionModeMismatch, type OrderView } from "~/server/exchanges/exchange-adapter";
import { isExchangeError } from "~/server/exchanges/map-error";
import { haltReasonFor, type ActiveHalt } from "~/server/halts/halt-rules";
import { logger } from "~/server/logger";
import { sign } from "~/server/money/exact";
import { reviveAlert } from "~/server/signals/stored-alert";
import { isVaultError } from "~/server/vault/secret-box";

const MAX_INLINE_RESENDS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export type SendPlan = Extract<OrderPlan, { ok: true }>;
export type Prepared = { kind: "done"; outcome: Outcome } | { kind: "send"; cred: CredentialRef; plan: SendPlan };

const skip = (r: Reason): Outcome => ({ status: ES.SKIPPED, errorKind: r.code, message: r.message });

/** A stored secret that cannot be opened is the execution's answer (FAILED), not a retryable error. */
export function vaultFailure(err: unknown): Outcome | null {
  return isVaultError(err) ? { status: ES.FAILED, errorKind: "VAULT", message: err.message } : null;
}

/**
 * Everything before the wire: paper fills, skips, the look-up of a re-claimed order, sizing.
 * `halts`: the operator halts in force, read after the claim (once per batch); a live order they
 * cover is not sent but SKIPPED with the halt's reason, unless a previous attempt already put it
 * on the exchange (then the look-up's answer is its result, as always).
 */
export async function prepare(deps: EngineDeps, e: Claimed, cred: ClaimedCred | null, halts: readonly ActiveHalt[] = []): Promise<Prepared> {
  const alert = reviveAlert(e.signal.alert);
  const decision = (e.signal.decision ?? {}) as { marketPrice?: string | number | null };
  const marketPrice = decision.marketPrice == null ? null : String(decision.marketPrice);
  const done = (outcome: Outcome): Prepared => ({ kind: "done", outcome });
  if (e.paper) {
    const plan = await planOrder(deps, { e, alert, cred: null, marketPrice });
    if (!plan.ok) return done({ status: ES.SKIPPED, errorKind: plan.code, message: plan.message });
    const now = new Date();
    const order = paperOrder(e, plan.amount, plan.price, envVar("PAPER_FEE_PCT"));
    return done({ status: ES.FILLED, amount: plan.amount, price: plan.price, order, ackAt: now, sentAt: now, dustBelow: plan.dustBelow });
  }
  if (!cred) return done(skip(skipped("NO_KEY")));
  if (cred.status !== "ACTIVE") return done(skip(skipped("KEY_NOT_ACTIVE", `The exchange key is ${cred.status}, not ACTIVE.`)));
  try {
    // Claimed before: a previous attempt may have reached the exchange. Look before sending.
    if (e.attempts > 1) {
      const found = await deps.adapter.findOrderByClientId(cred, e.symbol, e.clientOrderId);
      if (found) return done(fromOrder(await withFee(deps, cred, e.symbol, found), found.amount ?? null));
    }
    const halted = haltReasonFor(halts, { exchange: e.exchange ?? cred.exchange, strategyId: e.subscription.strategyId });
    if (halted) return done(skip(skipped("HALTED", halted)));
    const plan = await planOrder(deps, { e, alert, cred, marketPrice });
    if (!plan.ok) return done({ status: ES.SKIPPED, errorKind: plan.code, message: plan.message });
    return { kind: "send", cred, plan };
  } catch (err) {
    if (isExchangeError(err) && (err.kind === "AUTH" || err.kind === "PERMISSION")) return done({ status: ES.FAILED, errorKind: err.kind, message: err.message });
    throw err;
  }
}

/**
 * The create, and what its answer means. Throws (leaving the execution to a reconciler) when the
 * outcome is still unknown after the look-ups, or when the claim's send deadline has passed.
 */
/** This send's place in the tier order at the wire (engine/write-gate.ts). */
export interface WritePlace {
  /** Resolves when the create may be written. */
  beforeWrite(): Promise<void>;
  /** Gives the place up (e.g. the key's rate limit holds this order back: it must not hold the others). */
  release(): void;
}

export async function send(deps: EngineDeps, e: Claimed, cred: CredentialRef, plan: SendPlan, deadline: number, place?: WritePlace): Promise<Outcome> {
  // When the first create is handed to the connection pool (after the tier gate), not when this call began.
  let sentAt = new Date();
  let written = false;
  const beforeWrite = async () => {
    if (written) return;
    if (place) await place.beforeWrite();
    written = true;
    sentAt = new Date();
  };
  const onLimiterWait = place ? () => place.release() : undefined;
  const linear = e.symbol.includes(":");
  // Hedge-mode accounts need the position side on every order; learned from the exchange's refusal, then remembered.
  let hedgeSide = linear && deps.adapter.accountSettings.get(cred, e.symbol, "hedged") ? legSide(e, plan) : undefined;
  let modeSwitched = false;
  for (let attempt = 0; ; attempt++) {
    if (Date.now() > deadline) throw new Error("the claim's lease ran out before the order could be sent; a reconciler looks it up and sends it");
    const signedAt = Date.now();
    try {
      const placed = await deps.adapter.createOrder(cred, {
        symbol: e.symbol,
        side: plan.side,
        type: plan.type,
        amount: plan.amount,
        price: plan.type === "limit" ? (plan.price ?? undefined) : undefined,
        clientOrderId: e.clientOrderId,
        reduceOnly: plan.reduceOnly,
        hedgeSide,
        beforeWrite,
        onLimiterWait,
      });
      const ackAt = new Date();
      // Bybit's create answer carries no status or fill: read the order back once, by its id (one
      // call; by client id is open orders, then closed ones). ackAt is already taken.
      const full = await withFee(deps, cred, e.symbol, placed.status === "unknown" ? ((await readBack(deps, cred, e, placed).catch(() => null)) ?? placed) : placed);
      return { ...fromOrder(full, plan.amount), ackAt, sentAt, price: plan.price, dustBelow: plan.dustBelow };
    } catch (err) {
      if (!isExchangeError(err)) throw err;
      if (linear && !modeSwitched && isPositionModeMismatch(err, cred.exchange)) {
        // A refusal (nothing was created): the account is in the other position mode. Send again in that mode, once.
        modeSwitched = true;
        deps.adapter.accountSettings.set(cred, e.symbol, "hedged", hedgeSide === undefined);
        hedgeSide = hedgeSide === undefined ? legSide(e, plan) : undefined;
        continue;
      }
      switch (err.kind) {
        case "AUTH":
          return { status: ES.FAILED, errorKind: err.kind, message: err.message, sentAt };
        case "PERMISSION":
        case "INSUFFICIENT_FUNDS":
        case "INVALID_ORDER":
          return { status: ES.REJECTED, errorKind: err.kind, message: err.message, sentAt };
        case "UNKNOWN":
        case "NOT_FOUND":
          return { status: ES.FAILED, errorKind: err.kind, message: err.message, sentAt };
      }
      if (err.kind === "RATE_LIMITED") {
        // An answer: refused, nothing was created (every earlier answer-less attempt was settled by a look-up below).
        if (attempt >= MAX_INLINE_RESENDS) throw err;
        continue; // the limiter already paused this key
      }
      // TEMPORARY, UNKNOWN_OUTCOME, DUPLICATE_CLIENT_ID: the order may exist. Look, never guess.
      await sleep(Math.min(2_000, 100 * 2 ** attempt));
      let found = await deps.adapter.findOrderByClientId(cred, e.symbol, e.clientOrderId);
      if (!found && err.kind !== "DUPLICATE_CLIENT_ID") {
        // No answer came: the create may still be accepted until its receive window closes. Look again after it.
        await sleep(signedAt + RESEND_SAFE_AFTER_MS - Date.now());
        found = await deps.adapter.findOrderByClientId(cred, e.symbol, e.clientOrderId);
      }
      if (found) return { ...fromOrder(await withFee(deps, cred, e.symbol, found), plan.amount), ackAt: new Date(), sentAt, dustBelow: plan.dustBelow };
      if (err.kind === "DUPLICATE_CLIENT_ID") return { status: ES.FAILED, errorKind: err.kind, message: err.message, sentAt };
      if (attempt >= MAX_INLINE_RESENDS) throw err;
      logger.info({ executionId: e.id, kind: err.kind, attempt }, "order not on the exchange after a failed create; sending again");
    }
  }
}

/** The position side an order opens, or (reduce-only) closes. */
function legSide(e: Claimed, plan: SendPlan): "long" | "short" {
  if (e.positionSide === "LONG" || e.positionSide === "SHORT") return e.positionSide === "LONG" ? "long" : "short";
  return (plan.side === "buy") !== plan.reduceOnly ? "long" : "short";
}

/**
 * A filled order whose view carries no fee (Binance's query-order answer has none) gets it from its
 * trades, so the ledger books what is really held. Best effort: if that fails, the drift check
 * later brings the ledger to the account.
 */
async function withFee(deps: EngineDeps, cred: CredentialRef, symbol: string, o: OrderView): Promise<OrderView> {
  if (o.fee || !o.id || o.filled === undefined || sign(o.filled) <= 0) return o;
  const fee = await deps.adapter.fetchOrderFee(cred, symbol, o.id).catch(() => null);
  return fee ? { ...o, fee } : o;
}

function readBack(deps: EngineDeps, cred: CredentialRef, e: Claimed, placed: OrderView): Promise<OrderView | null> {
  if (placed.id && placed.id !== "undefined") return deps.adapter.fetchOrder(cred, e.symbol, placed.id);
  return deps.adapter.findOrderByClientId(cred, e.symbol, e.clientOrderId);
}
