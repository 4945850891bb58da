import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createUser, query, signInAdmin, uniqueEmail } from "./fixtures";

/** A subscriber in the given mode, subscribed straight in the database (their own screens are other specs' business). */
async function subscriber(strategyId: string, mode: "PERSONAL" | "PAPER") {
  const email = uniqueEmail(mode.toLowerCase());
  createUser({ email, password: "subscriber password", tier: "PRO" });
  const [u] = await query<{ id: string }>(`UPDATE "User" SET "tradingMode" = $2 WHERE email = $1 RETURNING id`, [email, mode]);
  await query(`INSERT INTO "Subscription" (id, "userId", "strategyId", "sizingMode", "sizingValue", "updatedAt") VALUES ($1, $2, $3, 'FIXED_QUOTE', 50, now())`, [`sub${crypto.randomBytes(8).toString("hex")}`, u!.id, strategyId]);
  return email;
}

async function noHorizontalScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
}

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`an admin edits a strategy, sends a test alert (paper for every subscriber) and finds a refused delivery in the log with its reason (${viewport.width}px)`, async ({ browser, request }) => {
    test.setTimeout(180_000);
    for (const exchange of ["binance", "bybit"]) {
      await fetch(`${process.env.SIM_URL}/__sim/prices`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ exchange, symbol: "BTC/USDT", price: "50000" }) });
    }
    const context = await browser.newContext({ viewport });
    const admin = await context.newPage();
    const adminEmail = uniqueEmail("admin");
    createUser({ email: adminEmail, password: "admin password 1", admin: true, tier: "PRO" });
    await signInAdmin(admin, adminEmail, "admin password 1");

    await admin.goto("/admin/strategies");
    // NEXTAUTH_URL is plain http here: the page says TradingView could not call it.
    await expect(admin.getByTestId("webhook-base-warning").first()).toContainText("TradingView only calls ports 80 and 443");
    const name = `Managed ${Date.now().toString(36)}`;
    const form = admin.getByRole("form", { name: "New strategy" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Allowed symbols").fill("BTC/USDT");
    await form.getByRole("button", { name: "Create strategy" }).click();
    await expect(admin.getByTestId("strategy-created")).toContainText(name);
    const webhookUrl = await admin.getByTestId("webhook-once").getByTestId("webhook-url").inputValue();
    expect(webhookUrl).toMatch(/^http:\/\/localhost:\d+\/api\/webhooks\/tradingview\/[A-Za-z0-9_-]{32}$/);
    const [row] = await query<{ id: string }>(`SELECT id FROM "Strategy" WHERE name = $1`, [name]);
    const personal = await subscriber(row!.id, "PERSONAL");
    const paper = await subscriber(row!.id, "PAPER");

    const card = admin.getByTestId("strategy-card").filter({ hasText: name });
    await admin.reload();
    await expect(card.getByTestId("strategy-subscribers")).toHaveText("2");
    await card.getByRole("button", { name: "Manual close" }).click();
    await expect(card.getByTestId("alert-template")).toHaveValue(/"action": "exit"/);
    await card.getByRole("link", { name: /Manage/ }).click();
    await expect(admin.getByRole("heading", { level: 1, name })).toBeVisible();

    // Edit: a bad value names the field; a good one is saved.
    const settings = admin.getByRole("form", { name: "Strategy settings" });
    await settings.getByLabel("Cooldown seconds").fill("-5");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(settings.getByText("cooldownSeconds must be 0 or more")).toBeVisible();
    await settings.getByLabel("Cooldown seconds").fill("0");
    await settings.getByLabel(/Description/).fill("Buys BTC on 4h breakouts.");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(admin.getByTestId("strategy-saved")).toHaveText(`Saved “${name}”.`);
    await expect(admin.getByText("Buys BTC on 4h breakouts.").first()).toBeVisible();

    // Send test alert: one PAPER execution per subscriber, the PERSONAL one included.
    await admin.getByRole("button", { name: "Send test alert" }).click();
    const result = admin.getByTestId("test-alert-result");
    await expect(result).toHaveAttribute("data-status", "DONE", { timeout: 30_000 });
    const executions = result.getByTestId("test-execution");
    await expect(executions).toHaveCount(2);
    for (const email of [personal, paper]) {
      const e = executions.filter({ hasText: email });
      await expect(e.getByTestId("execution-status")).toHaveText("FILLED");
      await expect(e.getByTestId("paper-tag")).toBeVisible();
    }
    const paperFlags = await query<{ paper: boolean }>(`SELECT e.paper FROM "Execution" e JOIN "Signal" s ON s.id = e."signalId" WHERE s."strategyId" = $1 AND s.test`, [row!.id]);
    expect(paperFlags.map((p) => p.paper)).toEqual([true, true]);

    // TradingView sends a message whose placeholders were never filled: refused, and the log says why.
    const refused = await request.post(webhookUrl, { headers: { "content-type": "text/plain" }, data: `{"ticker": "{{ticker}}", "action": "buy", "price": {{close}}, "secret": "do-not-show-me"}` });
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error).toMatch(/^body: The alert still contains TradingView placeholders \{\{ticker\}\}, \{\{close\}\}/);
    const log = admin.getByRole("list", { name: "Webhook deliveries" });
    const refusedRow = log.getByTestId("delivery-row").filter({ hasText: "Refused 400" });
    await expect(refusedRow).toHaveCount(1, { timeout: 10_000 });
    await expect(refusedRow.getByTestId("delivery-reason")).toContainText("The alert still contains TradingView placeholders {{ticker}}, {{close}}");
    await refusedRow.getByRole("button", { name: /Show body/ }).click();
    await expect(refusedRow.getByTestId("delivery-body")).toContainText('"secret": "***"');
    await expect(refusedRow.getByTestId("delivery-body")).not.toContainText("do-not-show-me");
    // Filters: refused only hides the test alert's accepted delivery.
    await expect(log.getByTestId("delivery-row").filter({ hasText: "Accepted 202" })).toHaveCount(1);
    await admin.getByRole("form", { name: "Filter deliveries" }).getByLabel("Outcome").selectOption("refused");
    await admin.getByRole("button", { name: "Filter" }).click();
    await expect(log.getByTestId("delivery-row")).toHaveCount(1);
    await noHorizontalScroll(admin);

    // Disable, after confirming: the webhook answers 409 and the log shows it.
    await admin.getByRole("button", { name: "Disable…" }).click();
    await admin.getByRole("button", { name: "Yes, disable" }).click();
    await expect(admin.getByTestId("strategy-summary")).toContainText("Disabled");
    const disabled = await request.post(webhookUrl, { headers: { "content-type": "application/json" }, data: '{"ticker":"BTCUSDT","action":"buy"}' });
    expect(disabled.status()).toBe(409);
    await expect(log.getByTestId("delivery-row").filter({ hasText: "Refused 409" }).getByTestId("delivery-reason")).toContainText("disabled", { timeout: 10_000 });
    await noHorizontalScroll(admin);
    await context.close();
  });
}
