import { describe, expect, it } from "vitest";
import { addChannelInput } from "~/server/notifications/channel-input";

const messageOf = (allowLocal: boolean, v: unknown) => {
  const r = addChannelInput(allowLocal).safeParse(v);
  return r.success ? null : r.error.issues[0]!.message;
};

describe("channel input", () => {
  it("a bot token must look like BotFather's; the chat id numeric or @name", () => {
    expect(messageOf(false, { type: "TELEGRAM", botToken: "123456789:AAE_abcdefghijklmnopqrstuvwxyz0123", chatId: "-1001234" })).toBeNull();
    expect(messageOf(false, { type: "TELEGRAM", botToken: "abc", chatId: "1" })).toMatch(/^botToken: paste the whole token/);
    expect(messageOf(false, { type: "TELEGRAM", botToken: "123456789:AAE_abcdefghijklmnopqrstuvwxyz0123", chatId: "me" })).toMatch(/^chatId:/);
  });

  it("webhooks: https; http and private addresses only where local targets are allowed", () => {
    expect(messageOf(false, { type: "WEBHOOK", url: "https://discord.com/api/webhooks/1/abc" })).toBeNull();
    expect(messageOf(false, { type: "WEBHOOK", url: "http://example.com/hook" })).toMatch(/^url: use https/);
    expect(messageOf(false, { type: "WEBHOOK", url: "http://127.0.0.1:8080/hook" })).toMatch(/^url: use https/);
    expect(messageOf(false, { type: "WEBHOOK", url: "https://10.0.0.5/hook" })).toMatch(/private or loopback/);
    expect(messageOf(false, { type: "WEBHOOK", url: "https://localhost/hook" })).toMatch(/private or loopback/);
    expect(messageOf(true, { type: "WEBHOOK", url: "http://127.0.0.1:8080/hook" })).toBeNull();
    expect(messageOf(true, { type: "WEBHOOK", url: "not a url" })).toMatch(/^url: enter a full address/);
    expect(messageOf(true, { type: "WEBHOOK", url: "https://user:pw@example.com/" })).toMatch(/user name and password/);
  });
});
