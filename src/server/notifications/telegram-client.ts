/**
 * The one Telegram bot API call KeyRelay makes: sendMessage. The base URL is configuration
 * (TELEGRAM_API_BASE, https://api.telegram.org by default) so tests point it at a local fake server.
 * The bot token is part of the path; no error message or log line ever contains it.
 */
import { describeFailure, postJson } from "~/server/notifications/outbound-http";

export interface TelegramTarget {
  baseUrl: string;
  botToken: string;
  chatId: string;
}

export interface SendResult {
  ok: boolean;
  /** Why not, in words safe to store (no token). */
  error?: string;
}

export async function sendTelegramMessage(t: TelegramTarget, text: string, opts: { timeoutMs?: number } = {}): Promise<SendResult> {
  const url = `${t.baseUrl.replace(/\/+$/, "")}/bot${t.botToken}/sendMessage`;
  // The bot API is the operator's configuration, not a user's URL: no private-address rule here.
  const scrub = (s: string) => s.split(t.botToken).join("<bot token>");
  try {
    const r = await postJson(url, JSON.stringify({ chat_id: t.chatId, text, disable_web_page_preview: true }), { allowPrivate: true, timeoutMs: opts.timeoutMs });
    if (r.status >= 200 && r.status < 300) return { ok: true };
    let description: string | undefined;
    try {
      description = (JSON.parse(r.body) as { description?: string }).description;
    } catch {
      description = undefined;
    }
    if (r.status === 401 || r.status === 404) return { ok: false, error: "Telegram refused the bot token: copy it again from @BotFather." };
    if (r.status === 400 || r.status === 403) return { ok: false, error: `Telegram refused the chat id: ${scrub(description ?? `HTTP ${r.status}`)}. Start a chat with the bot (or add it to the group), then check the chat id.` };
    return { ok: false, error: scrub(description ? `HTTP ${r.status}: ${description}` : describeFailure(r)) };
  } catch (err) {
    return { ok: false, error: scrub(err instanceof Error ? `Telegram could not be reached: ${err.message}` : "Telegram could not be reached.") };
  }
}
