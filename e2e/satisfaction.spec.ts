import crypto from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { connectKey, createUser, newUser, query, signInAdmin, simAccount, subscribeQuote, uniqueEmail, storeStrategy } from "./fixtures";

const PRICE = "50000";


/** A new user trading on paper who follows a strategy and gets 3 filled paper orders from its alerts. */
async function traderWithThreeFills(page: Page, request: APIRequestContext, prefix: string, tier: "PRO" | "FLEX" | "TRIAL") {
  for (const exchange of ["binance", "bybit"])
    await fetch(`${process.env.SIM_URL}/__sim/prices`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ exchange, symbol: "BTC/USDT", price: PRICE }) });
  const name = `Satisfaction ${prefix} ${Date.now().toString(36)}`;
  const webhook = await storeStrategy(name);
  const user = await newUser(page, { prefix, tier });
  await connectKey(page, "Bybit", await simAccount("bybit"));
  await page.goto("/settings");
  await page.getByLabel(/^Paper/).click();
  await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PAPER.");
  await subscribeQuote(page, name, "50");
  for (let i = 0; i < 3; i++) {
    const alert = { ticker: "BTCUSDT", action: "buy", price: PRICE, id: `${prefix}-${i}-${crypto.randomBytes(4).toString("hex")}` };
    const res = await request.post(webhook, { headers: { "content-type": "application/json" }, data: JSON.stringify(alert) });
    expect(res.status()).toBe(202);
  }
  await expect
    .poll(async () => (await query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM "Execution" e JOIN "User" u ON u.id = e."userId" WHERE u.email = $1 AND e.status = 'FILLED'`, [user.email]))[0]!.n, { timeout: 30_000 })
    .toBe(3);
  return user;
}

const prompt = (page: Page) => page.getByTestId("satisfaction-prompt");

/** Reloads and waits until the page has asked the server whether the prompt is due (so "hidden" means "not due"). */
async function reloadAndAsk(page: Page) {
  const asked = page.waitForResponse((r) => r.url().includes("satisfaction.prompt") && r.ok());
  await page.reload();
  await asked;
}

test("a user answers the satisfaction prompt and the admin sees the score on the metrics page", async ({ page, request, browser }) => {
  test.setTimeout(180_000);
  const user = await traderWithThreeFills(page, request, "satisf-desk", "FLEX");
  await page.goto("/dashboard");
  await expect(prompt(page)).toBeVisible();
  await expect(prompt(page)).toContainText("How likely are you to recommend KeyRelay to a fellow trader?");
  // Not a modal: the page behind stays usable.
  await expect(page.getByRole("dialog")).toHaveCount(0);

  const comment = `Paper fills are instant <b>nice</b> ${crypto.randomBytes(3).toString("hex")}`;
  await prompt(page).getByRole("radio", { name: "9", exact: true }).check();
  await prompt(page).getByLabel(/main reason for your score/).fill(comment);
  await prompt(page).getByRole("button", { name: "Send" }).click();
  await expect(prompt(page).getByRole("status")).toContainText("Thanks");
  await expect(prompt(page)).toBeHidden({ timeout: 10_000 });
  await reloadAndAsk(page);
  await expect(prompt(page)).toBeHidden();

  // The admin, in their own browser context: Admin -> Metrics -> User satisfaction.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  const email = uniqueEmail("satisf-admin");
  createUser({ email, password: "a long test password", admin: true });
  await signInAdmin(admin, email, "a long test password");
  await admin.goto("/admin");
  await admin.getByRole("link", { name: "Metrics" }).first().click();
  await expect(admin).toHaveURL(/\/admin\/metrics/);
  const card = admin.getByTestId("metric-satisfaction");
  await expect(card.getByRole("heading", { name: "User satisfaction" })).toBeVisible();
  const item = card.getByTestId("satisfaction-comment").filter({ hasText: comment });
  await expect(item).toHaveCount(1);
  // Shown as text, not markup.
  await expect(item.locator("b")).toHaveCount(0);
  await expect(item.getByTestId("satisfaction-comment-score")).toHaveText("9/10");
  await expect(item).toContainText(user.email);
  await expect(item).toContainText("FLEX");
  await expect(card.locator('[data-testid="satisfaction-tier"][data-tier="FLEX"]')).toBeVisible();
  await expect(card.getByTestId("satisfaction-average")).not.toHaveText("no answers");
  await adminContext.close();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the prompt does not cover the navigation and can be dismissed", async ({ page, request }) => {
    test.setTimeout(180_000);
    const user = await traderWithThreeFills(page, request, "satisf-phone", "TRIAL");
    await page.goto("/dashboard");
    await expect(prompt(page)).toBeVisible();

    const card = (await prompt(page).boundingBox())!;
    const nav = (await page.getByRole("navigation", { name: "Main" }).boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(card.y).toBeGreaterThanOrEqual(nav.y + nav.height);
    expect(card.y + card.height).toBeLessThanOrEqual(viewport.height + 1);
    expect(card.x).toBeGreaterThanOrEqual(0);
    expect(card.x + card.width).toBeLessThanOrEqual(viewport.width);
    // The navigation stays usable while the prompt is open.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Signals" }).click();
    await expect(page).toHaveURL(/\/signals$/);
    await expect(prompt(page)).toBeVisible();

    await prompt(page).getByRole("button", { name: "Not now" }).click();
    await expect(prompt(page)).toBeHidden();
    await expect
      .poll(async () => (await query(`SELECT r.dismissed, r.score FROM "SatisfactionResponse" r JOIN "User" u ON u.id = r."userId" WHERE u.email = $1`, [user.email])))
      .toEqual([{ dismissed: true, score: null }]);
    await reloadAndAsk(page);
    await expect(prompt(page)).toBeHidden();
  });
});
