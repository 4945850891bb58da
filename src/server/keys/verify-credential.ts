/**
 * Key verification: read the balance and the key's own permissions from the exchange, decide
 * the status, and record the attempt (history row, credential, audit) in one transaction.
 * ACTIVE = can read and trade, cannot withdraw. REJECTED = withdrawals on, or no trading.
 * DISABLED = the exchange refused the key (or the vault can no longer open it).
 * With the operator's REQUIRE_KEY_IP_RESTRICTION, a key the exchange reports as usable from any IP
 * is REJECTED too (errorKind IP_RESTRICTION): a leaked key then trades only from this server.
 * Also stored: the quote-currency balance read, the key's expiry and IP binding as the exchange
 * reports them (never the secret); the permissions become unknown when the key is refused.
 */
import type { CredentialStatus } from "~/generated/prisma/enums";
import { writeAudit } from "~/server/audit/write-audit";
import type { Db } from "~/server/db";
import type { ExchangeAdapter, KeyInfo, KeyPermissions } from "~/server/exchanges/exchange-adapter";
import { isExchangeError } from "~/server/exchanges/map-error";
import { PROFILES } from "~/server/exchanges/profiles";
import type { RequestMeta } from "~/server/http/request-meta";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec } from "~/server/jobs/job-types";
import { FIND_EGRESS_IPS } from "~/server/keys/egress-ips";
import { expiryMessage, expiryWarningDue } from "~/server/keys/expiry-warnings";
import { notifyKeyDisabled } from "~/server/keys/key-disabled-notice";
import { isVaultError } from "~/server/vault/secret-box";

export interface VerificationResult {
  credentialId: string;
  status: CredentialStatus;
  ok: boolean;
  message: string | null;
  warnings: string[];
  permissions: KeyPermissions;
  errorKind: string | null;
  /** The status before this verification. */
  previousStatus: CredentialStatus;
  /** What the exchange reported about the key; null when it could not be read. */
  keyInfo: KeyInfo | null;
}

/** The currency whose balance a verification records (both exchanges' quote currency for KeyRelay's markets). */
export const BALANCE_CURRENCY = "USDT";

export interface VerifyContext {
  actorId: string | null;
  meta?: RequestMeta | null;
  egressIps?: readonly string[];
  requireIpRestriction?: boolean;
  /** "always" (a user asked) or "on_change": the scheduled re-verification audits only a changed outcome. */
  audit?: "always" | "on_change";
  /** Who asked, for the audit row: the key-health job says "key_health". */
  source?: string;
  /** Where a KEY_DISABLED notice's deliveries are queued (null: the bell only). */
  jobs?: JobSink | null;
}

const NO_PERMISSIONS: KeyPermissions = { read: false, trade: false, futures: false, withdraw: false, ipRestricted: false };

export function ipWarning(egressIps: readonly string[]): string {
  return egressIps.length
    ? `This key is not restricted to IP addresses. Restrict it to this server's IPs: ${egressIps.join(", ")}.`
    : `This key is not restricted to IP addresses. Restrict it to this server's public (egress) IPs in the exchange's API settings; ${FIND_EGRESS_IPS}`;
}

