import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { confirmGoLive, connectKey, createUser, newUser, saveKey, signInAdmin, simAccount, subscribeQuote, uniqueEmail, storeStrategy } from "./fixtures";

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

const PRICE = "50000";


async function setSimPrice() {
  for (const exchange of ["binance", "bybit"])
    await fetch(`${process.env.SIM_URL}/__sim/prices`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ exchange, symbol: "BTC/USDT", price: PRICE }) });
}

/** The page is no wider than the window: nothing is reachable only by scrolling sideways. */
async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

/** Within the window horizontally (visible, and not cut off at the right edge). */
async function expectOnScreen(page: Page, locator: ReturnType<Page["locator"]>) {
  await expect(locator).toBeVisible();
  const box = (await locator.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(page.viewportSize()!.width);
}

const checklistStep = (page: Page, step: string) => page.locator(`[data-testid="checklist-step"][data-step="${step}"]`);

for (const vp of VIEWPORTS) {
  test.describe(`cockpit at ${vp.width}x${vp.height}`, () => {
    test.use({ viewport: { width: vp.width, height: vp.height } });

    test("the dashboard checklist walks a new user to a first paper order; the orders list shows status and reason", async ({ page, request }) => {
      test.setTimeout(120_000);
      await setSimPrice();
      const name = `Cockpit ${vp.name} ${Date.now().toString(36)}`;
      const webhook = await storeStrategy(name);
      await newUser(page, { prefix: `cockpit-${vp.name}` });

      // Nothing done yet: each step is a link to do it; the header says OFF.
      await expect(page.getByTestId("checklist-progress")).toHaveText("0 of 4 done");
      await expect(page.getByTestId("mode-badge")).toHaveText("OFF");
      await expect(page.getByTestId("mode-card")).toHaveAttribute("data-mode", "OFF");
      await expect(page.getByTestId("key-health-bybit")).toContainText("No key connected.");
      await expectNoHorizontalScroll(page);

      // 1. Connect a key (from the simulator).
      await (checklistStep(page, "KEY")).getByRole("link", { name: "Connect a key" }).click();
      await expect(page).toHaveURL(/\/keys$/);
      const key = await simAccount("bybit", { balances: { USDT: "5000" } });
      const card = await saveKey(page, "Bybit", key);
      await expect(card.getByTestId("key-status")).toHaveText("ACTIVE");
      await page.goto("/dashboard");
      await expect(checklistStep(page, "KEY")).toHaveAttribute("data-done", "true");
      await expect(page.getByTestId("key-health-bybit").getByTestId("key-health-status")).toHaveText("ACTIVE");
      await expect(page.getByTestId("checklist-progress")).toHaveText("1 of 4 done");

      // 2. Pick a mode: Paper.
      await (checklistStep(page, "MODE")).getByRole("link", { name: "Pick a mode" }).click();
      await expect(page).toHaveURL(/\/settings#mode-title$/);
      await page.getByLabel(/^Paper/).click();
      await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PAPER.");
      await expect(page.getByTestId("mode-badge")).toHaveText("PAPER");

      // 3. Subscribe.
      await page.goto("/dashboard");
      await expect(checklistStep(page, "MODE")).toHaveAttribute("data-done", "true");
      await (checklistStep(page, "SUBSCRIBE")).getByRole("link", { name: "Subscribe" }).click();
      await expect(page).toHaveURL(/\/signals$/);
      const sub = page.getByTestId("subscribe-card").filter({ hasText: name });
      await sub.getByLabel("Sizing").selectOption("FIXED_QUOTE");
      await sub.getByLabel("Size", { exact: true }).fill("50");
      await sub.getByRole("button", { name: "Subscribe" }).click();
      await expect(sub.getByTestId("subscription-message")).toHaveText("Subscribed.");

      await page.goto("/dashboard");
      await expect(page.getByTestId("checklist-progress")).toHaveText("3 of 4 done");
      await expect(checklistStep(page, "FIRST_ORDER")).toHaveAttribute("data-done", "false");

      // 4. The strategy's alert arrives: a paper order, and the checklist is complete without a reload.
      const alert = { ticker: "BTCUSDT", action: "buy", price: PRICE, id: `cockpit-${crypto.randomBytes(4).toString("hex")}` };
      const res = await request.post(webhook, { headers: { "content-type": "application/json" }, data: JSON.stringify(alert) });
      expect(res.status()).toBe(202);
      await expect(page.getByTestId("checklist-progress")).toHaveText("4 of 4 done", { timeout: 20_000 });
      for (const step of ["KEY", "MODE", "SUBSCRIBE", "FIRST_ORDER"]) await expect(checklistStep(page, step)).toHaveAttribute("data-done", "true");
      await expect(checklistStep(page, "FIRST_ORDER")).toContainText("A paper order was placed for you.");
      const order = page.getByTestId("recent-order").first();
      await expect(order).toHaveAttribute("data-status", "FILLED");
      await expect(order.getByTestId("paper-tag")).toBeVisible();
      await expect(order).toContainText(name);
      await expect(page.getByTestId("recent-signal").first()).toContainText(name);
      await expect(page.getByTestId("attention")).toContainText("Nothing needs your attention.");
      await expectNoHorizontalScroll(page);

      // The orders list on /signals: status and reason on screen at this width, no sideways scrolling.
      await page.goto("/signals");
      const row = page.getByTestId("my-execution-row").first();
      await expect(row).toHaveAttribute("data-status", "FILLED");
      await expectOnScreen(page, row.getByTestId("execution-status"));
      await expectOnScreen(page, row.getByTestId("execution-message"));
      await expect(row.getByTestId("execution-message")).toHaveText("Filled.");
      // Times carry their time-zone label.
      await expect(row.locator("time")).toHaveText(/\d{2}:\d{2}:\d{2} \S+$/);
      await expectNoHorizontalScroll(page);
    });

    test("going live asks first, listing what will trade on which key: cancel keeps PAPER, confirm sets PERSONAL and the badge says LIVE", async ({ page }) => {
      const name = `Cockpit live ${vp.name} ${Date.now().toString(36)}`;
      await storeStrategy(name);
      await newUser(page, { prefix: `golive-${vp.name}` });
      const key = await simAccount("bybit");
      await connectKey(page, "Bybit", key);
      await page.goto("/settings");
      await page.getByLabel(/^Paper/).click();
      await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PAPER.");
      await subscribeQuote(page, name, "75");

      await page.goto("/settings");
      await page.getByLabel(/Personal \(live\)/).click();
      const dialog = page.getByRole("dialog", { name: "Switch to live trading?" });
      await expect(dialog).toBeVisible();
      const item = dialog.getByTestId("go-live-subscription").filter({ hasText: name });
      await expect(item).toContainText("75 USDT per order");
      await expect(item.getByTestId("go-live-key")).toHaveText(`Bybit key ${key.apiKey.slice(0, 4)}…${key.apiKey.slice(-4)} (ACTIVE)`);
      await expect(item).toContainText("Will trade live");
      await expect(dialog.getByTestId("go-live-count")).toHaveText("1 of 1 subscription will trade live.");
      await expectOnScreen(page, dialog.getByRole("button", { name: "Go live" }));

      // Cancel: nothing changed.
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByLabel(/^Paper/)).toBeChecked();
      await expect(page.getByTestId("mode-badge")).toHaveText("PAPER");
      await expect(page.getByTestId("mode-message")).toHaveText("Trading mode unchanged: PAPER.");
      await page.reload();
      await expect(page.getByLabel(/^Paper/)).toBeChecked();

      // Confirm: PERSONAL, and the header says LIVE on every page.
      await confirmGoLive(page);
      await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PERSONAL.");
      await expect(page.getByLabel(/Personal \(live\)/)).toBeChecked();
      await expect(page.getByTestId("mode-badge")).toHaveText("LIVE");
      await expect(page.getByTestId("mode-badge")).toHaveAttribute("data-mode", "PERSONAL");
      for (const path of ["/dashboard", "/signals", "/keys"]) {
        await page.goto(path);
        await expect(page.getByTestId("mode-badge")).toHaveText("LIVE");
      }
    });
  });
}

test("/favicon.ico and the header logo are served; an unknown route shows the branded 404", async ({ page, request }) => {
  const icon = await request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/image\//);
  const logo = await request.get("/logo.svg");
  expect(logo.status()).toBe(200);
  expect(logo.headers()["content-type"]).toMatch(/image\/svg\+xml/);

  const res = await page.goto("/no-such-page-here");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  await expect(page.getByTestId("not-found")).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to the dashboard" })).toBeVisible();
  await expect(page.locator('img[src="/logo.svg"]')).toBeVisible();
});

test("admin tables stay within a 1280 px window with details open", async ({ page, request }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await setSimPrice();
  const name = `Cockpit admin ${Date.now().toString(36)}`;
  const webhook = await storeStrategy(name);
  // A subscriber, so the signal has an execution to show.
  await newUser(page, { prefix: "cockpit-sub" });
  await page.goto("/settings");
  await page.getByLabel(/^Paper/).click();
  await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PAPER.");
  await page.goto("/signals");
  const sub = page.getByTestId("subscribe-card").filter({ hasText: name });
  await sub.getByLabel("Size", { exact: true }).fill("50");
  await sub.getByRole("button", { name: "Subscribe" }).click();
  await expect(sub.getByTestId("subscription-message")).toHaveText("Subscribed.");
  const alert = { ticker: "BTCUSDT", action: "buy", price: PRICE, id: `cockpit-admin-${crypto.randomBytes(4).toString("hex")}` };
  expect((await request.post(webhook, { headers: { "content-type": "application/json" }, data: JSON.stringify(alert) })).status()).toBe(202);
  await page.context().clearCookies();

  const adminEmail = uniqueEmail("cockpit-admin");
  createUser({ email: adminEmail, password: "admin password 1", admin: true, tier: "PRO" });
  await signInAdmin(page, adminEmail, "admin password 1");
  await page.goto("/admin/signals");
  const row = page.getByTestId("signal-row").filter({ hasText: name }).first();
  await row.getByRole("button", { name: "Details" }).click();
  await expect(page.getByTestId("execution-row")).toHaveCount(1);
  const signalsTable = page.getByRole("table", { name: "Signals" });
  const fits = async (table: ReturnType<Page["getByRole"]>) =>
    table.evaluate((t) => ({ table: t.getBoundingClientRect().right, frame: t.parentElement!.getBoundingClientRect().right, window: window.innerWidth }));
  const s = await fits(signalsTable);
  expect(s.table).toBeLessThanOrEqual(s.frame + 1);
  expect(s.frame).toBeLessThanOrEqual(s.window);
  await expectNoHorizontalScroll(page);

  await page.goto("/admin/users");
  await page.getByLabel("Search users").fill(adminEmail);
  const userRow = page.getByTestId("user-row").filter({ hasText: adminEmail });
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  await userRow.getByLabel(`Tier for ${adminEmail}`).selectOption("TRIAL");
  await expect(userRow.getByLabel(`Trial ends for ${adminEmail}`)).toBeVisible();
  const u = await fits(page.getByRole("table", { name: "Users" }));
  expect(u.table).toBeLessThanOrEqual(u.frame + 1);
  expect(u.frame).toBeLessThanOrEqual(u.window);
  await expectNoHorizontalScroll(page);
});
