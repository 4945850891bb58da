import { expect, test } from "@playwright/test";
import crypto from "node:crypto";
import { newUser, saveKey, simAccount, storeStrategy, subscribeQuote } from "./fixtures";

test("a refused key's error links to its troubleshooting entry, which explains it and the fix", async ({ page }) => {
  await newUser(page, { prefix: "help" });
  const good = await simAccount("binance");
  await page.goto("/keys");
  // A wrong secret: Binance refuses the key, which disables itself.
  const card = await saveKey(page, "Binance", { apiKey: good.apiKey, secret: good.secret.slice(0, -1) + (good.secret.endsWith("A") ? "B" : "A") });
  await expect(card.getByTestId("key-status")).toHaveText("DISABLED");
  await card.getByTestId("last-error-help").click();
  await expect(page).toHaveURL(/\/help\/troubleshooting#exchange-auth$/);
  const entry = page.getByTestId("help-exchange-auth");
  await expect(entry).toBeInViewport();
  await expect(entry).toContainText("The exchange rejected the API key");
  await expect(entry).toContainText("enter it again on the Keys page");
});

test("a skipped order and a refused webhook call each link to their troubleshooting entry", async ({ page, request }) => {
  await fetch(`${process.env.SIM_URL}/__sim/prices`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ exchange: "binance", symbol: "BTC/USDT", price: "50000" }) });
  const name = `Help ${crypto.randomBytes(3).toString("hex")}`;
  const webhook = await storeStrategy(name);
  // A new account trades nothing until it picks a mode: its order is SKIPPED, with the catalogue's words and code.
  await newUser(page, { prefix: "help-skip" });
  await subscribeQuote(page, name, "50");
  const sent = await request.post(webhook, { headers: { "content-type": "application/json" }, data: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: "50000" }) });
  expect(sent.status()).toBe(202);
  await page.goto("/signals");
  const row = page.getByTestId("my-execution-row").filter({ hasText: name }).first();
  await expect(row).toHaveAttribute("data-status", "SKIPPED", { timeout: 20_000 });
  await expect(row.getByTestId("execution-message")).toHaveText("Trading mode is OFF.");
  await row.getByTestId("help-link").click();
  await expect(page).toHaveURL(/\/help\/troubleshooting#skip-trading-off$/);
  const entry = page.getByTestId("help-skip-trading-off");
  await expect(entry).toBeInViewport();
  await expect(entry).toContainText("Choose PAPER (simulated fills) or PERSONAL (your own keys) in Settings → Trading mode.");

  // A webhook URL no strategy has: the answer names the code and the help page that explains it.
  const refused = await request.post(`/api/webhooks/tradingview/${crypto.randomBytes(24).toString("base64url")}`, { headers: { "content-type": "application/json" }, data: "{}" });
  expect(refused.status()).toBe(404);
  const body = (await refused.json()) as { code: string; help: string; error: string };
  expect(body).toMatchObject({ code: "WEBHOOK_NOT_FOUND", help: "/help/troubleshooting#webhook-not-found" });
  await page.goto(body.help);
  await expect(page.getByTestId("help-webhook-not-found")).toContainText("Copy the webhook URL again from the strategy's page");
});

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`the troubleshooting page is public, searchable and fits the screen (${viewport.width}px)`, async ({ browser }) => {
    const context = await browser.newContext({ viewport }); // signed out
    const page = await context.newPage();
    await page.goto("/help/troubleshooting");
    await expect(page.getByRole("heading", { name: "Troubleshooting", level: 1 })).toBeVisible();
    await page.getByTestId("help-search").fill("110007");
    await expect(page.getByTestId("help-bybit-110007")).toBeVisible();
    await expect(page.getByTestId("help-binance-m2015")).toHaveCount(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
}
