/**
 * The bell and the notifications page: a user's notifications newest first, the unread count,
 * mark read / mark all read, and each notification's delivery log. Only the owner's rows, always.
 */
import type { Db } from "~/server/db";

export async function recentNotifications(db: Db, userId: string, limit = 20) {
  const rows = await db.notification.findMany({ where: { userId }, orderBy: { createdAt: "desc" }, take: limit });
  return rows.map((n) => ({ id: n.id, kind: n.kind, message: n.message, at: n.createdAt, read: n.readAt !== null }));
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
  return db.notification.count({ where: { userId, readAt: null } });
}

/** A page of notifications with their delivery log (channel, status, attempts, last error: never a secret). */
export async function notificationPage(db: Db, userId: string, opts: { limit: number; before?: string | null }) {
  const before = opts.before ? await db.notification.findFirst({ where: { id: opts.before, userId }, select: { createdAt: true, id: true } }) : null;
  const rows = await db.notification.findMany({
    where: { userId, ...(before ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    include: { deliveries: { orderBy: { createdAt: "asc" }, include: { channel: { select: { type: true, label: true } } } } },
  });
  const items = rows.slice(0, opts.limit).map((n) => ({
    id: n.id,
    kind: n.kind,
    message: n.message,
    at: n.createdAt,
    read: n.readAt !== null,
    deliveries: n.deliveries.map((d) => ({
      id: d.id,
      channelType: d.channel.type,
      channelLabel: d.channel.label,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      sentAt: d.sentAt,
    })),
  }));
  return { items, nextBefore: rows.length > opts.limit ? (items.at(-1)?.id ?? null) : null };
}

/** Marks the given notifications (the owner's only) or all of them read; returns how many changed. */
export async function markRead(db: Db, userId: string, ids: string[] | "all"): Promise<number> {
  const r = await db.notification.updateMany({ where: { userId, readAt: null, ...(ids === "all" ? {} : { id: { in: ids } }) }, data: { readAt: new Date() } });
  return r.count;
}
