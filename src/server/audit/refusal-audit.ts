/**
 * Anonymous refusals (a missing or forged bearer token, an unauthenticated call), audited without
 * letting anyone who can reach the server append one chained row per request: every row is taken
 * under the chain's lock, so 200 bad tokens used to be 200 rows and 200 waits on that lock.
 *
 * Per (action, outcome, target, IP, details) the first refusal of a window is written at once, as
 * before; the rest of the window are counted in memory and written as one row when the window ends
 * (details gain `count`, `from`, `to`). Nothing is dropped: a row stands for `details.count` refusals,
 * or one when it has no count. Pending counts are written by a timer, by the next refusal after the
 * window, and by closeRoot() at shutdown. Distinct keys are capped; beyond the cap, refusals share
 * one bucket per action and reason (its row has no IP), so memory stays bounded and counts exact.
 *
 * The pending counts are process-wide state, kept in the process registry (composition.ts).
 */
import { rootResources } from "~/server/composition";
import type { AuditClient, AuditEntry } from "~/server/audit/write-audit";
import { writeAudit } from "~/server/audit/write-audit";
import { logger } from "~/server/logger";

export const REFUSAL_WINDOW_MS = 60_000;
export const REFUSAL_MAX_KEYS = 10_000;

interface Pending {
  db: AuditClient;
  entry: AuditEntry;
  /** When the window opened (its first refusal, written at once). */
  opened: number;
  /** Refusals after the first, their first and last time. */
  extra: number;
  from: Date | null;
  to: Date | null;
}

export interface RefusalState {
  entries: Map<string, Pending>;
  timer: ReturnType<typeof setInterval> | null;
  windowMs: number;
  maxKeys: number;
}

function state(): RefusalState {
  const root = rootResources();
  return (root.auditRefusals ??= { entries: new Map(), timer: null, windowMs: REFUSAL_WINDOW_MS, maxKeys: REFUSAL_MAX_KEYS });
}

/** Changes the window and key cap (tests); pending counts are kept. */
export function configureRefusals(settings: { windowMs?: number; maxKeys?: number }): void {
  const s = state();
  if (settings.windowMs !== undefined) s.windowMs = settings.windowMs;
  if (settings.maxKeys !== undefined) s.maxKeys = settings.maxKeys;
}

function keyOf(e: AuditEntry, ip: string | null): string {
  return JSON.stringify([e.action, e.outcome, e.targetType ?? null, e.targetId ?? null, ip, e.details ?? null]);
}

/** Audits one anonymous refusal: at once if it opens a window, else counted into the window's row. */
export async function writeAnonymousRefusal(db: AuditClient, e: AuditEntry, now: Date = new Date()): Promise<void> {
  const s = state();
  let key = keyOf(e, e.meta?.ip ?? null);
  const overflow = !s.entries.has(key) && s.entries.size >= s.maxKeys;
  if (overflow) key = keyOf(e, "*");
  const current = s.entries.get(key);
  let closed: Pending | undefined;
  if (current && now.getTime() - current.opened < s.windowMs) {
    current.extra++;
    current.from ??= now;
    current.to = now;
    return;
  }
  if (current) {
    s.entries.delete(key);
    closed = current;
  }
  // Decided synchronously: a concurrent refusal with the same key finds this window open.
  s.entries.set(key, { db, entry: overflow ? { ...e, meta: null } : e, opened: now.getTime(), extra: 0, from: null, to: null });
  s.timer ??= setInterval(() => void sweep(), Math.max(1_000, s.windowMs)).unref();
  if (closed) await writeSummary(closed);
  await writeAudit(db, e);
}

async function writeSummary(p: Pending): Promise<void> {
  if (p.extra === 0) return;
  const base = p.entry.details && typeof p.entry.details === "object" && !Array.isArray(p.entry.details) ? p.entry.details : { value: p.entry.details ?? null };
  try {
    await writeAudit(p.db, {
      ...p.entry,
      meta: p.entry.meta ? { ip: p.entry.meta.ip, userAgent: null } : null,
      details: { ...base, count: p.extra, from: p.from!.toISOString(), to: p.to!.toISOString() },
    });
  } catch (err) {
    // The database is gone (shutdown, a dropped test database): say what is lost, never silently.
    logger.warn({ err, action: p.entry.action, ip: p.entry.meta?.ip ?? null, count: p.extra }, "could not write counted refusals to the audit log");
  }
}

/** Writes the rows of windows that have ended. */
async function sweep(): Promise<void> {
  const s = state();
  const now = Date.now();
  const ended = [...s.entries].filter(([, p]) => now - p.opened >= s.windowMs);
  for (const [key] of ended) s.entries.delete(key);
  if (s.entries.size === 0 && s.timer) {
    clearInterval(s.timer);
    s.timer = null;
  }
  for (const [, p] of ended) await writeSummary(p);
}

/** Writes every pending count now (shutdown, tests) and closes all windows. */
export async function flushRefusals(): Promise<void> {
  const s = rootResources().auditRefusals;
  if (!s) return;
  const all = [...s.entries.values()];
  s.entries.clear();
  if (s.timer) clearInterval(s.timer);
  s.timer = null;
  for (const p of all) await writeSummary(p);
}