/** The refusal when the operator requires an IP restriction; names the fix, holds no secret. */
export function ipRestrictionRequired(exchangeName: string, egressIps: readonly string[]): string {
  const where = egressIps.length ? `this server's IP${egressIps.length > 1 ? "s" : ""}: ${egressIps.join(", ")}` : `this server's public (egress) IP addresses (${FIND_EGRESS_IPS.replace(/\.$/, "")})`;
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
  ctx: VerifyContext,
): Promise<VerificationResult> {
  const cred = await db.exchangeCredential.findUniqueOrThrow({ where: { id: credentialId } });
  const started = Date.now();
  let permissions = NO_PERMISSIONS;
  let status: CredentialStatus;
  let message: string | null = null;
  let errorKind: string | null = null;
  let keyInfo: KeyInfo | null = null;
  let balance: string | null = null;
  const warnings: string[] = [];
  try {
    const b = await adapter.fetchBalance(cred);
    balance = b.total[BALANCE_CURRENCY] ?? "0";
    keyInfo = await adapter.fetchKeyInfo(cred);
    permissions = keyInfo.permissions;
    ({ status, message } = decideStatus(cred.exchange, permissions));
    if (status === "REJECTED") errorKind = "PERMISSION";
    else if (!permissions.ipRestricted && ctx.requireIpRestriction) {
      status = "REJECTED";
      errorKind = "IP_RESTRICTION";
      message = ipRestrictionRequired(PROFILES[cred.exchange].label, ctx.egressIps ?? []);
    } else if (!permissions.ipRestricted) warnings.push(ipWarning(ctx.egressIps ?? []));
    // Expiring within 14 days: say so now, not only in the scheduled warnings.
    const soon = status === "ACTIVE" && keyInfo.expiresAt ? expiryWarningDue(keyInfo.expiresAt, new Date(), []) : null;
    if (soon && keyInfo.expiresAt) warnings.push(expiryMessage({ ...cred, expiresAt: keyInfo.expiresAt, ipRestricted: permissions.ipRestricted }, soon.daysLeft, ctx.egressIps ?? []));
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
    const now = new Date();
    // A refused key's permissions are unknown now (not "off"); temporary trouble leaves what was read before.
    const refused = status === "DISABLED" || (errorKind === "PERMISSION" && keyInfo === null);
    const expiryChanged = keyInfo !== null && (keyInfo.expiresAt?.getTime() ?? null) !== (cred.expiresAt?.getTime() ?? null);
    await tx.exchangeCredential.update({
      where: { id: cred.id },
      data: {
        status,
        lastError: message,
        lastErrorKind: errorKind,
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
        ...(keyInfo !== null
          ? {
              permissionsReadAt: now,
              expiresAt: keyInfo.expiresAt,
              boundIps: keyInfo.boundIps,
              // A new expiry (the key was renewed or replaced) gets its own 14 / 3 / 1-day warnings.
              ...(expiryChanged ? { expiryWarnings: [] } : {}),
            }
          : refused
            ? { permissionsReadAt: null }
            : {}),
        ...(balance !== null ? { balance, balanceCurrency: BALANCE_CURRENCY, balanceAt: now } : {}),
      },
    });
    // The adapter's AUTH hook may have disabled (and notified) already during this very attempt.
    const wasDisabled = cred.status === "DISABLED" || (await tx.notification.count({ where: { userId: cred.userId, kind: "KEY_DISABLED", createdAt: { gte: new Date(started) } } })) > 0;
    if (status === "DISABLED" && !wasDisabled) ({ after } = await notifyKeyDisabled(tx, ctx.jobs ?? null, cred, message ?? `${exchangeName} refused the key.`));
    const changed = status !== cred.status || (message === null) !== (cred.lastError === null);
    if ((ctx.audit ?? "always") === "on_change" && !changed) return;
    await writeAudit(tx, {
      action: "key.verify",
      outcome: ok ? "SUCCESS" : "FAILURE",
      actorId: ctx.actorId,
      ...(ctx.actorId === null ? { actorEmail: "system" } : {}),
      targetType: "credential",
      targetId: cred.id,
      meta: ctx.meta,
      details: {
        exchange: cred.exchange,
        environment: cred.environment,
        ...(ctx.source ? { source: ctx.source, previousStatus: cred.status } : {}),
        status,
        errorKind,
        permissions: { ...permissions },
        ...(ctx.requireIpRestriction ? { ipRestrictionRequired: true } : {}),
      },
    });
  });
  if (after.length) ctx.jobs?.afterCommit(after);
  return { credentialId: cred.id, status, ok, message, warnings, permissions, errorKind, previousStatus: cred.status, keyInfo };
}

/** The adapter's AUTH hook: any later exchange call that the exchange refuses disables the key. */
export async function disableAfterAuthFailure(db: Db, credentialId: string, reason: string, jobs: JobSink | null = null): Promise<void> {
  let after: JobSpec[] = [];
  await db.$transaction(async (tx) => {
    const cred = await tx.exchangeCredential.findUnique({ where: { id: credentialId } });
    if (!cred) return;
    await tx.exchangeCredential.update({
      where: { id: cred.id },
      data: { status: "DISABLED", lastError: reason, lastErrorKind: "AUTH", consecutiveFailures: { increment: 1 } },
    });
    if (cred.status === "DISABLED") return;
    ({ after } = await notifyKeyDisabled(tx, jobs, cred, reason));
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
