import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { startFakeTelegram, type FakeTelegram } from "../src/server/test/fake-telegram";
import { verifySignature } from "../src/server/notifications/webhook-signing";
import { confirmGoLive, connectKey, createUser, signIn, signInAdmin, simAccount, subscribeQuote, uniqueEmail, waitForMail } from "./fixtures";

// The fake bot API listens where the server and the worker were told it is (TELEGRAM_API_BASE in playwright.config.ts).
let telegram: FakeTelegram;
// A receiver as a user would run one: it keeps every POST with its signature header.
let hookUrl: string;
const hooks: { body: string; signature: string }[] = [];
let hookServer: http.Server;

test.beforeAll(async () => {
  telegram = await startFakeTelegram({ port: Number(process.env.TELEGRAM_PORT ?? 4027) });
  hookServer = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      hooks.push({ body, signature: String(req.headers["x-keyrelay-signature"] ?? "") });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
});
test.afterAll(async () => {
  await telegram.close();
  await new Promise((r) => hookServer.close(r));
});

async function adminStrategy(browser: Browser): Promise<{ webhookUrl: string; name: string }> {
  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const admin = await context.newPage();
  const email = uniqueEmail("admin");
  createUser({ email, password: "admin password 1", admin: true, tier: "PRO" });
  await signInAdmin(admin, email, "admin password 1");
  await admin.goto("/admin/strategies");
  const name = `Notify ${Date.now().toString(36)}`;
  const form = admin.getByRole("form", { name: "New strategy" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Allowed symbols").fill("BTC/USDT");
  await form.getByLabel("Market type").selectOption({ label: "Spot" });
  await form.getByRole("button", { name: "Create strategy" }).click();
  await expect(admin.getByTestId("strategy-created")).toContainText(name);
  await admin.getByTestId("webhook-once").getByRole("button", { name: "Copy webhook URL" }).click();
  const webhookUrl = await admin.evaluate(() => navigator.clipboard.readText());
  await context.close();
  return { webhookUrl, name };
}

async function noHorizontalScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]) {
  test(`a failed order reaches the bell, email, Telegram and a signed webhook (${viewport.width}x${viewport.height})`, async ({ browser, request }) => {
    test.setTimeout(150_000);
    await fetch(`${process.env.SIM_URL}/__sim/prices`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ exchange: "bybit", symbol: "BTC/USDT", price: "50000" }) });
    const { webhookUrl, name } = await adminStrategy(browser);

    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const email = uniqueEmail("notify");
    createUser({ email, password: "subscriber password", tier: "PRO" });
    await signIn(page, email, "subscriber password");
    // 1 USDT: the exchange refuses a 50 USDT buy (insufficient funds).
    const key = await simAccount("bybit", { balances: { USDT: "1" } });
    await connectKey(page, "Bybit", key);
    await page.goto("/settings");
    await confirmGoLive(page);
    await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PERSONAL.");
    await subscribeQuote(page, name, "50");

    // Channels: email (on by default for key and protection events; the user adds failed orders), Telegram, a webhook.
    await page.goto("/settings");
    await page.getByRole("link", { name: /Notifications: email, Telegram/ }).click();
    await expect(page).toHaveURL(/\/settings\/notifications$/);
    const emailCard = page.getByTestId("channel-email");
    await expect(emailCard).toContainText(email);
    await expect(emailCard.getByLabel("Exchange key disabled")).toBeChecked();
    await expect(emailCard.getByLabel("Order failed")).not.toBeChecked();
    await emailCard.getByLabel("Order failed").check();
    await expect(emailCard.getByTestId("channel-status")).toHaveText("Saved.");

    const chatId = String(100_000 + Math.floor(Math.random() * 800_000));
    const botToken = `${chatId}:AAE_test_token_${"x".repeat(24)}`;
    const tgForm = page.getByRole("form", { name: "Add Telegram" });
    await tgForm.getByLabel("Bot token").fill("not-a-token");
    await tgForm.getByLabel("Chat id").fill(chatId);
    await tgForm.getByRole("button", { name: "Add Telegram" }).click();
    await expect(tgForm.getByRole("alert")).toContainText("botToken: paste the whole token from @BotFather");
    await tgForm.getByLabel("Bot token").fill(botToken);
    await tgForm.getByRole("button", { name: "Add Telegram" }).click();
    await expect(page.getByTestId("channel-added")).toHaveText(`Telegram ${chatId} added.`);
    const tgCard = page.getByTestId("channel-telegram");
    // Only a hint of the token, ever.
    await expect(tgCard).toContainText(`bot token …${botToken.slice(-4)}`);
    expect(await page.content()).not.toContain(botToken);
    await tgCard.getByLabel("Order failed").check();
    await expect(tgCard.getByTestId("channel-status")).toHaveText("Saved.");
    await tgCard.getByRole("button", { name: "Send test notification" }).click();
    await expect(tgCard.getByTestId("channel-status")).toHaveText("Test notification sent.");
    expect(telegram.messages.filter((m) => m.chatId === chatId).map((m) => m.text)).toEqual([expect.stringContaining("this channel works")]);

    const whForm = page.getByRole("form", { name: "Add webhook" });
    await whForm.getByLabel("Webhook URL").fill(hookUrl);
    await whForm.getByRole("button", { name: "Add webhook" }).click();
    const secret = (await page.getByTestId("webhook-secret-value").textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    const whCard = page.getByTestId("channel-webhook");
    await whCard.getByLabel("Order failed").check();
    await expect(whCard.getByTestId("channel-status")).toHaveText("Saved.");
    await noHorizontalScroll(page);
    // After a reload the secret is gone for good: only its hint.
    await page.reload();
    await expect(page.getByTestId("channel-webhook")).toContainText(`signing secret …${secret.slice(-4)}`);
    expect(await page.content()).not.toContain(secret);

    // The alert: the exchange refuses the order.
    const hooksBefore = hooks.length;
    const alert = await request.post(webhookUrl, {
      headers: { "content-type": "application/json" },
      data: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: "50000", id: `n-${Date.now()}`, time: new Date().toISOString() }),
    });
    expect(alert.status()).toBe(202);

    // The bell.
    await page.goto("/dashboard");
    await expect(page.getByTestId("bell-count")).toHaveText("1", { timeout: 30_000 });
    // The email, from the local SMTP server.
    const mail = await waitForMail(email, "KeyRelay: Order failed", { timeoutMs: 30_000 });
    expect(mail.text).toContain("Not enough balance");
    // Telegram, from the fake bot API.
    await expect.poll(() => telegram.messages.filter((m) => m.chatId === chatId && m.text.startsWith("Order failed")).length, { timeout: 30_000 }).toBe(1);
    expect(telegram.messages.find((m) => m.chatId === chatId && m.text.startsWith("Order failed"))!.token).toBe(botToken);
    // The webhook, signed: the receiver's check passes with the secret shown once, and fails with another.
    await expect.poll(() => hooks.slice(hooksBefore).filter((h) => h.body.includes('"ORDER_FAILED"')).length, { timeout: 30_000 }).toBe(1);
    const hook = hooks.slice(hooksBefore).find((h) => h.body.includes('"ORDER_FAILED"'))!;
    expect(hook.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, hook.body, hook.signature, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifySignature("whsec_wrong", hook.body, hook.signature, Math.floor(Date.now() / 1000))).toBe(false);
    const payload = JSON.parse(hook.body) as { content: string; text: string; event: string; details: { symbol: string; status: string } };
    expect(payload.event).toBe("ORDER_FAILED");
    expect(payload.content).toContain("Order failed");
    expect(payload.text).toContain("Order failed");
    expect(payload.details).toMatchObject({ symbol: "BTC/USDT", status: "REJECTED" });

    // The notifications page: the message and its delivery log, then mark all read.
    await page.getByTestId("notification-bell").click();
    await expect(page).toHaveURL(/\/notifications$/);
    const item = page.getByTestId("notification").filter({ hasText: "Not enough balance" });
    await expect(item).toHaveAttribute("data-read", "false");
    await item.getByText(/Delivery log/).click();
    await expect(item.getByTestId("delivery-status")).toHaveText(["SENT", "SENT", "SENT"], { timeout: 30_000 });
    await noHorizontalScroll(page);
    await page.getByRole("button", { name: "Mark all read" }).click();
    await expect(item).toHaveAttribute("data-read", "true");
    await expect(page.getByTestId("bell-count")).toHaveCount(0);
    await context.close();
  });
}
