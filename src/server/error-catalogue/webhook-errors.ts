/**
 * The catalogue's webhook part: every way the TradingView webhook refuses a call (signals/
 * receive-signal.ts answers with the entry's code and its words), and every rule that rejects a
 * received alert before any order (signals/decision.ts, by its ReasonCode). The answer's `code` and
 * the delivery log's reason code are these entries' codes.
 */
import { anchorOf } from "~/server/error-catalogue/anchor";
import type { CatalogueEntry } from "~/server/error-catalogue/catalogue-entry";
import type { ReasonCode } from "~/server/signals/decision";

const DELIVERY_LOG = "The strategy's page (admins): the webhook delivery log lists every call with its status and reason";
const TEMPLATE = "The strategy's page: the alert template, and the converter for other relays' formats";

/** Refusals of the webhook call itself (4xx; a 5xx is a temporary failure TradingView retries). */
export const WEBHOOK_ENTRIES = {
  NOT_FOUND: {
    code: "WEBHOOK_NOT_FOUND",
    status: 404,
    title: "No strategy has this webhook URL",
    message: "No strategy has this webhook URL. Copy the URL again from KeyRelay.",
    cause: "The URL in the TradingView alert does not match any strategy: it was mistyped or cut when pasted, or the strategy's webhook token was rotated.",
    fix: "Copy the webhook URL again from the strategy's page (Copy button) and paste it in the alert's Notifications → Webhook URL.",
    where: "The strategy's page: Webhook URL",
  },
  IP_NOT_ALLOWED: {
    code: "WEBHOOK_IP_NOT_ALLOWED",
    status: 403,
    title: "The alert came from an address not allowed",
    message: "This source IP is not allowed for this strategy's webhook.",
    cause: "The strategy accepts alerts only from TradingView's published webhook addresses, and this call came from another address (a test tool, another relay), or a proxy in front of KeyRelay hid the real one.",
    fix: "Send the alert from TradingView, or untick the setting. Behind a reverse proxy, set TRUST_PROXY=1 so KeyRelay reads the client address from X-Forwarded-For.",
    where: "The strategy's page: Settings → Only accept TradingView's IPs",
  },
  ARCHIVED: {
    code: "WEBHOOK_ARCHIVED",
    status: 410,
    title: "The strategy is archived",
    message: "This strategy was archived: its webhook no longer accepts alerts. Remove the alert in TradingView.",
    cause: "An admin archived the strategy; its history is kept but its webhook takes no more alerts.",
    fix: "Remove the alert in TradingView, or point it at another strategy's webhook URL.",
    where: "Admin → Strategies",
  },
  DISABLED: {
    code: "WEBHOOK_DISABLED",
    status: 409,
    title: "The strategy is disabled",
    message: "This strategy is disabled: alerts are refused until an admin enables it again on Admin → Strategies.",
    cause: "An admin disabled the strategy, so its webhook refuses alerts until it is enabled again.",
    fix: "Enable the strategy on Admin → Strategies (admins), or wait for its admin to.",
    where: "Admin → Strategies",
  },
  RATE_LIMITED: {
    code: "WEBHOOK_RATE_LIMITED",
    status: 429,
    title: "Too many alerts for the strategy",
    cause: "More alerts arrived for this strategy in one minute than its limit; the extra ones were refused (the answer says when to retry).",
    fix: "Check the alert in TradingView fires once per bar close (\"Once per bar close\"), or raise the strategy's per-minute limit.",
    where: "The strategy's page: Settings → Alerts per minute at most",
  },
  TOO_LARGE: {
    code: "WEBHOOK_TOO_LARGE",
    status: 413,
    title: "The alert is too large",
    cause: "The alert message is larger than the webhook accepts (64 KB); a real alert is a few hundred bytes.",
    fix: "Shorten the alert message to the fields KeyRelay reads (see the strategy's template).",
    where: TEMPLATE,
  },
  UNSUPPORTED_TYPE: {
    code: "WEBHOOK_UNSUPPORTED_TYPE",
    status: 415,
    title: "The alert's content type is not accepted",
    cause: "The call was not sent as JSON or text, which is what TradingView sends.",
    fix: "Send the alert from TradingView, or set Content-Type: application/json (or text/plain) when testing by hand.",
    where: DELIVERY_LOG,
  },
  UNRENDERED_PLACEHOLDER: {
    code: "WEBHOOK_UNRENDERED_PLACEHOLDER",
    status: 400,
    title: "The alert still holds {{placeholders}}",
    cause: "TradingView fills {{strategy.order.action}} and the like only in a strategy's alert (not an indicator's, and not when the message was pasted into a test tool); the alert arrived with them unfilled.",
    fix: "Create the alert on the strategy (not the indicator), or use the indicator template from the strategy's page, which carries no strategy placeholders.",
    where: TEMPLATE,
  },
  INVALID_ALERT: {
    code: "WEBHOOK_INVALID_ALERT",
    status: 400,
    title: "The alert message is not valid",
    cause: "A field the alert needs is missing or not understood (the answer names each field and what it expects, in the words of the format it was sent in).",
    fix: "Fix the named fields in the TradingView alert message; paste the message in the strategy page's converter to see what is understood.",
    where: TEMPLATE,
  },
} as const satisfies Record<string, CatalogueEntry & { status: number; message?: string }>;

