/**
 * The in-app satisfaction prompt (#18): when to ask, and storing an answer or a "Not now".
 *
 * Asked after a user's first filled orders, then at most once per PROMPT_INTERVAL_DAYS (an answer
 * and a dismissal both count as "asked"). Never during a failure streak: the dashboard's "needs
 * attention" list already shows what went wrong, and asking "how likely are you to recommend us"
 * on top of failing orders measures the outage, not the product. The prompt comes back once the
 * streak is over (a later order succeeds, or the disabled key is a day old).
 *
 * answer() and dismiss() refuse when no prompt is due, so a script cannot stuff scores.
 */
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { writeAudit } from "~/server/audit/write-audit";
import { ATTENTION_WINDOW_MS } from "~/server/dashboard/dashboard-overview";
import type { Db } from "~/server/db";
import { ATTEMPTED, ES, FAILED_ATTEMPT, isFailedAttempt } from "~/server/engine/execution-state";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";

/** "After a user's first filled orders": one fill may be luck or a test; three is using the product. */
export const FILLED_ORDERS_BEFORE_PROMPT = 3;
/** "At most monthly". */
export const PROMPT_INTERVAL_DAYS = 30;
/** This many latest finished orders all failed or refused is a failure streak. */
export const FAILURE_STREAK = 3;
export const MAX_COMMENT = 1000;
const DAY_MS = 86_400_000;

export const answerInput = z.object({
  score: z.number({ error: "Pick a score from 0 to 10." }).int("Pick a whole number from 0 to 10.").min(0, "Pick a score from 0 to 10.").max(10, "Pick a score from 0 to 10."),
  comment: z
    .string()
    .trim()
    .max(MAX_COMMENT, `Keep the comment to ${MAX_COMMENT} characters or fewer.`)
    .optional()
    .transform((c) => (c ? c : undefined)),
});
export type AnswerInput = z.input<typeof answerInput>;

export type PromptDecision = { show: true } | { show: false; why: string };

type Reader = Pick<Db, "execution" | "exchangeCredential" | "satisfactionResponse">;
type Tx = Prisma.TransactionClient;

export interface SatisfactionActor {
  userId: string;
  meta?: RequestMeta | null;
}

/** Whether the prompt is due for this user at `now`, and if not, why (for tests and support). */
export async function promptFor(db: Reader, userId: string, now = new Date()): Promise<PromptDecision> {
  const last = await db.satisfactionResponse.findFirst({ where: { userId }, orderBy: { createdAt: "desc" }, select: { createdAt: true, dismissed: true } });
  if (last && now.getTime() - last.createdAt.getTime() < PROMPT_INTERVAL_DAYS * DAY_MS)
    return { show: false, why: `${last.dismissed ? "Dismissed" : "Answered"} less than ${PROMPT_INTERVAL_DAYS} days ago.` };

  const filled = await db.execution.findMany({ where: { userId, status: ES.FILLED }, select: { id: true }, take: FILLED_ORDERS_BEFORE_PROMPT });
  if (filled.length < FILLED_ORDERS_BEFORE_PROMPT) return { show: false, why: `Fewer than ${FILLED_ORDERS_BEFORE_PROMPT} filled orders so far.` };

  const streak = await failureStreak(db, userId, now);
  if (streak) return { show: false, why: streak };
  return { show: true };
}

/**
 * Why the user is in the middle of a failure streak, or null. Uses the dashboard's own notions:
 * a failed attempt (execution-state FAILED_ATTEMPT, what its ORDERS_FAILED item counts) and a
 * DISABLED key (its KEY_DISABLED item), the latter only within the dashboard's attention window.
 */
export async function failureStreak(db: Pick<Db, "execution" | "exchangeCredential">, userId: string, now = new Date()): Promise<string | null> {
  const latest = await db.execution.findMany({
    where: { userId, status: { in: [...ATTEMPTED] }, queuedAt: { lte: now } },
    orderBy: [{ queuedAt: "desc" }, { id: "desc" }],
    select: { status: true },
    take: FAILURE_STREAK,
  });
  if (latest.length === FAILURE_STREAK && latest.every((e) => isFailedAttempt(e.status)))
    return `The latest ${FAILURE_STREAK} orders failed or were rejected (${FAILED_ATTEMPT.join(" or ")}).`;
  const disabled = await db.exchangeCredential.count({ where: { userId, status: "DISABLED", updatedAt: { gte: new Date(now.getTime() - ATTENTION_WINDOW_MS), lte: now } } });
  if (disabled > 0) return "An exchange key was disabled in the last 24 hours.";
  return null;
}

/** Stores a 0-10 score and an optional comment (trimmed), with the user's tier now. */
export async function answer(db: Db, actor: SatisfactionActor, raw: unknown, now = new Date()): Promise<{ id: string }> {
  const parsed = answerInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("BAD_INPUT", issue.message, { field: issue.path.join(".") || "score" });
  }
  const { score, comment } = parsed.data;
  return record(db, actor, now, { score, comment: comment ?? null, dismissed: false });
}

/** "Not now": counts as asked, so the prompt stays away for PROMPT_INTERVAL_DAYS. */
export async function dismiss(db: Db, actor: SatisfactionActor, now = new Date()): Promise<{ id: string }> {
  return record(db, actor, now, { score: null, comment: null, dismissed: true });
}

async function record(db: Db, actor: SatisfactionActor, now: Date, row: { score: number | null; comment: string | null; dismissed: boolean }) {
  return db.$transaction(async (tx: Tx) => {
    // Lock the user's row: two answers sent at once cannot both find the prompt due.
    const users = await tx.$queryRaw<{ tier: "PRO" | "FLEX" | "TRIAL" }[]>`SELECT tier::text AS tier FROM "User" WHERE id = ${actor.userId} FOR UPDATE`;
    const user = users[0];
    if (!user) throw new AppError("NOT_FOUND", "No such account.", { field: "userId" });
    const due = await promptFor(tx, actor.userId, now);
    if (!due.show) throw new AppError("CONFLICT", `No satisfaction question is waiting for you: ${due.why}`, { details: { why: due.why } });
    const created = await tx.satisfactionResponse.create({ data: { userId: actor.userId, tier: user.tier, createdAt: now, ...row }, select: { id: true } });
    await writeAudit(tx, {
      action: row.dismissed ? "satisfaction.dismiss" : "satisfaction.answer",
      outcome: "SUCCESS",
      actorId: actor.userId,
      targetType: "satisfaction_response",
      targetId: created.id,
      meta: actor.meta ?? null,
      // The comment is the user's words: only its length goes into the tamper-evident log.
      details: row.dismissed ? { tier: user.tier } : { score: row.score, commentLength: row.comment?.length ?? 0, tier: user.tier },
    });
    return created;
  });
}
