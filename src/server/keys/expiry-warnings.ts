/**
 * Warnings before a key expires: 14, 3 and 1 days ahead, each once per key and expiry. A key
 * first seen inside a window gets only the tightest warning it is in (2 days left: the 3-day one),
 * and the wider ones are marked sent with it. A new expiry (key renewed or replaced) starts over
 * (verify-credential.ts clears the list when the exchange reports a different expiry).
 */
import type { Db } from "~/server/db";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec } from "~/server/jobs/job-types";
import { notify } from "~/server/notifications/notify";
import type { Exchange } from "~/generated/prisma/enums";
import { PROFILES } from "~/server/exchanges/profiles";
import { FIND_EGRESS_IPS } from "~/server/keys/egress-ips";
import { maskApiKey } from "~/server/vault/mask";

export const EXPIRY_THRESHOLDS_DAYS = [14, 3, 1] as const;
const DAY_MS = 86_400_000;

export interface ExpiryWarningDue {
  /** The threshold this warning is for (14, 3 or 1). */
  threshold: number;
  /** Whole days left, rounded up (2.1 days -> 3). */
  daysLeft: number;
  /** The thresholds to record as sent once this warning is written. */
  sent: number[];
}

/** The warning due now for a key expiring at `expiresAt`, given those already sent; null when none is. */
export function expiryWarningDue(expiresAt: Date | null, now: Date, alreadySent: readonly number[]): ExpiryWarningDue | null {
  if (expiresAt === null) return null;
  const left = expiresAt.getTime() - now.getTime();
  // Expired: the exchange refuses the key, and re-verification disables it (with its own notice).
  if (left <= 0) return null;
  const crossed = EXPIRY_THRESHOLDS_DAYS.filter((t) => left <= t * DAY_MS);
  if (crossed.length === 0) return null;
  const threshold = Math.min(...crossed);
  if (alreadySent.includes(threshold)) return null;
  const sent = [...new Set([...alreadySent, ...crossed])].sort((a, b) => b - a);
  return { threshold, daysLeft: Math.ceil(left / DAY_MS), sent };
}

export function daysText(days: number): string {
  return days === 1 ? "1 day" : `${days} days`;
}

export interface ExpiringKey {
  exchange: Exchange;
  environment: string;
  apiKey: string;
  expiresAt: Date;
  ipRestricted: boolean;
}

/** The notice, in words a trader acts on. Unrestricted keys hear that the deadline comes from the missing IP restriction. */
export function expiryMessage(k: ExpiringKey, daysLeft: number, egressIps: readonly string[]): string {
  const name = PROFILES[k.exchange].label;
  const which = `Your ${name} key ${maskApiKey(k.apiKey)} (${k.environment})`;
  const when = `in ${daysText(daysLeft)} (${k.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC)`;
  const what = k.exchange === "BINANCE" ? `loses its trading permission ${when}` : `expires ${when}`;
  const after = `After that KeyRelay cannot trade on your ${name} account.`;
  if (k.ipRestricted) return `${which} ${what}. ${after} Create a new key in ${name} and replace this one on the Keys page before then.`;
  const ips = egressIps.length ? `this server's IP${egressIps.length > 1 ? "s" : ""} ${egressIps.join(", ")}` : `this server's public (egress) IPs (${FIND_EGRESS_IPS.replace(/\.$/, "")})`;
  return (
    `${which} has no IP restriction, so it ${what}: ${name} limits keys usable from any IP. ${after} ` +
    `Create a new key restricted to ${ips}, which ${name} does not expire this way, and replace this one on the Keys page.`
  );
}

/**
 * Writes the warning due for one credential, if any: the KEY_EXPIRING notification and the sent
 * thresholds in one transaction, guarded so two checkers never send the same warning twice.
 */
export async function warnIfExpiring(db: Db, jobs: JobSink | null, credentialId: string, now: Date, egressIps: readonly string[]): Promise<ExpiryWarningDue | null> {
  let after: JobSpec[] = [];
  const due = await db.$transaction(async (tx) => {
    const cred = await tx.exchangeCredential.findUnique({ where: { id: credentialId } });
    if (!cred || cred.status !== "ACTIVE" || cred.expiresAt === null) return null;
    const due = expiryWarningDue(cred.expiresAt, now, cred.expiryWarnings);
    if (!due) return null;
    const claimed = await tx.exchangeCredential.updateMany({ where: { id: cred.id, expiryWarnings: { equals: cred.expiryWarnings } }, data: { expiryWarnings: due.sent } });
    if (claimed.count === 0) return null;
    ({ after } = await notify(tx, jobs, {
      userId: cred.userId,
      kind: "KEY_EXPIRING",
      message: expiryMessage({ ...cred, expiresAt: cred.expiresAt }, due.daysLeft, egressIps),
      details: { exchange: cred.exchange, environment: cred.environment, daysLeft: due.daysLeft, expiresAt: cred.expiresAt.toISOString() },
    }));
    return due;
  });
  if (after.length) jobs?.afterCommit(after);
  return due;
}
