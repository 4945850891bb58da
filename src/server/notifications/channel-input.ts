/**
 * What a user may type for a channel, checked with zod; every message names the field and the fix.
 * Webhook URLs: https, or http to localhost/127.0.0.1 when local targets are allowed (development,
 * tests); a literal private or loopback address is refused here already (the send checks the
 * resolved address again).
 */
import { z } from "zod";
import { NOTIFICATION_KINDS } from "~/server/notifications/events";
import { isPrivateAddress } from "~/server/notifications/outbound-http";

export const BOT_TOKEN_PATTERN = /^\d+:[A-Za-z0-9_-]{30,}$/;
export const CHAT_ID_PATTERN = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

const label = z.string().trim().max(60, "label: at most 60 characters").optional();

export const telegramInput = z.object({
  type: z.literal("TELEGRAM"),
  label,
  botToken: z
    .string({ error: "botToken is required: paste the token @BotFather gave you" })
    .trim()
    .regex(BOT_TOKEN_PATTERN, "botToken: paste the whole token from @BotFather, like 123456789:AAE… (digits, a colon, then at least 30 letters, digits, - or _)"),
  chatId: z
    .string({ error: "chatId is required: the numeric chat id (or @channelname)" })
    .trim()
    .regex(CHAT_ID_PATTERN, "chatId: use the numeric chat id (e.g. 123456789, or -100… for a group) or @channelname; send /start to the bot and read it from getUpdates"),
});

export function webhookUrlSchema(allowLocal: boolean) {
  return z
    .string({ error: "url is required: the address that receives the JSON POST" })
    .trim()
    .max(2_000, "url: at most 2000 characters")
    .superRefine((v, ctx) => {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        ctx.addIssue({ code: "custom", message: "url: enter a full address starting with https://, e.g. https://discord.com/api/webhooks/…" });
        return;
      }
      const local = LOCAL_HOSTS.has(u.hostname);
      if (u.username || u.password) ctx.addIssue({ code: "custom", message: "url: remove the user name and password from the address" });
      else if (u.protocol === "http:" && !(local && allowLocal)) ctx.addIssue({ code: "custom", message: "url: use https:// (plain http is allowed only to localhost outside production)" });
      else if (u.protocol !== "https:" && u.protocol !== "http:") ctx.addIssue({ code: "custom", message: "url: use an https:// address" });
      else if (!allowLocal && (local || isPrivateAddress(u.hostname.replace(/^\[|\]$/g, "")))) {
        ctx.addIssue({ code: "custom", message: "url: this is a private or loopback address; use a public https:// address" });
      }
    });
}

export function webhookInput(allowLocal: boolean) {
  return z.object({ type: z.literal("WEBHOOK"), label, url: webhookUrlSchema(allowLocal) });
}

export function addChannelInput(allowLocal: boolean) {
  return z.discriminatedUnion("type", [telegramInput, webhookInput(allowLocal)], { error: "type: choose TELEGRAM or WEBHOOK" });
}
export type AddChannelInput = z.output<ReturnType<typeof addChannelInput>>;

export const updateChannelInput = z.object({
  channelId: z.string().min(1, "channelId is required"),
  events: z.array(z.enum(NOTIFICATION_KINDS, { error: `events: each must be one of ${NOTIFICATION_KINDS.join(", ")}` })).max(NOTIFICATION_KINDS.length).optional(),
  enabled: z.boolean().optional(),
  label,
});
export type UpdateChannelInput = z.output<typeof updateChannelInput>;
