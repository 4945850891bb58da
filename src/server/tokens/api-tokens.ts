/**
 * Personal API tokens: create (the token is returned once, only sha256(jti) is stored), list, revoke.
 * Each create and revoke writes its audit row in the same transaction as the change.
 */
import { z } from "zod";
import { writeAudit } from "~/server/audit/write-audit";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import { logger } from "~/server/logger";
import { notifySecurityEvent } from "~/server/mail/security-notices";
import { hashJti, newJti, signApiToken, tokenSecretFromEnv, type TokenOptions } from "~/server/tokens/token-jwt";

export const TOKEN_NAME_MAX = 60;
export const TOKEN_DAYS_MIN = 1;
export const TOKEN_DAYS_MAX = 365;
export const TOKEN_DAYS_DEFAULT = 90;
const DAY_MS = 86_400_000;

export const tokenNameSchema = z
  .string({ error: "Give the token a name." })
  .trim()
  .min(1, "Give the token a name, e.g. the script that will use it.")
  .max(TOKEN_NAME_MAX, `Use at most ${TOKEN_NAME_MAX} characters for the name.`);

export const tokenDaysSchema = z
  .number({ error: `Choose an expiry between ${TOKEN_DAYS_MIN} and ${TOKEN_DAYS_MAX} days.` })
  .int(`Choose a whole number of days between ${TOKEN_DAYS_MIN} and ${TOKEN_DAYS_MAX}.`)
  .min(TOKEN_DAYS_MIN, `Choose an expiry of at least ${TOKEN_DAYS_MIN} day.`)
  .max(TOKEN_DAYS_MAX, `Choose an expiry of at most ${TOKEN_DAYS_MAX} days.`);

export const createApiTokenInput = z.object({
  name: tokenNameSchema,
  days: tokenDaysSchema.default(TOKEN_DAYS_DEFAULT),
});

export type ApiTokenStatus = "active" | "expired" | "revoked";

export interface ApiTokenSummary {
  id: string;
  name: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  status: ApiTokenStatus;
}

export interface CreatedApiToken {
  /** The bearer token. Returned here once and never stored, logged or shown again. */
  token: string;
  id: string;
  name: string;
  expiresAt: Date;
}

/** Who did it, when not the token's owner (the operator CLI). */
export interface AuditActor {
  id: string | null;
  email: string;
}

const summarySelect = { id: true, name: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true } as const;

type SummaryRow = Omit<ApiTokenSummary, "status">;

function toSummary(row: SummaryRow, now: Date): ApiTokenSummary {
  const status: ApiTokenStatus = row.revokedAt ? "revoked" : row.expiresAt.getTime() <= now.getTime() ? "expired" : "active";
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    status,
  };
}

export async function createApiToken(
  db: Db,
  input: { userId: string; name: string; days?: number },
  meta: RequestMeta,
  opts: TokenOptions & { actor?: AuditActor } = {},
): Promise<CreatedApiToken> {
  const parsed = createApiTokenInput.safeParse({ name: input.name, days: input.days });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("BAD_INPUT", issue?.message ?? "Invalid token settings.", { field: String(issue?.path[0] ?? "name") });
  }
  const { name, days } = parsed.data;
  const now = opts.now ?? new Date();
  // Whole seconds, so the stored expiry is exactly the token's exp claim.
  const expiresAt = new Date(Math.floor((now.getTime() + days * DAY_MS) / 1000) * 1000);
  const jti = newJti();
  const token = await signApiToken(opts.secret ?? tokenSecretFromEnv(), { userId: input.userId, jti, issuedAt: now, expiresAt });

  const row = await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true, email: true, disabledAt: true } });
    if (!user) throw new AppError("NOT_FOUND", "No such user.");
    if (user.disabledAt) throw new AppError("FORBIDDEN", "This account is disabled; it cannot create API tokens.");
    const created = await tx.apiToken.create({
      data: { userId: user.id, name, jtiHash: hashJti(jti), expiresAt, createdAt: now },
      select: { id: true, name: true, expiresAt: true },
    });
    await writeAudit(tx, {
      action: "api_token.create",
      outcome: "SUCCESS",
      actorId: opts.actor ? opts.actor.id : user.id,
      actorEmail: opts.actor ? opts.actor.email : user.email,
      targetType: "api_token",
      targetId: created.id,
      meta,
      details: { ownerId: user.id, name, days, expiresAt: expiresAt.toISOString() },
    });
    return created;
  });
  logger.info({ userId: input.userId, tokenId: row.id, expiresAt: row.expiresAt.toISOString() }, "api token created");
  notifySecurityEvent(db, input.userId, { kind: "api_token_created", name: row.name, expiresAt: row.expiresAt });
  return { token, id: row.id, name: row.name, expiresAt: row.expiresAt };
}

/** The user's tokens, newest first. No secret-derived field (jtiHash) is ever selected. */
export async function listApiTokens(db: Db, userId: string, opts: { now?: Date } = {}): Promise<ApiTokenSummary[]> {
  const now = opts.now ?? new Date();
  const rows = await db.apiToken.findMany({
    where: { userId },
    select: summarySelect,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
  });
  return rows.map((r) => toSummary(r, now));
}

/**
 * Revokes one of the user's own tokens. Someone else's token id gets NOT_FOUND, exactly like an
 * id that does not exist, so ids cannot be probed. Revoking a revoked token is a no-op.
 */
export async function revokeApiToken(
  db: Db,
  input: { userId: string; tokenId: string },
  meta: RequestMeta,
  opts: { now?: Date } = {},
): Promise<ApiTokenSummary> {
  const now = opts.now ?? new Date();
  const result = await db.$transaction(async (tx) => {
    const existing = await tx.apiToken.findFirst({
      where: { id: input.tokenId, userId: input.userId },
      select: { ...summarySelect, user: { select: { email: true } } },
    });
    if (!existing) throw new AppError("NOT_FOUND", "No such API token.", { field: "tokenId" });
    const { user, ...row } = existing;
    if (row.revokedAt) return { row, changed: false };
    // Conditional update: of two concurrent revokes only one records the change.
    const { count } = await tx.apiToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) return { row: await tx.apiToken.findUniqueOrThrow({ where: { id: row.id }, select: summarySelect }), changed: false };
    await writeAudit(tx, {
      action: "api_token.revoke",
      outcome: "SUCCESS",
      actorId: input.userId,
      actorEmail: user.email,
      targetType: "api_token",
      targetId: row.id,
      meta,
      details: { name: row.name },
    });
    return { row: { ...row, revokedAt: now }, changed: true };
  });
  if (result.changed) logger.info({ userId: input.userId, tokenId: input.tokenId }, "api token revoked");
  return toSummary(result.row, now);
}