export type WebhookRefusal = keyof typeof WEBHOOK_ENTRIES;

/** One entry per rule that rejects a received alert (signals/decision.ts); the alert is stored, no order placed. */
export const SIGNAL_ENTRIES: Record<ReasonCode, CatalogueEntry> = {
  STRATEGY_DISABLED: {
    code: "SIGNAL_STRATEGY_DISABLED",
    title: "Signal rejected: the strategy is disabled",
    cause: "The strategy was disabled after the alert was received and before it was decided.",
    fix: "Enable the strategy on Admin → Strategies (admins).",
    where: "Admin → Strategies",
  },
  SYMBOL_NOT_ALLOWED: {
    code: "SIGNAL_SYMBOL_NOT_ALLOWED",
    title: "Signal rejected: the symbol is not allowed",
    cause: "Each strategy trades only the symbols in its allowed list (an empty list allows nothing), so a leaked webhook URL cannot trade anything else.",
    fix: "Add the symbol to the strategy's allowed symbols (admins), or fix the ticker in the alert.",
    where: "The strategy's page: Settings → Allowed symbols",
  },
  SYMBOL_NOT_LISTED: {
    code: "SIGNAL_SYMBOL_NOT_LISTED",
    title: "Signal rejected: the symbol is not listed",
    cause: "The exchange does not list the alert's symbol for the strategy's market type (spot or USDT perpetual).",
    fix: "Check the ticker the alert sends ({{ticker}}) and the strategy's market type; a .P chart needs a linear (futures) strategy to trade futures.",
    where: "The strategy's page: Settings → Market type",
  },
  STALE_ALERT: {
    code: "SIGNAL_STALE_ALERT",
    title: "Signal rejected: the alert is too old",
    cause: "The alert's timestamp is older than the maxLagSeconds it carries, so trading it now would be at a price the strategy never saw.",
    fix: "Nothing, usually: TradingView was late. If it happens often, raise maxLagSeconds in the alert message.",
    where: "Signals page: the rejected signal's reason",
  },
  TIMESTAMP_IN_FUTURE: {
    code: "SIGNAL_TIMESTAMP_IN_FUTURE",
    title: "Signal rejected: the timestamp is in the future",
    cause: "The alert's timestamp is ahead of the server's clock by more than the allowed lag: one of the two clocks is wrong.",
    fix: "Operators: check the server's clock (NTP). Senders: send {{timenow}} as the timestamp.",
    where: "Signals page: the rejected signal's reason",
  },
  PRICE_DEVIATION: {
    code: "SIGNAL_PRICE_DEVIATION",
    title: "Signal rejected: the price is too far from the market",
    cause: "The alert's price differs from the exchange's price by more than the strategy's limit (2 % by default): a wrong chart, a stale alert or a bad feed.",
    fix: "Check the alert's chart is the exchange's symbol; an admin can raise the strategy's maximum price deviation.",
    where: "The strategy's page: Settings → Max price deviation %",
  },
  ACTION_UNSUPPORTED: {
    code: "SIGNAL_ACTION_UNSUPPORTED",
    title: "Signal rejected: the action is not possible on this market",
    cause: "The alert closes a short on a spot strategy, and spot has no shorts.",
    fix: "Use a linear (futures) strategy for short positions, or drop the short exits from the alert.",
    where: "Signals page: the rejected signal's reason",
  },
};

/** The answer to a refused webhook call: its status, the words (the entry's, or `message` with figures) and the code. */
export function webhookRefusal(key: WebhookRefusal, message?: string): { status: number; body: { error: string; code: string; help: string } } {
  const entry: CatalogueEntry & { status: number; message?: string } = WEBHOOK_ENTRIES[key];
  const text = message ?? entry.message;
  if (text === undefined) throw new Error(`webhook refusal ${key} needs its message`);
  return { status: entry.status, body: { error: text, code: entry.code, help: `/help/troubleshooting#${anchorOf(entry.code)}` } };
}
