/**
 * A user's notification channels as the settings screen edits them: list (the email channel is
 * there from the start, with the default events), add Telegram or an outgoing webhook, change the
 * events / enabled / label, remove, and send a test. Every change and its audit row share a
 * transaction. Secrets (bot token, webhook signing secret) are sealed to the owner and the channel;
 * a webhook's secret is returned once, at creation; afterwards only a hint.
 */
import crypto from "node:crypto";
import { writeAudit } from "~/server/audit/write-audit";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import { addChannelInput, updateChannelInput } from "~/server/notifications/channel-input";
import { ACCOUNT_EMAIL_TARGET, DEFAULT_CHANNEL_EVENTS, isNotificationKind, type ChannelType, type NotificationKind } from "~/server/notifications/events";
import { defaultEmailChannel } from "~/server/notifications/notify";
import { channelAad, sendToChannel, type ChannelSendDeps } from "~/server/notifications/send-channel";
import type { SendResult } from "~/server/notifications/telegram-client";
import { newWebhookSecret } from "~/server/notifications/webhook-signing";
import type { Keyring } from "~/server/vault/keyring";
import { seal } from "~/server/vault/secret-box";

export interface ChannelContext {
  db: Db;
  keyring: Keyring;
  userId: string;
  meta: RequestMeta | null;
  /** Webhook URLs may be http://localhost (development and tests only). */
  allowLocal: boolean;
}

export interface ChannelView {
  id: string;
  type: ChannelType;
  label: string;
  /** Email: the account address; Telegram: the chat id; webhook: the URL. */
  target: string;
  secretHint: string | null;
  events: NotificationKind[];
  enabled: boolean;
  createdAt: Date;
}

const hint = (secret: string) => `…${secret.slice(-4)}`;

async function ensureEmailChannel(db: Db, userId: string) {
  const admin = (await db.user.findUnique({ where: { id: userId }, select: { role: true } }))?.role === "ADMIN";
  await db.notificationChannel.createMany({ data: [defaultEmailChannel(userId, admin)], skipDuplicates: true });
}

export async function listChannels(ctx: Pick<ChannelContext, "db" | "userId">): Promise<ChannelView[]> {
  await ensureEmailChannel(ctx.db, ctx.userId);
  const [user, rows] = await Promise.all([
    ctx.db.user.findUniqueOrThrow({ where: { id: ctx.userId }, select: { email: true } }),
    ctx.db.notificationChannel.findMany({ where: { userId: ctx.userId }, orderBy: [{ type: "asc" }, { createdAt: "asc" }] }),
  ]);
  return rows.map((c) => ({
    id: c.id,
    type: c.type,
    label: c.label,
    target: c.type === "EMAIL" && c.target === ACCOUNT_EMAIL_TARGET ? user.email : c.target,
    secretHint: c.secretHint,
    events: c.events.filter(isNotificationKind),
    enabled: c.enabled,
    createdAt: c.createdAt,
  }));
}

