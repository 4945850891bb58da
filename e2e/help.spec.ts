import { expect, test } from "@playwright/test";
import { newUser, saveKey, simAccount } from "./fixtures";

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
