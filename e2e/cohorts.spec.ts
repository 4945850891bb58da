/**
 * Live-trading cohorts, as people do it: the admin opens live trading to PRO users only (Users page);
 * a TRIAL user sees Personal (live) unavailable with the reason and asks for access; the admin
 * approves it on the Users page; the user is notified and goes live. The user's view at a desktop
 * and a phone size. The cohort is set back to everyone afterwards: the specs share one database.
 */
import { execFileSync } from "node:child_process";
import { expect, test, type Browser } from "@playwright/test";
import { confirmGoLive, connectKey, createUser, signIn, signInAdmin, simAccount, uniqueEmail } from "./fixtures";

const REASON = "Live trading is open to PRO users and the beta list for now. Ask for access in Settings, under Trading mode.";

test.afterAll(() => {
  const out = execFileSync("npx", ["tsx", "scripts/cohort.ts", "set", "--everyone"], { env: process.env, encoding: "utf8" });
  expect(out).toContain("cohort: Live trading is open to everyone.");
});

/** An admin (desktop) with 2FA on the Users page. */
async function adminOnUsersPage(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const email = uniqueEmail("cohort-admin");
  createUser({ email, password: "cohort admin password", admin: true });
  await signInAdmin(page, email, "cohort admin password");
  await page.goto("/admin/users");
  return page;
}

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]) {
  test(`a TRIAL user outside a PRO-only cohort asks for live trading, an admin approves, the user goes live (${viewport.width}x${viewport.height})`, async ({ browser }) => {
    test.setTimeout(120_000);
    const admin = await adminOnUsersPage(browser);
    const panel = admin.getByTestId("cohort-panel");
    await panel.getByLabel("Chosen tiers (and the beta list)").check();
    for (const tier of ["FLEX", "TRIAL"]) await panel.getByLabel(tier, { exact: true }).uncheck();
    await panel.getByLabel("PRO", { exact: true }).check();
    await panel.getByRole("button", { name: "Save cohort" }).click();
    const confirm = admin.getByRole("dialog", { name: "Change who may trade live?" });
    await expect(confirm).toContainText("Live trading is open to PRO users and the beta list.");
    await expect(confirm).toContainText(/No live user would be moved\.|\d+ live users? would be moved to PAPER and notified\./);
    await confirm.getByRole("button", { name: "Save" }).click();
    await expect(confirm).toBeHidden();
    await expect(panel.getByTestId("cohort-message")).toContainText("Saved. Live trading is open to PRO users and the beta list.");
    await expect(panel.getByTestId("cohort-now")).toContainText("Live trading is open to PRO users and the beta list.");

    // The TRIAL user, with an ACTIVE key: Personal is unavailable, with the reason and a way to ask.
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const email = uniqueEmail("cohort-trial");
    createUser({ email, password: "cohort trial password", tier: "TRIAL" });
    await signIn(page, email, "cohort trial password");
    await connectKey(page, "Bybit", await simAccount("bybit"));
    await page.goto("/settings");
    await expect(page.getByLabel(/Personal \(live\)/)).toBeDisabled();
    await expect(page.getByTestId("live-access-why")).toHaveText(`Unavailable: ${REASON}`);
    await expect(page.getByLabel(/^Paper/)).toBeEnabled();
    await page.getByRole("button", { name: "Ask for access" }).click();
    await page.getByLabel("Message to the admins (optional)").fill("I have traded this strategy by hand for a year.");
    await page.getByRole("button", { name: "Send request" }).click();
    await expect(page.getByTestId("live-access-pending")).toHaveText("Request pending: an admin will answer, and you will be notified.");
    await page.reload();
    await expect(page.getByTestId("live-access-pending")).toBeVisible();
    await expect(page.getByRole("button", { name: "Ask for access" })).toHaveCount(0);

    // The admin approves it on the Users page.
    await admin.reload();
    const request = admin.locator(`[data-testid="access-request"][data-email="${email}"]`);
    await expect(request).toContainText("I have traded this strategy by hand for a year.");
    await expect(request).toContainText("TRIAL");
    await request.getByLabel(`Note for ${email} (optional)`).fill("Welcome to the beta");
    await request.getByRole("button", { name: `Approve ${email}` }).click();
    await expect(admin.getByTestId("requests-message")).toHaveText(`Approved: ${email} is on the beta list and was notified.`);
    await expect(request).toHaveCount(0);
    await admin.getByLabel("Search users").fill(email);
    const row = admin.locator(`[data-testid="user-row"][data-email="${email}"]`);
    await expect(row.getByLabel(`Live beta list: ${email}`)).toBeChecked();

    // The user was told, and now goes live.
    await page.goto("/notifications");
    await expect(page.getByTestId("notification-message").first()).toHaveText(
      "You can now trade live: switch to Personal (live) in Settings when you are ready. Note from the admin: Welcome to the beta.",
    );
    await page.goto("/settings");
    await expect(page.getByLabel(/Personal \(live\)/)).toBeEnabled();
    await expect(page.getByTestId("live-access")).toHaveCount(0);
    await confirmGoLive(page);
    await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PERSONAL.");
    await expect(page.getByTestId("mode-badge")).toHaveText("LIVE");
    await context.close();
    await admin.context().close();
  });
}
