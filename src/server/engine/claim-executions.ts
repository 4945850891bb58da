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

/** Numeric columns as their exact decimal text (the claim casts them: the same on every SQL path). */
type Textual<T> = { [K in keyof T]: T[K] extends Prisma.Decimal ? string : T[K] extends Prisma.Decimal | null ? string | null : T[K] };
type ExecutionRow = Textual<Prisma.ExecutionGetPayload<object>>;

export type Claimed = ExecutionRow & {
  signal: Prisma.SignalGetPayload<{ select: { alert: true; decision: true; receivedAt: true } }>;
  subscription: Textual<Prisma.SubscriptionGetPayload<object>>;
};

export type ClaimedCred = CredentialRef & { status: string };

/** One row of the claim: the execution, then its signal (g_), subscription (s_) and key (k_). */
type ClaimRow = Omit<Claimed, "signal" | "subscription"> & {
  g_alert: Claimed["signal"]["alert"];
  g_decision: Claimed["signal"]["decision"];
  g_receivedAt: Date;
  s_id: string;
  s_userId: string;
  s_strategyId: string;
  s_credentialId: string | null;
  s_sizingMode: Claimed["subscription"]["sizingMode"];
  s_sizingValue: Claimed["subscription"]["sizingValue"];
  s_leverageCap: number | null;
  s_maxNotional: Claimed["subscription"]["maxNotional"];
  s_paused: boolean;
  s_protection: Claimed["subscription"]["protection"];
  s_leverage: number | null;
  s_marginMode: Claimed["subscription"]["marginMode"];
  s_createdAt: Date;
  s_updatedAt: Date;
  k_id: string | null;
  k_userId: string;
  k_exchange: CredentialRef["exchange"];
  k_environment: CredentialRef["environment"];
  k_apiKey: string;
  k_sealedSecret: string;
  k_status: string;
};

const CLAIM_SQL = `WITH c AS (
   UPDATE "Execution" SET status = '${ES.SUBMITTING}', attempts = attempts + 1,
     "leaseUntil" = now() + make_interval(secs => $2), "sentAt" = COALESCE("sentAt", now())
   WHERE id = ANY($1::text[])
     AND (status = '${ES.QUEUED}' OR (status = '${ES.SUBMITTING}' AND "leaseUntil" < now() - make_interval(secs => $3)))
   RETURNING *
 )
 SELECT c.id, c."signalId", c."subscriptionId", c."userId", c."credentialId", c.exchange::text AS exchange, c.tier::text AS tier,
        c.priority, c."clientOrderId", c.status::text AS status, c.paper, c.symbol, c.side, c."orderType"::text AS "orderType",
        c.amount::text AS amount, c.price::text AS price, c."exchangeOrderId", c."filledAmount"::text AS "filledAmount",
        c."averagePrice"::text AS "averagePrice", c.fee::text AS fee, c."feeCurrency", c."errorKind", c.message,
        c.attempts, c."leaseUntil", c."queuedAt", c."sentAt", c."ackAt", c."completedAt",
        c.leg, c.intent::text AS intent, c."positionSide"::text AS "positionSide", c."closeFraction"::text AS "closeFraction",
        g.alert AS g_alert, g.decision AS g_decision, g."receivedAt" AS "g_receivedAt",
        s.id AS s_id, s."userId" AS "s_userId", s."strategyId" AS "s_strategyId", s."credentialId" AS "s_credentialId",
        s."sizingMode"::text AS "s_sizingMode", s."sizingValue"::text AS "s_sizingValue", s."leverageCap" AS "s_leverageCap",
        s."maxNotional"::text AS "s_maxNotional", s.paused AS s_paused, s.protection AS s_protection, s.leverage AS s_leverage, s."marginMode"::text AS "s_marginMode", s."createdAt" AS "s_createdAt", s."updatedAt" AS "s_updatedAt",
        k.id AS k_id, k."userId" AS "k_userId", k.exchange::text AS k_exchange, k.environment::text AS k_environment,
        k."apiKey" AS "k_apiKey", k."sealedSecret" AS "k_sealedSecret", k.status::text AS k_status
   FROM c
   JOIN "Signal" g ON g.id = c."signalId"
   JOIN "Subscription" s ON s.id = c."subscriptionId"
   LEFT JOIN "ExchangeCredential" k ON k.id = c."credentialId"`;

export async function claimBatch(deps: EngineDeps, ids: string[]): Promise<{ claimed: Claimed[]; creds: Map<string, ClaimedCred> }> {
  const creds = new Map<string, ClaimedCred>();
  if (ids.length === 0) return { claimed: [], creds };
  const rows = await deps.sql.$queryRawUnsafe<ClaimRow[]>(CLAIM_SQL, ids, EXECUTION_LEASE_MS / 1000, RESEND_SAFE_AFTER_MS / 1000);
  const claimed = rows.map((r) => {
    const {
      g_alert, g_decision, g_receivedAt,
      s_id, s_userId, s_strategyId, s_credentialId, s_sizingMode, s_sizingValue, s_leverageCap, s_maxNotional, s_paused, s_protection, s_leverage, s_marginMode, s_createdAt, s_updatedAt,
      k_id, k_userId, k_exchange, k_environment, k_apiKey, k_sealedSecret, k_status,
      ...execution
    } = r;
    if (k_id) creds.set(k_id, { id: k_id, userId: k_userId, exchange: k_exchange, environment: k_environment, apiKey: k_apiKey, sealedSecret: k_sealedSecret, status: k_status });
    return {
      ...execution,
      signal: { alert: g_alert, decision: g_decision, receivedAt: g_receivedAt },
      subscription: {
        id: s_id, userId: s_userId, strategyId: s_strategyId, credentialId: s_credentialId, sizingMode: s_sizingMode, sizingValue: s_sizingValue,
        leverageCap: s_leverageCap, maxNotional: s_maxNotional, paused: s_paused, protection: s_protection, leverage: s_leverage, marginMode: s_marginMode, createdAt: s_createdAt, updatedAt: s_updatedAt,
      },
    } satisfies Claimed;
  });
  // Keep the batch's order (tier, then subscription age).
  const order = new Map(ids.map((id, i) => [id, i]));
  claimed.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { claimed, creds };
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
  const [row] = await deps.sql.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM "Execution" WHERE id = ANY($1::text[]) AND status IN ${sqlList([ES.SUBMITTING])}`,
    ids,
  );
  const leased = row?.n ?? 0;
  if (leased > 0) throw new Error(`${leased} execution(s) of this batch are still leased by another attempt; retrying after the lease`);
}
