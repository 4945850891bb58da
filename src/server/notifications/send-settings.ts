/** The process's settings for sending notifications: the keyring, the account-mail transport, the Telegram base URL and the private-address rule. */
import { getEnv } from "~/env";
import { getMailTransport } from "~/server/mail/mailer";
import type { ChannelSendDeps } from "~/server/notifications/send-channel";
import { getKeyring } from "~/server/vault/process-keyring";

/** Loopback/private webhook targets: allowed outside production, and in production only when the operator says so. */
export function allowPrivateTargets(): boolean {
  const env = getEnv();
  return env.NODE_ENV !== "production" || env.NOTIFY_ALLOW_PRIVATE_TARGETS;
}

export function processSendSettings(): Omit<ChannelSendDeps, "db"> {
  return { keyring: getKeyring(), mail: getMailTransport, telegramBase: getEnv().TELEGRAM_API_BASE, allowPrivate: allowPrivateTargets(), timeoutMs: 10_000 };
}
