/**
 * Key verification: read the balance and the key's own permissions from the exchange, decide
 * the status, and record the attempt (history row, credential, audit) in one transaction.
 * ACTIVE = can read and trade, cannot withdraw. REJECTED = withdrawals on, or no trading.
 * DISABLED = the exchange refused the key (or the vault can no longer open it).
 * With the operator's REQUIRE_KEY_IP_RESTRICTION, a key the exchange reports as usable from any IP
 * is REJECTED too (errorKind IP_RESTRICTION): a leaked key then trades only from this server.
 */
import type { CredentialStatus } from "~/generated/prisma/enums";
import { writeAudit } from "~/server/audit/write-audit";
import type { Db } from "~/server/db";
import type { ExchangeAdapter, KeyPermissions } from "~/server/exchanges/exchange-adapter";
import { isExchangeError } from "~/server/exchanges/map-error";
import { PROFILES } from "~/server/exchanges/profiles";
import type { RequestMeta } from "~/server/http/request-meta";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec } from "~/server/jobs/job-types";
import { notify } from "~/server/notifications/notify";
import { isVaultError } from "~/server/vault/secret-box";

export interface VerificationResult {
  credentialId: string;
  status: CredentialStatus;
  ok: boolean;
  message: string | null;
  warnings: string[];
  permissions: KeyPermissions;
  errorKind: string | null;
}

const NO_PERMISSIONS: KeyPermissions = { read: false, trade: false, futures: false, withdraw: false, ipRestricted: false };

export function ipWarning(egressIps: readonly string[]): string {
  return egressIps.length
    ? `This key is not restricted to IP addresses. Restrict it to this server's IPs: ${egressIps.join(", ")}.`
    : "This key is not restricted to IP addresses. Restrict it to this server's egress IPs in the exchange's API settings.";
}

/** The refusal when the operator requires an IP restriction; names the fix, holds no secret. */
export function ipRestrictionRequired(exchangeName: string, egressIps: readonly string[]): string {
  const where = egressIps.length ? `this server's IP${egressIps.length > 1 ? "s" : ""}: ${egressIps.join(", ")}` : "this server's egress IP addresses (ask your operator for them)";
  return `This key has no IP restriction; the operator requires one. In ${exchangeName}'s API management, edit the key and restrict it to ${where}, then verify again.`;
}

/** Decides the status from what the exchange reported about a key that authenticated. */
export function decideStatus(exchange: keyof typeof PROFILES, p: KeyPermissions): { status: CredentialStatus; message: string | null } {
  const name = PROFILES[exchange].label;
  if (p.withdraw) {
    return { status: "REJECTED", message: `Withdrawals are enabled on this key: disable withdrawals on this key in ${name}, then verify again.` };
  }
  if (!p.read) return { status: "REJECTED", message: `This key cannot read your account: enable reading in ${name}, then verify again.` };
  if (!p.trade && !p.futures) {
    return { status: "REJECTED", message: `Trading is off for this key: enable spot or futures trading in ${name}, then verify again.` };
  }
  return { status: "ACTIVE", message: null };
}

