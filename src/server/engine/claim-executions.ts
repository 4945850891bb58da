/**
 * The claim: a batch's executions become SUBMITTING under a lease, in one statement that also
 * returns what sending them needs (signal, subscription, key). No execution can be claimed
 * without its claimer getting it back.
 *
 * A claim whose lease ran out can be taken over, but only once the exchange's receive window has
 * passed too: its holder sends nothing after its lease (see `sendDeadline`), so by then any create
 * it signed is either on the exchange or refused for good, and the new owner's look-up by client
 * order id is the truth.
 */
import type { Prisma } from "~/generated/prisma/client";
import { EXECUTION_LEASE_MS, RESEND_SAFE_AFTER_MS, type EngineDeps } from "~/server/engine/engine-deps";
import { ES, sqlList } from "~/server/engine/execution-state";
import type { CredentialRef } from "~/server/exchanges/exchange-clients";
import type { ActiveHalt } from "~/server/halts/halt-rules";
import { ACTIVE_HALTS_JSON } from "~/server/halts/halts";

/** Numeric columns as their exact decimal text (the claim casts them: the same on every SQL path). */
type Textual<T> = { [K in keyof T]: T[K] extends Prisma.Decimal ? string : T[K] extends Prisma.Decimal | null ? string | null : T[K] };
type ExecutionRow = Textual<Prisma.ExecutionGetPayload<object>>;
type SubscriptionRow = Textual<Prisma.SubscriptionGetPayload<object>>;

/** What the send path reads of a claimed execution, and only that (the claim returns nothing else). */
export type Claimed = Pick<ExecutionRow,
  "id" | "signalId" | "subscriptionId" | "userId" | "credentialId" | "exchange" | "priority" | "clientOrderId"
  | "paper" | "symbol" | "side" | "orderType" | "price" | "attempts" | "leg" | "intent" | "positionSide" | "closeFraction"
> & {
  /** One object per signal, shared by the batch's executions of it. */
  signal: Prisma.SignalGetPayload<{ select: { alert: true; decision: true; receivedAt: true } }>;
  subscription: Pick<SubscriptionRow, "strategyId" | "sizingMode" | "sizingValue" | "leverageCap" | "maxNotional" | "leverage" | "marginMode">;
};

export type ClaimedCred = CredentialRef & { status: string };

/** One row of the claim: the execution, its signal (g_: alert and decision on the signal's first row only), subscription (s_) and key (k_). */
type ClaimRow = Omit<Claimed, "signal" | "subscription"> & {
  g_first: boolean;
  g_alert: Claimed["signal"]["alert"] | null;
  g_decision: Claimed["signal"]["decision"];
  g_receivedAt: Date;
  s_strategyId: string;
  s_sizingMode: SubscriptionRow["sizingMode"];
  s_sizingValue: string;
  s_leverageCap: number | null;
  s_maxNotional: string | null;
  s_leverage: number | null;
  s_marginMode: SubscriptionRow["marginMode"];
  k_id: string | null;
  k_userId: string;
  k_exchange: CredentialRef["exchange"];
  k_environment: CredentialRef["environment"];
  k_apiKey: string;
  k_sealedSecret: string;
  k_status: string;
  /** The operator halts in force, on the batch's first row. */
  h_halts: ActiveHalt[] | null;
};

const CLAIM_SQL = `WITH c AS (
   UPDATE "Execution" SET status = '${ES.SUBMITTING}', attempts = attempts + 1,
     "leaseUntil" = now() + make_interval(secs => $2), "sentAt" = COALESCE("sentAt", now())
   WHERE id = ANY($1::text[])
     AND (status = '${ES.QUEUED}' OR (status = '${ES.SUBMITTING}' AND "leaseUntil" < now() - make_interval(secs => $3)))
   RETURNING id, "signalId", "subscriptionId", "userId", "credentialId", exchange, priority, "clientOrderId", paper, symbol, side,
             "orderType", price, attempts, leg, intent, "positionSide", "closeFraction"
 ), r AS (
   SELECT c.*, row_number() OVER (PARTITION BY c."signalId") = 1 AS g_first, row_number() OVER () = 1 AS b_first FROM c
 )
 SELECT r.id, r."signalId", r."subscriptionId", r."userId", r."credentialId", r.exchange::text AS exchange, r.priority, r."clientOrderId",
        r.paper, r.symbol, r.side, r."orderType"::text AS "orderType", r.price::text AS price, r.attempts, r.leg,
        r.intent::text AS intent, r."positionSide"::text AS "positionSide", r."closeFraction"::text AS "closeFraction",
        r.g_first, CASE WHEN r.g_first THEN g.alert END AS g_alert, CASE WHEN r.g_first THEN g.decision END AS g_decision, g."receivedAt" AS "g_receivedAt",
        s."strategyId" AS "s_strategyId", s."sizingMode"::text AS "s_sizingMode", s."sizingValue"::text AS "s_sizingValue",
        s."leverageCap" AS "s_leverageCap", s."maxNotional"::text AS "s_maxNotional", s.leverage AS s_leverage, s."marginMode"::text AS "s_marginMode",
        k.id AS k_id, k."userId" AS "k_userId", k.exchange::text AS k_exchange, k.environment::text AS k_environment,
        k."apiKey" AS "k_apiKey", k."sealedSecret" AS "k_sealedSecret", k.status::text AS k_status,
        CASE WHEN r.b_first THEN ${ACTIVE_HALTS_JSON} END AS h_halts
   FROM r
   JOIN "Signal" g ON g.id = r."signalId"
   JOIN "Subscription" s ON s.id = r."subscriptionId"
   LEFT JOIN "ExchangeCredential" k ON k.id = r."credentialId"`;

