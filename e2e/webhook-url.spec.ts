import { expect, test } from "@playwright/test";
import { createUser, query, signInAdmin, uniqueEmail } from "./fixtures";

const alert = () => ({
  headers: { "content-type": "application/json" },
  data: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: "50000", id: `rotate-${Date.now()}-${Math.random().toString(36).slice(2)}` }),
});
const SIZES = [
  { label: "desktop", viewport: { width: 1280, height: 800 } },
  { label: "phone", viewport: { width: 390, height: 844 } },
];

for (const size of SIZES) {
  test(`webhook URL (${size.label}): shown once with a copy button; rotating asks to confirm and step up, shows the new URL once, and the old one is refused`, async ({ browser, request }) => {
    test.setTimeout(90_000);
    const context = await browser.newContext({ viewport: size.viewport, permissions: ["clipboard-read", "clipboard-write"] });
    const page = await context.newPage();
    const email = uniqueEmail("rotate");
    const password = "rotate admin password";
    createUser({ email, password, admin: true, tier: "PRO" });
    await signInAdmin(page, email, password);
    await page.goto("/admin/strategies");
    const name = `Rotate ${size.label} ${Date.now().toString(36)}`;
    const form = page.getByRole("form", { name: "New strategy" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Allowed symbols").fill("BTC/USDT");
    await form.getByRole("button", { name: "Create strategy" }).click();
    await expect(page.getByTestId("strategy-created")).toContainText("it is shown once");

    const created = page.getByTestId("webhook-once");
    await created.getByRole("button", { name: "Copy webhook URL" }).click();
    const oldUrl = await page.evaluate(() => navigator.clipboard.readText());
    expect(oldUrl).toMatch(/\/api\/webhooks\/tradingview\/[A-Za-z0-9_-]{32}$/);
    await created.getByRole("button", { name: "Done, I copied it" }).click();
    await expect(page.getByTestId("webhook-once")).toHaveCount(0);
    expect((await request.post(oldUrl, alert())).status()).toBe(202);

    // As if the sign-in was more than 5 minutes ago: rotating must ask for the password again.
    await query(`UPDATE "Session" SET "stepUpAt" = now() - interval '6 minutes' WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [email]);
    const card = page.getByTestId("strategy-card").filter({ hasText: name });
    await card.getByRole("button", { name: "Rotate webhook URL" }).click();
    await page.getByRole("dialog", { name: `Rotate the webhook URL of ${name}?` }).getByRole("button", { name: "Yes, rotate" }).click();
    const stepUp = page.getByRole("dialog", { name: "Confirm it's you" });
    await expect(stepUp).toBeVisible();
    await stepUp.getByLabel("Password").fill(password);
    await stepUp.getByRole("button", { name: "Confirm" }).click();
    await expect(stepUp).toBeHidden();
    await expect(card.getByRole("status")).toContainText("the old one no longer works");

    const rotated = card.getByTestId("webhook-once");
    await rotated.getByRole("button", { name: "Copy webhook URL" }).click();
    const newUrl = await page.evaluate(() => navigator.clipboard.readText());
    expect(newUrl).toMatch(/\/api\/webhooks\/tradingview\/[A-Za-z0-9_-]{32}$/);
    expect(newUrl).not.toBe(oldUrl);
    expect((await request.post(oldUrl, alert())).status()).toBe(404);
    expect((await request.post(newUrl, alert())).status()).toBe(202);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    const audit = await query<{ outcome: string }>(
      `SELECT a.outcome::text AS outcome FROM "AuditLog" a JOIN "User" u ON u.id = a."actorId" WHERE a.action = 'strategy.rotate_token' AND u.email = $1`,
      [email],
    );
    expect(audit).toEqual([{ outcome: "SUCCESS" }]);

    // Shown once: after a reload only the new URL's hint is left, and neither token is on the page.
    await page.reload();
    const [oldToken, newToken] = [oldUrl, newUrl].map((u) => u.split("/").at(-1)!);
    await expect(card.getByTestId("webhook-hint")).toContainText(`…${newToken!.slice(-4)}`);
    await expect(card.getByText("Shown once; rotate to get a new one.")).toBeVisible();
    const html = await page.content();
    expect([oldToken, newToken].filter((t) => html.includes(t!))).toEqual([]);
    await context.close();
  });
}
