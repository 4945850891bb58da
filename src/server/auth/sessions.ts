/**
 * Server-side sessions. Signing in creates a Session row; the session cookie (a next-auth JWT)
 * carries its id; every authenticated request checks the row (auth/access.ts, and the JWT callback
 * that would otherwise renew the cookie). A session ends when it is revoked (sign-out, "sign out"
 * on the sessions list, sign out everywhere, a password or 2FA change, a password reset), after
 * SESSION_IDLE_MS without use, or SESSION_ABSOLUTE_MS after sign-in, whatever its cookie says.
 */
import crypto from "node:crypto";
import type { Prisma } from "~/generated/prisma/client";
import { writeAudit } from "~/server/audit/write-audit";
import type { Db } from "~/server/db";
import type { RequestMeta } from "~/server/http/request-meta";

export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;
/** lastSeenAt is written at most this often per session. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;
/** How long the browser that changed its password or 2FA has to move to its fresh session. */
export const HANDOFF_TTL_MS = 2 * 60_000;

export type RevokeReason = "sign_out" | "user" | "sign_out_everywhere" | "password_change" | "password_reset" | "two_factor_change" | "operator";

type Tx = Db | Prisma.TransactionClient;

const SESSION_FIELDS = { id: true, userId: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true, stepUpAt: true, revokedAt: true } as const;
export type SessionRow = Prisma.SessionGetPayload<{ select: typeof SESSION_FIELDS }>;

export async function createSession(db: Tx, userId: string, meta: RequestMeta, now = new Date()): Promise<SessionRow> {
  // A sign-in is a full authentication: it counts as a step-up for the next few minutes.
  return db.session.create({
    data: { userId, ip: meta.ip, userAgent: meta.userAgent, createdAt: now, lastSeenAt: now, stepUpAt: now },
    select: SESSION_FIELDS,
  });
}

/** Why a session can no longer be used, or null while it is live. */
export function sessionEnded(s: Pick<SessionRow, "revokedAt" | "createdAt" | "lastSeenAt">, now = new Date()): "revoked" | "idle" | "expired" | null {
  if (s.revokedAt) return "revoked";
  if (now.getTime() - s.createdAt.getTime() > SESSION_ABSOLUTE_MS) return "expired";
  if (now.getTime() - s.lastSeenAt.getTime() > SESSION_IDLE_MS) return "idle";
  return null;
}

/** The live session `sessionId` of `userId`, or null; notes the use (at most once a minute). */
export async function findLiveSession(db: Db, sessionId: string | null | undefined, userId: string, now = new Date()): Promise<SessionRow | null> {
  if (!sessionId) return null;
  const s = await db.session.findUnique({ where: { id: sessionId }, select: SESSION_FIELDS });
  if (!s || s.userId !== userId || sessionEnded(s, now)) return null;
  if (now.getTime() - s.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS) {
    await db.session.updateMany({
      where: { id: s.id, lastSeenAt: { lte: new Date(now.getTime() - LAST_SEEN_RESOLUTION_MS) } },
      data: { lastSeenAt: now },
    });
  }
  return s;
}

/** The user's live sessions, most recently used first. */
export async function listLiveSessions(db: Db, userId: string, now = new Date()): Promise<SessionRow[]> {
  const rows = await db.session.findMany({
    where: {
      userId,
      revokedAt: null,
      createdAt: { gt: new Date(now.getTime() - SESSION_ABSOLUTE_MS) },
      lastSeenAt: { gt: new Date(now.getTime() - SESSION_IDLE_MS) },
    },
    orderBy: { lastSeenAt: "desc" },
    take: 100,
    select: SESSION_FIELDS,
  });
  return rows;
}

/** Ends every live session of the user except `keep` (null: all of them). Returns how many. */
export async function revokeSessions(db: Tx, userId: string, reason: RevokeReason, keep: string | null = null, now = new Date()): Promise<number> {
  const r = await db.session.updateMany({
    where: { userId, revokedAt: null, ...(keep ? { id: { not: keep } } : {}) },
    data: { revokedAt: now, revokedReason: reason },
  });
  return r.count;
}

/**
 * A password or 2FA change: ends every session of the user, the current one included, since a copy
 * of its cookie is as good as the original. The current session gets a single-use handoff (only
 * its SHA-256 is stored; the token goes back in the response to the browser that made the change)
 * with which that browser moves to a fresh session (claimSessionHandoff, through next-auth's
 * session update). Returns how many other sessions were signed out and the handoff, if any.
 */