/**
 * Claims the batch; returns what it claimed, their keys, and the operator halts in force as the
 * claim was taken (read in the same statement: a halt committed before it stops every live order of
 * this batch, one committed later the next batches).
 */
export async function claimBatch(deps: EngineDeps, ids: string[]): Promise<{ claimed: Claimed[]; creds: Map<string, ClaimedCred>; halts: ActiveHalt[] }> {
  const creds = new Map<string, ClaimedCred>();
  if (ids.length === 0) return { claimed: [], creds, halts: [] };
  const rows = await deps.sql.$queryRawUnsafe<ClaimRow[]>(CLAIM_SQL, ids, EXECUTION_LEASE_MS / 1000, RESEND_SAFE_AFTER_MS / 1000);
  // On exactly one row (the claim's first), which the joins may return anywhere in the list.
  const halts = rows.find((r) => r.h_halts !== null)?.h_halts ?? [];
  // A signal's alert and decision come once, on its first row (a batch is most often 64 orders of one signal).
  const signals = new Map<string, Claimed["signal"]>();
  for (const r of rows) if (r.g_first) signals.set(r.signalId, { alert: r.g_alert!, decision: r.g_decision, receivedAt: r.g_receivedAt });
  const claimed = rows.map((r): Claimed => {
    if (r.k_id && !creds.has(r.k_id)) {
      creds.set(r.k_id, { id: r.k_id, userId: r.k_userId, exchange: r.k_exchange, environment: r.k_environment, apiKey: r.k_apiKey, sealedSecret: r.k_sealedSecret, status: r.k_status });
    }
    return {
      id: r.id, signalId: r.signalId, subscriptionId: r.subscriptionId, userId: r.userId, credentialId: r.credentialId, exchange: r.exchange,
      priority: r.priority, clientOrderId: r.clientOrderId, paper: r.paper, symbol: r.symbol, side: r.side, orderType: r.orderType, price: r.price,
      attempts: r.attempts, leg: r.leg, intent: r.intent, positionSide: r.positionSide, closeFraction: r.closeFraction,
      signal: signals.get(r.signalId)!,
      subscription: {
        strategyId: r.s_strategyId, sizingMode: r.s_sizingMode, sizingValue: r.s_sizingValue, leverageCap: r.s_leverageCap,
        maxNotional: r.s_maxNotional, leverage: r.s_leverage, marginMode: r.s_marginMode,
      },
    };
  });
  // Keep the batch's order (tier, then subscription age).
  const order = new Map(ids.map((id, i) => [id, i]));
  claimed.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { claimed, creds, halts };
}

/**
 * Executions of this batch still SUBMITTING under someone else's lease: most often this job's own
 * previous attempt, which died (with its worker, or with the database) before it could write a
 * result. The job must not complete while they are unresolved, since nothing else would re-claim
 * them: fail it, so the queue runs it again after its backoff, past the lease.
 */
/** The last moment a create may start under a claim taken at `claimStartedAt` (local clock, so only durations compare). */
export function sendDeadline(claimStartedAt: number): number {
  return claimStartedAt + EXECUTION_LEASE_MS - 1_000;
}

export async function assertNoneLeased(deps: EngineDeps, ids: string[]): Promise<void> {
  const [row] = await deps.sql.$queryRawUnsafe<{ n: number }[]>(`SELECT ${leasedCount("$1")} AS n`, ids);
  throwIfLeased(row?.n ?? 0);
}

/** How many of the executions (ids: a text[] parameter) are still SUBMITTING, an SQL expression. */
export const leasedCount = (ids: string) => `(SELECT count(*)::int FROM "Execution" WHERE id = ANY(${ids}::text[]) AND status IN ${sqlList([ES.SUBMITTING])})`;

export function throwIfLeased(leased: number): void {
  if (leased > 0) throw new Error(`${leased} execution(s) of this batch are still leased by another attempt; retrying after the lease`);
}