/** Adds a Telegram chat or an outgoing webhook; the webhook's signing secret is in the answer, this once. */
export async function addChannel(ctx: ChannelContext, raw: unknown): Promise<{ channel: ChannelView; webhookSecret: string | null }> {
  const parsed = addChannelInput(ctx.allowLocal).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("BAD_INPUT", issue.message, { field: issue.path.join(".") || "type" });
  }
  const input = parsed.data;
  const id = `nc_${crypto.randomBytes(12).toString("hex")}`;
  const type: ChannelType = input.type;
  const secret = input.type === "TELEGRAM" ? input.botToken : newWebhookSecret();
  const target = input.type === "TELEGRAM" ? input.chatId : input.url;
  const label = input.label || (input.type === "TELEGRAM" ? `Telegram ${input.chatId}` : new URL(input.url).host);
  const sealedSecret = seal(ctx.keyring, secret, channelAad({ id, userId: ctx.userId, type }));
  const row = await ctx.db.$transaction(async (tx) => {
    const exists = await tx.notificationChannel.findUnique({ where: { userId_type_target: { userId: ctx.userId, type, target } } });
    if (exists) throw new AppError("CONFLICT", input.type === "TELEGRAM" ? "This chat already has a Telegram channel; remove it first to change its bot." : "This URL already has a webhook channel.", { field: input.type === "TELEGRAM" ? "chatId" : "url" });
    const created = await tx.notificationChannel.create({
      data: { id, userId: ctx.userId, type, label, target, sealedSecret, secretHint: hint(secret), events: [...DEFAULT_CHANNEL_EVENTS] },
    });
    await writeAudit(tx, { action: "notification.channel_add", outcome: "SUCCESS", actorId: ctx.userId, targetType: "notification_channel", targetId: id, meta: ctx.meta, details: { type, label } });
    return created;
  });
  const channel: ChannelView = { id: row.id, type: row.type, label: row.label, target: row.target, secretHint: row.secretHint, events: row.events.filter(isNotificationKind), enabled: row.enabled, createdAt: row.createdAt };
  return { channel, webhookSecret: input.type === "WEBHOOK" ? secret : null };
}

async function ownChannel(db: Db, userId: string, channelId: string) {
  const c = await db.notificationChannel.findUnique({ where: { id: channelId } });
  // Another user's channel is "not found", never "forbidden": ids cannot be probed.
  if (!c || c.userId !== userId) throw new AppError("NOT_FOUND", "No such notification channel.", { field: "channelId" });
  return c;
}

export async function updateChannel(ctx: Pick<ChannelContext, "db" | "userId" | "meta">, raw: unknown): Promise<void> {
  const parsed = updateChannelInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("BAD_INPUT", issue.message, { field: issue.path.join(".") || "channelId" });
  }
  const input = parsed.data;
  await ensureEmailChannel(ctx.db, ctx.userId);
  const c = await ownChannel(ctx.db, ctx.userId, input.channelId);
  const data = {
    ...(input.events ? { events: [...new Set(input.events)] } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.label ? { label: input.label } : {}),
  };
  await ctx.db.$transaction(async (tx) => {
    await tx.notificationChannel.update({ where: { id: c.id }, data });
    await writeAudit(tx, { action: "notification.channel_update", outcome: "SUCCESS", actorId: ctx.userId, targetType: "notification_channel", targetId: c.id, meta: ctx.meta, details: { type: c.type, ...data } });
  });
}

/** Removes a Telegram or webhook channel (and its delivery log). The email channel can only be turned off. */
export async function removeChannel(ctx: Pick<ChannelContext, "db" | "userId" | "meta">, channelId: string): Promise<void> {
  const c = await ownChannel(ctx.db, ctx.userId, channelId);
  if (c.type === "EMAIL") throw new AppError("BAD_INPUT", "The email channel cannot be removed; turn it off or untick its events instead.", { field: "channelId" });
  await ctx.db.$transaction(async (tx) => {
    await tx.notificationChannel.delete({ where: { id: c.id } });
    await writeAudit(tx, { action: "notification.channel_remove", outcome: "SUCCESS", actorId: ctx.userId, targetType: "notification_channel", targetId: c.id, meta: ctx.meta, details: { type: c.type, label: c.label } });
  });
}

/** "Send test notification": sends now and answers whether it arrived (nothing is stored). */
export async function testChannel(ctx: Pick<ChannelContext, "db" | "userId">, send: Omit<ChannelSendDeps, "db">, channelId: string): Promise<SendResult> {
  const c = await ownChannel(ctx.db, ctx.userId, channelId);
  return sendToChannel({ ...send, db: ctx.db }, c, {
    id: `test_${crypto.randomBytes(6).toString("hex")}`,
    kind: "TEST",
    message: "This is a test notification from KeyRelay: this channel works.",
    details: { test: true },
    createdAt: new Date(),
  });
}
