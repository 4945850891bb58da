/** The bell: a user's latest notifications (key disabled, rejected, ...), newest first. */
import type { Db } from "~/server/db";

export async function recentNotifications(db: Db, userId: string, limit = 20) {
  const rows = await db.notification.findMany({ where: { userId }, orderBy: { createdAt: "desc" }, take: limit });
  return rows.map((n) => ({ id: n.id, kind: n.kind, message: n.message, at: n.createdAt, read: n.readAt !== null }));
}
