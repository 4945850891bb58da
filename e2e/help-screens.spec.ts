/**
 * The help guides' screenshots (public/help/screens/<name>.png), taken of KeyRelay's own screens on
 * every run so they stay current. Names match SCREEN_NAMES in src/server/help/guide-types.ts (a unit
 * test checks each is taken here). Secrets are masked: the webhook URL's token, and the API key even
 * though the simulator's is a throwaway. Next serves public/ files present at build: the guides show
 * the PNGs committed with the build.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { createUser, newUser, saveKey, signInAdmin, simAccount, storeStrategy, subscribeCard, uniqueEmail } from "./fixtures";

const DIR = path.resolve(import.meta.dirname, "../public/help/screens");
const MASK_COLOR = "#cbd5e1";

test.use({ viewport: { width: 1000, height: 700 } });

async function shoot(target: Locator, name: string, mask: Locator[] = []) {
  fs.mkdirSync(DIR, { recursive: true });
  const file = path.join(DIR, `${name}.png`);
  await target.screenshot({ path: file, mask, maskColor: MASK_COLOR, animations: "disabled", caret: "hide" });
  expect(fs.statSync(file).size).toBeGreaterThan(1000);
}

/** Spinners and "Loading…" lines gone: the screen as a person reads it. */
async function settled(page: Page) {
  await expect(page.getByText(/Loading/).filter({ visible: true })).toHaveCount(0);
}

test("screens of a user's own pages: keys, subscription settings, trading mode, the go-live confirmation", async ({ page }) => {
  test.setTimeout(90_000);
  await newUser(page, { tier: "PRO", prefix: "help-screens" });

  await page.goto("/keys");
  const key = await simAccount("binance", { balances: { USDT: "2500" } });
  const card = await saveKey(page, "Binance", key);
  await expect(card.getByTestId("key-status")).toHaveText("ACTIVE");
  await page.getByTestId("verify-result").getByRole("button", { name: "Dismiss" }).click();
  await settled(page);
  await shoot(card, "keys-connected", [card.getByTestId("masked-key")]);

  const strategy = "BTC perpetual (example)";
  await storeStrategy(strategy, "LINEAR");
  await page.goto("/signals");
  const sub = subscribeCard(page, strategy);
  await sub.getByLabel("Exchange key").selectOption({ index: 1 });
  await sub.getByLabel("Sizing").selectOption("FIXED_QUOTE");
  await sub.getByLabel("Size", { exact: true }).fill("50");
  await sub.getByLabel("Leverage cap").fill("5");
  await sub.getByLabel("Max order value (optional)").fill("500");
  await sub.getByRole("button", { name: "Subscribe" }).click();
  await expect(sub.getByTestId("subscription-message")).toHaveText("Subscribed.");
  await sub.getByLabel("My own settings").check();
  await sub.getByLabel("Stop-loss %").fill("2");
  await sub.getByRole("button", { name: "Save" }).click();
  await expect(sub.getByTestId("subscription-message")).toHaveText("Saved.");
  await settled(page);
  await shoot(sub, "subscription-settings", [sub.getByLabel("Exchange key")]);

  await page.goto("/settings");
  const mode = page.getByRole("region", { name: "Trading mode" });
  await mode.getByLabel(/^Paper/).click();
  await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PAPER.");
  await settled(page);
  await shoot(mode, "trading-mode");

  await mode.getByLabel(/Personal \(live\)/).click();
  const dialog = page.getByRole("dialog", { name: "Switch to live trading?" });
  await expect(dialog.getByTestId("go-live-count")).toHaveText("1 of 1 subscription will trade live.");
  await shoot(dialog, "go-live-dialog", [dialog.getByTestId("go-live-key")]);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("mode-message")).toHaveText("Trading mode unchanged: PAPER.");
});

test("screen of a strategy's webhook URL and alert message (Admin → Strategies), the token masked", async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  const email = uniqueEmail("help-admin");
  const password = "help screens admin password";
  createUser({ email, password, admin: true, tier: "PRO" });
  await signInAdmin(page, email, password);
  await page.goto("/admin/strategies");
  // Names need not be unique; .first() below is this one (other specs use their own names).
  const name = "BTC spot (example)";
  const form = page.getByRole("form", { name: "New strategy" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Allowed symbols").fill("BTC/USDT");
  await form.getByRole("button", { name: "Create strategy" }).click();
  await expect(page.getByTestId("strategy-created")).toContainText("it is shown once");
  await page.getByTestId("webhook-once").getByRole("button", { name: "Done, I copied it" }).click();

  const card = page.getByTestId("strategy-card").filter({ hasText: name }).first();
  await expect(card.getByTestId("alert-template")).toBeVisible();
  await settled(page);
  // Even the token's last 4 characters stay off a committed picture.
  await shoot(card, "strategy-alert", [card.getByTestId("webhook-hint")]);
  await context.close();
});
