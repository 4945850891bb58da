/**
 * execute_batch: claim a batch's executions, prepare them, send them in priority order, write
 * each result with its audit row as it comes in. Hummingbot-style: the client order id (derived
 * from the execution id) is stored before the request and sent with it.
 */
import { assertNoneLeased, claimBatch, sendDeadline, throwIfLeased } from "~/server/engine/claim-executions";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { ES } from "~/server/engine/execution-state";
import type { Outcome } from "~/server/engine/order-outcome";
import { completeSignals, resultWriter } from "~/server/engine/result-writer";
import { prepare, send, vaultFailure } from "~/server/engine/send-order";
import { InFlightOrders, SendPriority } from "~/server/engine/send-priority";
import { WriteGate } from "~/server/engine/write-gate";
import { envVar } from "~/env";
import { disableAfterAuthFailure } from "~/server/keys/verify-credential";

/** This process's send order across concurrently running batches: sends start in tier order, and are written in it. */
const tierWait = envVar("TIER_ORDER_WAIT_MS");
/** How long a batch waits for room under EXCHANGE_MAX_IN_FLIGHT before it goes anyway (a slow exchange holds the room). */
const IN_FLIGHT_MAX_WAIT_MS = 1_000;
const sendPriority = new SendPriority(Math.min(250, tierWait));
const writeGate = new WriteGate(tierWait);
const inFlight = new InFlightOrders(envVar("EXCHANGE_MAX_IN_FLIGHT"), IN_FLIGHT_MAX_WAIT_MS);

/** This process's orders between send and answer, against the bound (the worker's health answer). */
export function ordersInFlight(): { ordersInFlight: number; maxOrdersInFlight: number; batchesOverLimit: number } {
  return { ordersInFlight: inFlight.size, maxOrdersInFlight: inFlight.limit, batchesOverLimit: inFlight.overLimit };
}

/**
 * `priority`: the job's (its tier's); batches that carry it keep priority order across batches.
 * `signalId`: with it, the batch holds its places in the signal's write order from the start, so a
 * worse tier's batch that got here first cannot write before this one's orders.
 */
export async function executeBatch(deps: EngineDeps, ids: string[], priority?: number, signalId?: string): Promise<void> {
  const ticket = priority === undefined ? null : sendPriority.enter(priority);
  const held = priority !== undefined && signalId ? ids.map(() => writeGate.register(signalId, priority)) : [];
  try {
    await runBatch(deps, ids, ticket, held, priority ?? 0);
  } finally {
    if (ticket !== null) sendPriority.leave(ticket);
    for (const place of held) writeGate.release(place);
  }
}

type Failed = { kind: "error"; err: unknown };
const caught = (err: unknown): Failed => ({ kind: "error", err });

async function runBatch(deps: EngineDeps, ids: string[], ticket: number | null, held: number[], priority: number): Promise<void> {
  const deadline = sendDeadline(Date.now());
  // With the operator halts in force, read by the claim itself (the database is the truth for every process).
  const { claimed, creds, halts } = await claimBatch(deps, ids);
  if (claimed.length === 0) return assertNoneLeased(deps, ids);
  let retryable: unknown = null;

  // Phase 1, concurrently: look up re-claimed executions and size every order.
  const prepared = await Promise.all(claimed.map((e) => prepare(deps, e, creds.get(e.credentialId ?? "") ?? null, halts).catch(caught)));
  // Phase 2: start the sends in list order (PRO first, then by subscription age), all in flight together,
  // once the better-priority batches running here have started theirs.
  if (ticket !== null) await sendPriority.turn(ticket);
  // And once this process's orders in flight leave room for this batch's.
  const sends = prepared.filter((p) => p.kind === "send").length;
  await inFlight.acquire(priority, sends);
  // Each order that goes to the wire takes a place held since the job started (or one now); the rest are given up.
  const spare = [...held];
  const places = prepared.map((p, i) => (p.kind === "send" ? (spare.pop() ?? writeGate.register(claimed[i]!.signalId, claimed[i]!.priority)) : null));
  for (const place of spare) writeGate.release(place);
  const settled: Promise<Outcome | Failed>[] = prepared.map((p, i) => {
    const place = places[i]!;
    if (p.kind !== "send" || place === null) return Promise.resolve(p.kind === "done" ? p.outcome : (p as Failed));
    return send(deps, claimed[i]!, p.cred, p.plan, deadline, { beforeWrite: () => writeGate.beforeWrite(place), release: () => writeGate.release(place) })
      .catch(caught)
      .finally(() => {
        writeGate.release(place);
        inFlight.release(priority);
      });
  });
  if (ticket !== null) sendPriority.leave(ticket);

  // Each result is written with its audit row as it comes in (the writer coalesces them).
  const writer = resultWriter(deps);
  await Promise.all(
    settled.map(async (pending, i) => {
      const e = claimed[i]!;
      const r = await pending;
      let outcome: Outcome;
      if ("kind" in r) {
        const vault = vaultFailure(r.err);
        if (!vault) {
          // Left SUBMITTING, its lease ended now (database clock): the job's retry (or another worker)
          // reclaims it once the receive window has passed too, and looks it up before any re-send.
          await deps.sql.$executeRawUnsafe(
            `UPDATE "Execution" SET "leaseUntil" = now(), message = $3 WHERE id = $1 AND status = '${ES.SUBMITTING}' AND attempts = $2`,
            e.id,
            e.attempts,
            errMessage(r.err),
          );
          retryable ??= r.err;
          return;
        }
        if (e.credentialId) await disableAfterAuthFailure(deps.db, e.credentialId, vault.message ?? "The stored secret cannot be opened.", deps.jobs);
        outcome = vault;
      } else outcome = r;
      await writer.write(e, outcome);
    }),
  );
  const leased = await completeSignals(deps, [...new Set(claimed.map((e) => e.signalId))], ids);
  if (retryable) throw retryable;
  throwIfLeased(leased);
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 500) : String(err).slice(0, 500);
}
