import { expect, test, type Browser } from "@playwright/test";
import { confirmGoLive, connectKey, createUser, query, signIn, signInAdmin, simAccount, simOrders, subscribeQuote, uniqueEmail } from "./fixtures";

/** A user of the given tier who connected their own simulator key, went PERSONAL and subscribed. */
async function subscriber(browser: Browser, tier: "PRO" | "TRIAL", strategyName: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const email = uniqueEmail(tier.toLowerCase());
  createUser({ email, password: "subscriber password", tier });
  await signIn(page, email, "subscriber password");
  const key = await simAccount("bybit", { balances: { USDT: "5000" } });
  await connectKey(page, "Bybit", key);
  await page.goto("/settings");
  await confirmGoLive(page);
  await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PERSONAL.");
  await subscribeQuote(page, strategyName, "50");
  return { page, context, apiKey: key.apiKey };
}

test("admin strategy -> two users subscribe -> TradingView alerts (JSON and text) -> one order each on their own account, PRO first", async ({ browser, request }) => {
  test.setTimeout(120_000);
  await fetch(`${process.env.SIM_URL}/__sim/prices`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ exchange: "bybit", symbol: "BTC/USDT", price: "50000" }) });

  const adminContext = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const admin = await adminContext.newPage();
  const adminEmail = uniqueEmail("admin");
  createUser({ email: adminEmail, password: "admin password 1", admin: true, tier: "PRO" });
  await signInAdmin(admin, adminEmail, "admin password 1");
  await admin.goto("/admin/strategies");
  const name = `BTC momentum ${Date.now().toString(36)}`;
  const form = admin.getByRole("form", { name: "New strategy" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Allowed symbols").fill("BTC/USDT, ETH/USDT");
  await form.getByLabel("Market type").selectOption({ label: "Spot" });
  await form.getByRole("button", { name: "Create strategy" }).click();
  await expect(admin.getByTestId("strategy-created")).toContainText(name);
  // The webhook URL is shown once, right after creation, with a copy button.
  await admin.getByTestId("webhook-once").getByRole("button", { name: "Copy webhook URL" }).click();
  const webhookUrl = await admin.evaluate(() => navigator.clipboard.readText());
  expect(webhookUrl).toMatch(/\/api\/webhooks\/tradingview\/[A-Za-z0-9_-]{32}$/);
  const token = webhookUrl.split("/").at(-1)!;
  // Afterwards only a hint: the strategy's card, and the page after a reload, never hold the token.
  const card = admin.getByTestId("strategy-card").filter({ hasText: name });
  await expect(card.getByTestId("webhook-hint")).toHaveText(new RegExp(`/api/webhooks/tradingview/…${token.slice(-4)}$`));
  await expect(card.getByText("Shown once; rotate to get a new one.")).toBeVisible();
  await admin.reload();
  await expect(card.getByTestId("webhook-hint")).toContainText(token.slice(-4));
  await expect(admin.getByTestId("webhook-once")).toHaveCount(0);
  expect(await admin.content()).not.toContain(token);
  await card.getByRole("button", { name: "Copy alert message" }).click();
  const template = await admin.evaluate(() => navigator.clipboard.readText());
  expect(template).toContain("{{strategy.order.action}}");

  // The TRIAL user subscribes first, so only the tier can put PRO ahead.
  const trial = await subscriber(browser, "TRIAL", name);
  const pro = await subscriber(browser, "PRO", name);

  // TradingView fills the placeholders and POSTs the message as JSON.
  const fill = (t: string, v: Record<string, string>) => t.replace(/\{\{([^{}]+)\}\}/g, (w, k: string) => v[k] ?? w);
  const alertJson = fill(template, {
    ticker: "BTCUSDT", "strategy.order.action": "buy", "strategy.order.contracts": "0.001", "strategy.order.id": "Long",
    "strategy.market_position": "long", "strategy.market_position_size": "0.002", "strategy.prev_market_position": "flat", "strategy.prev_market_position_size": "0", close: "50000", timenow: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  });
  const first = await request.post(webhookUrl, { headers: { "content-type": "application/json" }, data: alertJson });
  expect(first.status()).toBe(202);
  const firstBody = await first.json();
  expect(firstBody.subscribers).toBe(2);

  // A re-delivery of the same alert creates nothing.
  const again = await request.post(webhookUrl, { headers: { "content-type": "application/json" }, data: alertJson });
  expect(again.status()).toBe(200);
  expect((await again.json()).signalId).toBe(firstBody.signalId);

  await expect
    .poll(async () => [(await simOrders(`?apiKey=${pro.apiKey}`)).length, (await simOrders(`?apiKey=${trial.apiKey}`)).length], { timeout: 20_000 })
    .toEqual([1, 1]);

  // Later (once the entry's fills are booked: an exit that overtakes them finds nothing to close), the strategy exits:
  // an alert as text/plain key=value lines.
  await expect.poll(async () => (await query<{ status: string }>(`SELECT status::text FROM "Signal" WHERE id = $1`, [firstBody.signalId]))[0]?.status, { timeout: 20_000 }).toBe("DONE");
  const text = await request.post(webhookUrl, { headers: { "content-type": "text/plain" }, data: `ticker=BTCUSDT\naction=exit\nprice=50000\nid=text-${Date.now()}` });
  expect(text.status()).toBe(202);

  // Each user: exactly one buy and one closing sell, signed by their own key; PRO's buy was sent first.
  await expect
    .poll(async () => [(await simOrders(`?apiKey=${pro.apiKey}`)).length, (await simOrders(`?apiKey=${trial.apiKey}`)).length], { timeout: 20_000 })
    .toEqual([2, 2]);
  const proOrders = await simOrders(`?apiKey=${pro.apiKey}`);
  const trialOrders = await simOrders(`?apiKey=${trial.apiKey}`);
  expect(proOrders.every((o) => o.apiKey === pro.apiKey) && trialOrders.every((o) => o.apiKey === trial.apiKey)).toBe(true);
  // PRO's order was sent first (the engine's send times; the exchange's arrival order can differ by a millisecond).
  const sent = await query<{ tier: string; sentAt: Date }>(
    `SELECT u.tier::text AS tier, e."sentAt" FROM "Execution" e JOIN "User" u ON u.id = e."userId" WHERE e."signalId" = $1`,
    [firstBody.signalId],
  );
  const at = (tier: string) => sent.find((r) => r.tier === tier)!.sentAt.getTime();
  expect(at("PRO")).toBeLessThanOrEqual(at("TRIAL"));

  // Each user sees their executions filled; the admin sees the fan-out finished.
  for (const u of [pro, trial]) {
    await u.page.goto("/signals");
    await expect(u.page.getByTestId("my-execution-row")).toHaveCount(2);
    await expect(u.page.locator('[data-testid="my-execution-row"][data-status="FILLED"]')).toHaveCount(2, { timeout: 15_000 });
  }
  await admin.goto("/admin/signals");
  const row = admin.getByTestId("signal-row").filter({ hasText: name }).first();
  await expect(row.getByRole("progressbar", { name: "Fan-out progress" })).toHaveAttribute("aria-valuenow", "2", { timeout: 15_000 });
  await row.getByRole("button", { name: "Details" }).click();
  await expect(admin.getByTestId("execution-row")).toHaveCount(2);
  await expect(admin.locator('[data-testid="execution-row"][data-status="FILLED"]')).toHaveCount(2);
  for (const c of [adminContext, pro.context, trial.context]) await c.close();
});