export async function verifyCredential(
  db: Db,
  adapter: ExchangeAdapter,
  credentialId: string,
  ctx: { actorId: string | null; meta?: RequestMeta | null; egressIps?: readonly string[]; requireIpRestriction?: boolean; jobs?: JobSink | null },
): Promise<VerificationResult> {
  const cred = await db.exchangeCredential.findUniqueOrThrow({ where: { id: credentialId } });
  const started = Date.now();
  let permissions = NO_PERMISSIONS;
  let status: CredentialStatus;
  let message: string | null = null;
  let errorKind: string | null = null;
  const warnings: string[] = [];
  try {
    await adapter.fetchBalance(cred);
    permissions = await adapter.fetchPermissions(cred);
    ({ status, message } = decideStatus(cred.exchange, permissions));
    if (status === "REJECTED") errorKind = "PERMISSION";
    else if (!permissions.ipRestricted && ctx.requireIpRestriction) {
      status = "REJECTED";
      errorKind = "IP_RESTRICTION";
      message = ipRestrictionRequired(PROFILES[cred.exchange].label, ctx.egressIps ?? []);
    } else if (!permissions.ipRestricted) warnings.push(ipWarning(ctx.egressIps ?? []));
  } catch (err) {
    if (isVaultError(err)) {
      status = "DISABLED";
      errorKind = "VAULT";
      message = err.message;
    } else if (isExchangeError(err)) {
      errorKind = err.kind;
      message = err.message;
      if (err.kind === "AUTH") status = "DISABLED";
      else if (err.kind === "PERMISSION") status = "REJECTED";
      // Temporary trouble says nothing about the key: keep its status, record the failure.
      else status = cred.status;
    } else throw err;
  }
  const ok = status === "ACTIVE" && errorKind === null;
  const durationMs = Date.now() - started;
  const exchangeName = PROFILES[cred.exchange].label;

  let after: JobSpec[] = [];
  await db.$transaction(async (tx) => {
    await tx.credentialCheck.create({
      data: {
        credentialId: cred.id,
        userId: cred.userId,
        status,
        ok,
        errorKind,
        message,
        canRead: permissions.read,
        canTrade: permissions.trade,
        canFutures: permissions.futures,
        canWithdraw: permissions.withdraw,
        ipRestricted: permissions.ipRestricted,
        durationMs,
      },
    });
    const reachedExchange = errorKind === null || errorKind === "PERMISSION" || errorKind === "IP_RESTRICTION";
    await tx.exchangeCredential.update({
      where: { id: cred.id },
      data: {
        status,
        lastError: message,
        // Absolute, not increment: the adapter's auto-disable hook may already have counted this failure.
        consecutiveFailures: ok ? 0 : cred.consecutiveFailures + 1,
        ...(reachedExchange
          ? {
              lastVerifiedAt: new Date(),
              canRead: permissions.read,
              canTrade: permissions.trade,
              canFutures: permissions.futures,
              canWithdraw: permissions.withdraw,
              ipRestricted: permissions.ipRestricted,
            }
          : {}),
      },
    });
    // The adapter's AUTH hook may have disabled (and notified) already during this very attempt.
    const wasDisabled = cred.status === "DISABLED" || (await tx.notification.count({ where: { userId: cred.userId, kind: "KEY_DISABLED", createdAt: { gte: new Date(started) } } })) > 0;
    if (status === "DISABLED" && !wasDisabled) {
      ({ after } = await notify(tx, ctx.jobs ?? null, {
        userId: cred.userId,
        kind: "KEY_DISABLED",
        message: `Your ${exchangeName} key was disabled: ${message}`,
        details: { exchange: cred.exchange, environment: cred.environment, reason: message },
      }));
    }
    await writeAudit(tx, {
      action: "key.verify",
      outcome: ok ? "SUCCESS" : "FAILURE",
      actorId: ctx.actorId,
      targetType: "credential",
      targetId: cred.id,
      meta: ctx.meta,
      details: {
        exchange: cred.exchange,
        environment: cred.environment,
        status,
        errorKind,
        permissions: { ...permissions },
        ...(ctx.requireIpRestriction ? { ipRestrictionRequired: true } : {}),
      },
    });
  });
  if (after.length) ctx.jobs?.afterCommit(after);
  return { credentialId: cred.id, status, ok, message, warnings, permissions, errorKind };
}

/** The adapter's AUTH hook: any later exchange call that the exchange refuses disables the key. */
export async function disableAfterAuthFailure(db: Db, credentialId: string, reason: string, jobs: JobSink | null = null): Promise<void> {
  let after: JobSpec[] = [];
  await db.$transaction(async (tx) => {
    const cred = await tx.exchangeCredential.findUnique({ where: { id: credentialId } });
    if (!cred) return;
    await tx.exchangeCredential.update({
      where: { id: cred.id },
      data: { status: "DISABLED", lastError: reason, consecutiveFailures: { increment: 1 } },
    });
    if (cred.status === "DISABLED") return;
    ({ after } = await notify(tx, jobs, {
      userId: cred.userId,
      kind: "KEY_DISABLED",
      message: `Your ${PROFILES[cred.exchange].label} key was disabled: ${reason}`,
      details: { exchange: cred.exchange, environment: cred.environment, reason },
    }));
    await writeAudit(tx, {
      action: "key.auto_disable",
      outcome: "FAILURE",
      actorId: null,
      actorEmail: "system",
      targetType: "credential",
      targetId: cred.id,
      details: { exchange: cred.exchange, reason },
    });
  });
  if (after.length) jobs?.afterCommit(after);
}
