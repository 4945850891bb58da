/**
 * Security emails to an account's owner (new sign-in, password or 2FA changed, API token created,
 * exchange key added or deleted). Sent in the background: the action they describe never waits
 * for, or fails because of, the mail server.
 */
import type { Db } from "~/server/db";
import { deliver } from "~/server/mail/mailer";
import { securityNoticeMessage, type SecurityEvent } from "~/server/mail/templates";

export type { SecurityEvent } from "~/server/mail/templates";

export function notifySecurityEvent(db: Db, userId: string, event: SecurityEvent, at = new Date()): void {
  deliver(async () => {
    const user = await db.user.findUnique({ where: { id: userId }, select: { email: true, name: true, emailVerifiedAt: true } });
    // An unconfirmed address may not be the account holder's: nothing about the account goes there.
    if (!user?.emailVerifiedAt) return null;
    return securityNoticeMessage(user.email, user.name, event, at);
  });
}
