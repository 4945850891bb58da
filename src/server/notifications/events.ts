/**
 * What a notification can be about, and where it may go. Pure data: safe to import from client
 * components (the settings form lists these) and from SQL-building code.
 */

export const NOTIFICATION_KINDS = [
  "ORDER_FILLED",
  "ORDER_FAILED",
  "ORDER_SKIPPED",
  "SIGNAL_REJECTED",
  "KEY_DISABLED",
  "KEY_EXPIRING",
  "POSITION_UNPROTECTED",
  "DAILY_SUMMARY",
  "LIVE_ACCESS_CHANGED",
  "LIVE_ACCESS_REQUESTED",
  "TRADING_HALTED",
  "TRADING_RESUMED",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const KIND_LABELS: { readonly [K in NotificationKind]: string } = {
  ORDER_FILLED: "Order filled",
  ORDER_FAILED: "Order failed",
  ORDER_SKIPPED: "Order skipped (with the reason)",
  SIGNAL_REJECTED: "Signal rejected",
  KEY_DISABLED: "Exchange key disabled",
  KEY_EXPIRING: "Exchange key about to expire",
  POSITION_UNPROTECTED: "Position without its stop-loss",
  DAILY_SUMMARY: "Daily summary",
  LIVE_ACCESS_CHANGED: "Live trading access changed",
  LIVE_ACCESS_REQUESTED: "A user asked for live trading (admins)",
  TRADING_HALTED: "Trading halted by an operator (admins)",
  TRADING_RESUMED: "Trading resumed by an operator (admins)",
};

export const CHANNEL_TYPES = ["EMAIL", "TELEGRAM", "WEBHOOK"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const CHANNEL_LABELS: { readonly [K in ChannelType]: string } = { EMAIL: "Email", TELEGRAM: "Telegram", WEBHOOK: "Outgoing webhook" };

/**
 * What a new channel sends until its owner changes it: the events that need a person now (a key
 * that stopped trading, a position without its stop, live trading taken away or granted). The bell
 * shows every event, always.
 */
export const DEFAULT_CHANNEL_EVENTS: readonly NotificationKind[] = ["KEY_DISABLED", "KEY_EXPIRING", "POSITION_UNPROTECTED", "LIVE_ACCESS_CHANGED"];

/** Events only admins are sent (an operator's halt of trading, its lift, a request for live trading): an admin's account email gets them by default too. */
export const ADMIN_DEFAULT_EVENTS: readonly NotificationKind[] = ["TRADING_HALTED", "TRADING_RESUMED", "LIVE_ACCESS_REQUESTED"];

/** The email channel's target: the account's own address, read at send time (it may change). */
export const ACCOUNT_EMAIL_TARGET = "account";

export const DELIVERY_STATUSES = ["PENDING", "SENT", "FAILED"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Attempts per delivery (the first and three retries with exponential backoff). */
export const DELIVERY_MAX_ATTEMPTS = 4;

export function isNotificationKind(k: string): k is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(k);
}
