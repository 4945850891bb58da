/**
 * Authenticates `Authorization: Bearer <token>` for the REST API. Every failure throws
 * AppError("UNAUTHORIZED") with a message saying what to do, and writes an "auth.bearer" DENIED
 * audit row with the reason (never the token); refusals with no account behind them are counted
 * per IP and minute (audit/refusal-audit.ts). lastUsedAt is written at most once a minute.
 */
import type { Db } from "~/server/db";
import { writeAnonymousRefusal } from "~/server/audit/refusal-audit";
import { writeAudit } from "~/server/audit/write-audit";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import { logger } from "~/server/logger";
import { hashJti, tokenSecretFromEnv, verifyApiToken, type TokenOptions } from "~/server/tokens/token-jwt";

export type BearerFailure =
  | "missing_header"
  | "malformed_token"
  | "bad_signature"
  | "expired"
  | "revoked"
  | "unknown_token"
  | "user_disabled";

export const LAST_USED_RESOLUTION_MS = 60_000;
const BEARER = /^Bearer +([^\s]+)\s*$/i;

export function bearerFailureMessage(reason: BearerFailure, expiresAt?: Date): string {
  switch (reason) {
    case "missing_header":
      return "Send Authorization: Bearer <token>";
    case "malformed_token":
      return "This is not a valid KeyRelay API token; send the whole token exactly as it was shown when you created it.";
    case "bad_signature":
      return "This API token's signature is invalid (altered, or issued by another server); create a new one in Settings.";
    case "expired":
      return `This API token expired on ${expiresAt ? formatUtc(expiresAt) : "an earlier date"}; create a new one in Settings`;
    case "revoked":
      return "This API token was revoked";
    case "unknown_token":
      return "This API token is not known to this server; create a new one in Settings.";
    case "user_disabled":
      return "The account this API token belongs to is disabled.";
  }
}

function formatUtc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export async function authenticateBearer(
  db: Db,
  authorization: string | null | undefined,
  meta: RequestMeta,
  opts: TokenOptions = {},
): Promise<{ userId: string; tokenId: string }> {
  const now = opts.now ?? new Date();

  async function deny(
    reason: BearerFailure,
    who: { userId?: string; email?: string; tokenId?: string; expiresAt?: Date } = {},
  ): Promise<never> {
    // No account behind it (missing, malformed or forged token): counted per IP and window, not one chained row each.
    const write = who.userId ? writeAudit : writeAnonymousRefusal;
    await write(db, {
      action: "auth.bearer",
      outcome: "DENIED",
      actorId: who.userId ?? null,
      actorEmail: who.email ?? null,
      targetType: who.tokenId ? "api_token" : null,
      targetId: who.tokenId ?? null,
      meta,
      details: { reason },
    });
    logger.info({ reason, userId: who.userId, tokenId: who.tokenId, ip: meta.ip }, "bearer authentication denied");
    throw new AppError("UNAUTHORIZED", bearerFailureMessage(reason, who.expiresAt), { details: { reason } });
  }

  const match = authorization ? BEARER.exec(authorization.trim()) : null;
  if (!match?.[1]) return deny("missing_header");

  const verified = await verifyApiToken(opts.secret ?? tokenSecretFromEnv(), match[1], now);
  if (!verified.ok) {
    if (verified.reason === "expired") return deny("expired", { userId: verified.userId, expiresAt: verified.expiresAt });
    // Claims of a token with a bad signature are attacker-chosen: record none of them.
    return deny(verified.reason === "bad_signature" ? "bad_signature" : "malformed_token");
  }

  const row = await db.apiToken.findUnique({
    where: { jtiHash: hashJti(verified.jti) },
    select: { id: true, userId: true, revokedAt: true, lastUsedAt: true, user: { select: { email: true, disabledAt: true } } },
  });
  // A signed token whose row is gone (database restored, user deleted) or belongs to someone else.
  if (!row || row.userId !== verified.userId) return deny("unknown_token", { userId: verified.userId });
  const who = { userId: row.userId, email: row.user.email, tokenId: row.id };
  if (row.revokedAt) return deny("revoked", who);
  if (row.user.disabledAt) return deny("user_disabled", who);

  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so concurrent requests in the same minute write once between them.
    await db.apiToken.updateMany({
      where: {
        id: row.id,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }],
      },
      data: { lastUsedAt: now },
    });
  }
  return { userId: row.userId, tokenId: row.id };
}
