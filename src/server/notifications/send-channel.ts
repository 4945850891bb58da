/**
 * Sends one notification on one channel: email through the account-mail transport, Telegram's
 * sendMessage, or a signed JSON POST (Discord/Slack-compatible: `content` and `text`, plus the
 * structured fields). Secrets are opened here, at the moment of use, and never leave this function.
 */
import type { NotificationChannel } from "~/generated/prisma/client";
import type { Db } from "~/server/db";
import type { MailTransport } from "~/server/mail/mailer";
import { notificationMessage } from "~/server/mail/templates";
import { ACCOUNT_EMAIL_TARGET, KIND_LABELS, isNotificationKind } from "~/server/notifications/events";
import { describeFailure, postJson } from "~/server/notifications/outbound-http";
import { sendTelegramMessage, type SendResult } from "~/server/notifications/telegram-client";
import { SIGNATURE_HEADER, signPayload } from "~/server/notifications/webhook-signing";
import type { Keyring } from "~/server/vault/keyring";
import { isVaultError, open, type SecretAad } from "~/server/vault/secret-box";

export interface ChannelSendDeps {
  db: Pick<Db, "user">;
  keyring: Keyring;
  mail: () => MailTransport;
  telegramBase: string;
  /** Outgoing webhooks may target loopback/private addresses (never in production unless the operator says so). */
  allowPrivate: boolean;
  timeoutMs?: number;
  now?: () => Date;
}

export interface OutgoingNotification {
  id: string;
  kind: string;
  message: string;
  details: unknown;
  createdAt: Date;
}

type Channel = Pick<NotificationChannel, "id" | "userId" | "type" | "target" | "sealedSecret">;

/** The vault binding of a channel's secret: its owner and the channel itself. */
export function channelAad(c: Pick<NotificationChannel, "id" | "userId" | "type">): SecretAad {
  return { userId: c.userId, exchange: "notification-channel", environment: c.type, apiKey: c.id };
}

export function titleOf(kind: string): string {
  return isNotificationKind(kind) ? KIND_LABELS[kind] : kind === "TEST" ? "Test notification" : kind;
}

export async function sendToChannel(deps: ChannelSendDeps, channel: Channel, n: OutgoingNotification): Promise<SendResult> {
  const title = titleOf(n.kind);
  if (channel.type === "EMAIL") {
    const user = await deps.db.user.findUnique({ where: { id: channel.userId }, select: { email: true } });
    if (!user) return { ok: false, error: "The account no longer exists." };
    const to = channel.target === ACCOUNT_EMAIL_TARGET ? user.email : channel.target;
    try {
      await deps.mail().send(notificationMessage(to, title, n.message));
      return { ok: true };
    } catch (err) {
      const e = err as { message?: string; responseCode?: number };
      return { ok: false, error: `The mail server refused the message${e.responseCode ? ` (${e.responseCode})` : ""}: ${(e.message ?? "").slice(0, 200)}` };
    }
  }
  let secret: string;
  try {
    if (!channel.sealedSecret) return { ok: false, error: "The channel has no stored secret; remove it and add it again." };
    secret = open(deps.keyring, channel.sealedSecret, channelAad(channel));
  } catch (err) {
    if (isVaultError(err)) return { ok: false, error: "The channel's stored secret cannot be opened (the encryption key changed); remove the channel and add it again." };
    throw err;
  }
  if (channel.type === "TELEGRAM") {
    return sendTelegramMessage({ baseUrl: deps.telegramBase, botToken: secret, chatId: channel.target }, `${title}\n${n.message}`, { timeoutMs: deps.timeoutMs });
  }
  const body = JSON.stringify({
    content: `**${title}**: ${n.message}`, // Discord
    text: `*${title}*: ${n.message}`, // Slack
    id: n.id,
    event: n.kind,
    title,
    message: n.message,
    createdAt: n.createdAt.toISOString(),
    details: n.details ?? {},
  });
  const t = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  try {
    const r = await postJson(channel.target, body, {
      allowPrivate: deps.allowPrivate,
      timeoutMs: deps.timeoutMs,
      headers: { [SIGNATURE_HEADER]: signPayload(secret, body, t), "X-KeyRelay-Event": n.kind, "X-KeyRelay-Delivery": n.id },
    });
    return r.status >= 200 && r.status < 300 ? { ok: true } : { ok: false, error: describeFailure(r).split(secret).join("<secret>") };
  } catch (err) {
    return { ok: false, error: describeFailure(err as Error).split(secret).join("<secret>") };
  }
}