export async function endSessionsWithHandoff(
  db: Tx,
  userId: string,
  reason: RevokeReason,
  currentSessionId: string | null,
  now = new Date(),
): Promise<{ otherSessionsSignedOut: number; handoff: string | null }> {
  const ended = await revokeSessions(db, userId, reason, null, now);
  if (!currentSessionId) return { otherSessionsSignedOut: ended, handoff: null };
  const handoff = crypto.randomBytes(32).toString("base64url");
  const r = await db.session.updateMany({
    where: { id: currentSessionId, userId },
    data: { handoffHash: hashHandoff(handoff), handoffExpiresAt: new Date(now.getTime() + HANDOFF_TTL_MS) },
  });
  return { otherSessionsSignedOut: Math.max(0, ended - r.count), handoff: r.count ? handoff : null };
}

function hashHandoff(handoff: string): string {
  return crypto.createHash("sha256").update(handoff, "utf8").digest("hex");
}

/**
 * Spends a handoff presented with the cookie of the session it was issued to: a fresh session for
 * the same user and browser, or null (unknown, spent, expired, another session's or user's).
 */
export async function claimSessionHandoff(db: Db, userId: string, fromSessionId: string | undefined, handoff: string, now = new Date()): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{40,60}$/.test(handoff)) return null;
  return db.$transaction(async (tx) => {
    const old = await tx.session.findUnique({ where: { handoffHash: hashHandoff(handoff) }, select: { id: true, userId: true, ip: true, userAgent: true, handoffExpiresAt: true } });
    if (!old || old.userId !== userId || old.id !== fromSessionId || !old.handoffExpiresAt || old.handoffExpiresAt <= now) return null;
    const spent = await tx.session.updateMany({ where: { id: old.id, handoffHash: hashHandoff(handoff) }, data: { handoffHash: null, handoffExpiresAt: null } });
    if (spent.count !== 1) return null;
    const fresh = await tx.session.create({ data: { userId, ip: old.ip, userAgent: old.userAgent, createdAt: now, lastSeenAt: now, stepUpAt: now }, select: { id: true } });
    return fresh.id;
  });
}

/** Ends one of the user's own sessions (another user's id is simply not found). */
export async function revokeOwnSession(
  db: Db,
  actor: { userId: string; meta: RequestMeta },
  sessionId: string,
  reason: RevokeReason = "user",
): Promise<{ revoked: boolean }> {
  return db.$transaction(async (tx) => {
    const r = await tx.session.updateMany({ where: { id: sessionId, userId: actor.userId, revokedAt: null }, data: { revokedAt: new Date(), revokedReason: reason } });
    if (r.count > 0) {
      await writeAudit(tx, {
        action: "auth.session_revoke",
        outcome: "SUCCESS",
        actorId: actor.userId,
        targetType: "session",
        targetId: sessionId,
        meta: actor.meta,
        details: { reason },
      });
    }
    return { revoked: r.count > 0 };
  });
}

/** "Sign out everywhere": every session of the user, this one included. */
export async function revokeAllOwnSessions(db: Db, actor: { userId: string; meta: RequestMeta }): Promise<{ revoked: number }> {
  return db.$transaction(async (tx) => {
    const revoked = await revokeSessions(tx, actor.userId, "sign_out_everywhere");
    await writeAudit(tx, {
      action: "auth.session_revoke",
      outcome: "SUCCESS",
      actorId: actor.userId,
      targetType: "user",
      targetId: actor.userId,
      meta: actor.meta,
      details: { reason: "sign_out_everywhere", sessions: revoked },
    });
    return { revoked };
  });
}

/** Whether this user has signed in before from this IP and browser (for the "new sign-in" email). */
export async function seenBefore(db: Db, userId: string, meta: RequestMeta, exceptSessionId: string): Promise<{ firstSignIn: boolean; known: boolean }> {
  const [any, same] = await Promise.all([
    db.session.findFirst({ where: { userId, id: { not: exceptSessionId } }, select: { id: true } }),
    db.session.findFirst({ where: { userId, id: { not: exceptSessionId }, ip: meta.ip, userAgent: meta.userAgent }, select: { id: true } }),
  ]);
  return { firstSignIn: !any, known: Boolean(same) };
}
