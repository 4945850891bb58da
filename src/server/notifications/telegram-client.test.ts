import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendTelegramMessage } from "~/server/notifications/telegram-client";
import { startFakeTelegram, type FakeTelegram } from "~/server/test/fake-telegram";

let tg: FakeTelegram;
const token = "123456789:AAE_abcdefghijklmnopqrstuvwxyz0123";
beforeAll(async () => {
  tg = await startFakeTelegram();
});
afterAll(() => tg.close());

describe("Telegram sendMessage against a local bot API", () => {
  it("posts chat_id and text to /bot<token>/sendMessage", async () => {
    const r = await sendTelegramMessage({ baseUrl: tg.url, botToken: token, chatId: "4242" }, "Order failed\nBUY 0.1 BTC/USDT");
    expect(r).toEqual({ ok: true });
    expect(tg.messages.at(-1)).toEqual({ token, chatId: "4242", text: "Order failed\nBUY 0.1 BTC/USDT" });
  });

  it("a refused token or chat says what to fix, and never repeats the token", async () => {
    const bad = "987654321:AAE_zyxwvutsrqponmlkjihgfedcba98765";
    tg.refuse.add(bad);
    const refused = await sendTelegramMessage({ baseUrl: tg.url, botToken: bad, chatId: "4242" }, "x");
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/bot token/);
    expect(refused.error).not.toContain(bad);
    tg.badChats.add("777");
    const chat = await sendTelegramMessage({ baseUrl: tg.url, botToken: token, chatId: "777" }, "x");
    expect(chat.error).toMatch(/chat not found.*chat id/);
  });

  it("an unreachable bot API is an error naming Telegram, without the token", async () => {
    const r = await sendTelegramMessage({ baseUrl: "http://127.0.0.1:1", botToken: token, chatId: "4242" }, "x");
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/Telegram could not be reached/);
    expect(r.error).not.toContain(token);
  });
});
