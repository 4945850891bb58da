/**
 * The one way anything tells a user something: inside the producer's transaction, the bell's row
 * and one delivery (PENDING) per enabled channel that wants this kind of event, plus the jobs that
 * send them. The jobs commit with the rows (PostgreSQL queue) or are handed over after commit
 * (in-process queue): callers pass the returned `after` to `jobs.afterCommit` once committed.
 * Sending happens later, in the deliver_notification job: a slow or broken channel never holds the
 * producer's transaction, and never blocks trading or another channel.
 *
 * notifyMany does a whole batch in a fixed number of statements (a flushed batch of orders, every
 * subscriber of a rejected signal), whatever its size.
 */
import type { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/db";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec, SqlExecutor } from "~/server/jobs/job-types";
import { ACCOUNT_EMAIL_TARGET, ADMIN_DEFAULT_EVENTS, DEFAULT_CHANNEL_EVENTS, DELIVERY_MAX_ATTEMPTS, type NotificationKind } from "~/server/notifications/events";

export type NotifyTx = Pick<Db, "notification" | "notificationChannel" | "notificationDelivery"> & SqlExecutor;

export interface NotifyInput {
  userId: string;
  kind: NotificationKind;
  message: string;
  /** Structured fields for webhooks (symbol, side, status, reason, ...). Never a secret. */
  details?: Record<string, string | number | boolean | null>;
}

/** After the delivery rows: the job list to hand to `jobs.afterCommit` (empty with the PostgreSQL queue's addInTx). */
export interface Notified {
  notificationIds: string[];
  after: JobSpec[];
}

/** Below graphile-worker's order priorities (0-2) and drift checks (10): trading goes first. */
export const NOTIFY_PRIORITY = 20;

export const deliverJob = (deliveryId: string): JobSpec => ({
  task: "deliver_notification",
  payload: { deliveryId },
  priority: NOTIFY_PRIORITY,
  jobKey: `notify:${deliveryId}`,
  maxAttempts: DELIVERY_MAX_ATTEMPTS,
});

export async function notify(tx: NotifyTx, jobs: JobSink | null, input: NotifyInput): Promise<Notified> {
  return notifyMany(tx, jobs, [input]);
}

export async function notifyMany(tx: NotifyTx, jobs: JobSink | null, inputs: NotifyInput[]): Promise<Notified> {
  if (inputs.length === 0) return { notificationIds: [], after: [] };
  const rows = await tx.notification.createManyAndReturn({
    data: inputs.map((n) => ({ userId: n.userId, kind: n.kind, message: n.message, details: (n.details ?? undefined) as Prisma.InputJsonValue | undefined })),
    select: { id: true, userId: true, kind: true },
  });
  return queueDeliveries(tx, jobs, rows);
}

/**
 * For bell rows already stored (by notifyMany, or by one INSERT ... SELECT for a batch of orders):
 * one PENDING delivery and its job per enabled channel that wants the row's kind.
 */
export async function queueDeliveries(tx: NotifyTx, jobs: JobSink | null, rows: readonly { id: string; userId: string; kind: string }[]): Promise<Notified> {
  const notificationIds = rows.map((r) => r.id);
  // Without a queue (a CLI, a seed) the bell is all there is: no delivery would ever be sent.
  if (!jobs || rows.length === 0) return { notificationIds, after: [] };
  const userIds = [...new Set(rows.map((r) => r.userId))];
  const channels = await tx.notificationChannel.findMany({ where: { userId: { in: userIds }, enabled: true }, select: { id: true, userId: true, type: true, events: true } });
  // A user who never opened the settings still gets the default email events at their account address.
  const withEmail = new Set(channels.filter((c) => c.type === "EMAIL").map((c) => c.userId));
  // Admin-only events go to admins alone: whoever is sent one gets the admin defaults on their account email too.
  const isAdminKind = (k: string) => ADMIN_DEFAULT_EVENTS.includes(k as NotificationKind);
  const wantsDefaultEmail = rows.filter((r) => !withEmail.has(r.userId) && (DEFAULT_CHANNEL_EVENTS.includes(r.kind as NotificationKind) || isAdminKind(r.kind)));
  if (wantsDefaultEmail.length > 0) {
    const missing = [...new Set(wantsDefaultEmail.map((r) => r.userId))];
    const admins = new Set(wantsDefaultEmail.filter((r) => isAdminKind(r.kind)).map((r) => r.userId));
    await tx.notificationChannel.createMany({ data: missing.map((u) => defaultEmailChannel(u, admins.has(u))), skipDuplicates: true });
    const added = await tx.notificationChannel.findMany({ where: { userId: { in: missing }, type: "EMAIL", enabled: true }, select: { id: true, userId: true, type: true, events: true } });
    channels.push(...added);
  }
  const byUser = new Map<string, typeof channels>();
  for (const c of channels) byUser.set(c.userId, [...(byUser.get(c.userId) ?? []), c]);
  const deliveries = rows.flatMap((r) => (byUser.get(r.userId) ?? []).filter((c) => c.events.includes(r.kind)).map((c) => ({ notificationId: r.id, channelId: c.id })));
  if (deliveries.length === 0) return { notificationIds, after: [] };
  const created = await tx.notificationDelivery.createManyAndReturn({ data: deliveries, select: { id: true } });
  const specs = created.map((d) => deliverJob(d.id));
  await jobs.addInTx(tx, specs);
  return { notificationIds, after: specs };
}

/** The email channel a user has before changing anything: their account address, the default events (an admin's: and the admin ones). */
export function defaultEmailChannel(userId: string, admin = false) {
  return { userId, type: "EMAIL" as const, label: "Account email", target: ACCOUNT_EMAIL_TARGET, events: [...DEFAULT_CHANNEL_EVENTS, ...(admin ? ADMIN_DEFAULT_EVENTS : [])] };
}

/** Runs `produce` in a transaction and hands the queued deliveries over once it committed. */
export async function withNotifications<T>(db: Pick<Db, "$transaction">, jobs: JobSink | null, produce: (tx: Prisma.TransactionClient, after: JobSpec[]) => Promise<T>): Promise<T> {
  const after: JobSpec[] = [];
  const result = await db.$transaction((tx) => produce(tx, after));
  if (jobs && after.length) jobs.afterCommit(after);
  return result;
}
