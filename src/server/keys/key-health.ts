/**
 * The key-health watch: every KEY_HEALTH_INTERVAL_MS each ACTIVE key is verified again against its
 * exchange (a few at a time; one failing exchange does not stop the rest). A key the exchange now
 * refuses is disabled by the usual verification path, whose notice names the user's open live
 * positions; a key nearing its expiry gets the 14 / 3 / 1-day warnings. Only a changed outcome is
 * audited (verify-credential.ts, audit "on_change").
 */
import { envVar } from "~/env";
import type { Db } from "~/server/db";
import type { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec } from "~/server/jobs/job-types";
import { warnIfExpiring } from "~/server/keys/expiry-warnings";
import { verifyCredential } from "~/server/keys/verify-credential";
import { logger } from "~/server/logger";

export const KEY_HEALTH_INTERVAL_MS = envVar("KEY_HEALTH_INTERVAL_MS");
/** After trading, protection and drift checks: this is background work. */
export const KEY_HEALTH_PRIORITY = 20;
const CONCURRENCY = 4;
const MAX_KEYS_PER_ROUND = 50_000;

export const keyHealthJob = (delayMs = KEY_HEALTH_INTERVAL_MS): JobSpec => ({
  task: "check_key_health",
  payload: {},
  priority: KEY_HEALTH_PRIORITY,
  jobKey: "keys:health",
  delayMs,
  maxAttempts: 3,
});

export interface KeyHealthDeps {
  db: Db;
  adapter: ExchangeAdapter;
  /** Where the warnings' and notices' deliveries are queued. */
  jobs: JobSink | null;
  egressIps: readonly string[];
  requireIpRestriction: boolean;
  now?: () => Date;
  concurrency?: number;
}

export interface KeyHealthTotals {
  checked: number;
  /** ACTIVE before, not ACTIVE after this round. */
  lost: number;
  warned: number;
  /** Could not be checked this round (an unexpected error); the next round tries again. */
  failed: number;
}

export async function checkKeyHealth(deps: KeyHealthDeps): Promise<KeyHealthTotals> {
  const rows = await deps.db.exchangeCredential.findMany({
    where: { status: "ACTIVE" },
    select: { id: true },
    orderBy: { lastVerifiedAt: { sort: "asc", nulls: "first" } },
    take: MAX_KEYS_PER_ROUND,
  });
  const totals: KeyHealthTotals = { checked: 0, lost: 0, warned: 0, failed: 0 };
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const id = rows[next++]!.id;
      try {
        const r = await verifyCredential(deps.db, deps.adapter, id, {
          actorId: null,
          audit: "on_change",
          source: "key_health",
          egressIps: deps.egressIps,
          requireIpRestriction: deps.requireIpRestriction,
          jobs: deps.jobs,
        });
        totals.checked++;
        if (r.status !== "ACTIVE") totals.lost++;
        else if (await warnIfExpiring(deps.db, deps.jobs, id, deps.now?.() ?? new Date(), deps.egressIps)) totals.warned++;
      } catch (err) {
        totals.failed++;
        logger.warn({ err, credentialId: id }, "key health: could not check a key; the next round tries again");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? CONCURRENCY, rows.length) }, lane));
  if (totals.lost || totals.warned || totals.failed) logger.info(totals, "key health");
  return totals;
}
