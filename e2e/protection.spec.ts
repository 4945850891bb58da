import { expect, test, type Page } from "@playwright/test";
import { confirmGoLive, connectKey, createUser, query, signIn, signInAdmin, simAccount, uniqueEmail } from "./fixtures";

const simPost = async (path: string, body: unknown) => {
  const res = await fetch(`${process.env.SIM_URL}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${await res.text()}`);
};
/** The market moves: spot and the perpetual alike (conditional orders on the perpetual trigger at once). */
const setPrice = async (price: string) => {
  for (const symbol of ["BTC/USDT", "BTC/USDT:USDT"]) await simPost("/__sim/prices", { exchange: "bybit", symbol, price });
};

/** An admin creates a linear strategy and sets its protection on Admin -> Strategies; the form names what is wrong. */
async function adminStrategy(page: Page, name: string): Promise<string> {
  const email = uniqueEmail("protection-admin");
  createUser({ email, password: "protection admin password", admin: true });
  await signInAdmin(page, email, "protection admin password");
  await page.goto("/admin/strategies");
  const create = page.getByRole("form", { name: "New strategy" });
  await create.getByLabel("Name").fill(name);
  await create.getByLabel("Allowed symbols").fill("BTC/USDT");
  await create.getByLabel("Market type").selectOption({ label: "Linear perpetual" });
  await create.getByRole("button", { name: "Create strategy" }).click();
  await expect(page.getByTestId("strategy-created")).toContainText(name);
  // The webhook URL is shown once, right after creation (only its hash is kept).
  const webhookUrl = await page.getByTestId("webhook-once").getByTestId("webhook-url").inputValue();
  await page.getByTestId("webhook-once").getByRole("button", { name: "Done, I copied it" }).click();

  const card = page.getByTestId("strategy-card").filter({ hasText: name });
  await card.getByText("Edit protection").click();
  const form = card.getByRole("form", { name: `Protection of ${name}` });
  await form.getByLabel("Stop-loss %").fill("3");
  await form.getByRole("button", { name: "Add take-profit level" }).click();
  await form.getByRole("button", { name: "Add take-profit level" }).click();
  await form.getByLabel("Take-profit 1 distance %").fill("2");
  await form.getByLabel("Take-profit 1 share %").fill("60");
  await form.getByLabel("Take-profit 2 distance %").fill("4");
  await form.getByLabel("Take-profit 2 share %").fill("50");
  await form.getByLabel(/break-even/).check();
  await form.getByLabel("Widest stop-loss a subscriber may choose %").fill("5");
  await form.getByRole("button", { name: "Save protection" }).click();
  await expect(form.getByRole("alert")).toHaveText("The take-profit shares add up to 110 %; they must add up to at most 100 %.");
  await form.getByLabel("Take-profit 1 share %").fill("50");
  await form.getByRole("button", { name: "Save protection" }).click();
  await expect(form.getByTestId("protection-saved")).toHaveText("Protection saved. It applies to positions opened from now on.");
  await expect(card.getByTestId("strategy-protection")).toHaveText(
    "Stop-loss 3 % · take-profits 2 % (closes 50 %), 4 % (closes 50 %) · stop-loss to break-even after the first take-profit · subscribers' stop-loss at most 5 %",
  );
  // Admins see positions left without a stop-loss on the metrics page.
  await page.goto("/admin/metrics");
  await expect(page.getByTestId("unprotected-positions")).toContainText("Unprotected positions");
  return new URL(webhookUrl).pathname;
}

/** A user with their own simulator key, trading live, who follows the strategy with 1,000 USDT an order and their own stop-loss and take-profits. */
async function subscriber(page: Page, strategyName: string) {
  const email = uniqueEmail("protection");
  createUser({ email, password: "protection password", tier: "PRO" });
  await signIn(page, email, "protection password");
  const key = await simAccount("bybit", { balances: { USDT: "5000" } });
  await connectKey(page, "Bybit", key);
  await page.goto("/settings");
  await confirmGoLive(page);
  await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PERSONAL.");

  await page.goto("/signals");
  const sub = page.getByTestId("subscribe-card").filter({ hasText: strategyName });
  await expect(sub.getByTestId("strategy-protection-defaults")).toContainText("Stop-loss 3 % · take-profits 2 % (closes 50 %), 4 % (closes 50 %)");
  await expect(sub.getByTestId("strategy-protection-defaults")).toContainText("at most 5 % from the entry");
  await expect(sub).toContainText("Trailing stops are Binance-only");
  await sub.getByLabel("Sizing").selectOption("FIXED_QUOTE");
  await sub.getByLabel("Size", { exact: true }).fill("1000");
  await sub.getByLabel("My own settings").check();
  // The own settings start from the strategy's; a stop wider than the strategy allows is refused by the server, on its field.
  await expect(sub.getByLabel("Stop-loss %")).toHaveValue("3");
  await sub.getByLabel("Stop-loss %").fill("8");
  await sub.getByRole("button", { name: "Subscribe" }).click();
  await expect(sub.getByRole("alert")).toHaveText("This strategy allows a stop-loss at most 5 % from the entry.");
  await expect(sub.getByLabel("Stop-loss %")).toHaveAttribute("aria-invalid", "true");
  await sub.getByLabel("Stop-loss %").fill("2");
  await sub.getByRole("button", { name: "Subscribe" }).click();
  await expect(sub.getByTestId("subscription-message")).toHaveText("Subscribed.");
  return { email, apiKey: key.apiKey };
}

test("protective orders: an admin sets defaults, a subscriber sets SL/TP, an alert opens a position with its orders on the exchange, the price crosses the take-profit and the page shows the result", async ({ browser, request }) => {
  test.setTimeout(180_000);
  await setPrice("50000");
  const name = `Protected ${Date.now().toString(36)}`;
  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const webhook = await adminStrategy(await adminContext.newPage(), name);
  await adminContext.close();

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const user = await subscriber(page, name);

  const alert = await request.post(webhook, {
    headers: { "content-type": "application/json" },
    data: JSON.stringify({ ticker: "BTCUSDT.P", action: "buy", price: "50000", id: `protected-open-${Date.now()}` }),
  });
  expect(alert.status()).toBe(202);

  // The position (0.02 BTC at 50,000) with its stop-loss 2 % below and two take-profits, 0.01 BTC each, on the user's own account.
  await page.goto("/positions");
  const position = page.locator('[data-testid="position"][data-view="table"]').filter({ hasText: name });
  await expect(position).toBeVisible({ timeout: 20_000 });
  await expect(position).toContainText("BTC/USDT:USDT");
  const order = (kind: string, level: number) => position.locator(`[data-testid="protective-order"][data-kind="${kind}"][data-level="${level}"]`);
  await expect(order("STOP_LOSS", 0)).toHaveAttribute("data-status", "OPEN", { timeout: 20_000 });
  await expect(order("STOP_LOSS", 0)).toContainText("at 49,000");
  await expect(order("STOP_LOSS", 0)).toContainText("× 0.02");
  await expect(order("TAKE_PROFIT", 1)).toHaveAttribute("data-status", "OPEN");
  await expect(order("TAKE_PROFIT", 1)).toContainText("Take-profit 1 at 51,000 × 0.01");
  await expect(order("TAKE_PROFIT", 2)).toContainText("Take-profit 2 at 52,000 × 0.01");
  await expect(order("TAKE_PROFIT", 1).getByTestId("protective-order-status")).toHaveText("On the exchange");
  await expect(position.getByTestId("unprotected-badge")).toHaveCount(0);

  // The price crosses the first take-profit: the exchange fills it, the protection watch books it and
  // moves the stop-loss to the entry (break-even); the page shows it without a reload.
  await setPrice("51050");
  await expect(order("TAKE_PROFIT", 1)).toHaveAttribute("data-status", "FILLED", { timeout: 30_000 });
  await expect(order("TAKE_PROFIT", 1).getByTestId("protective-order-status")).toHaveText("Filled at 51,050");
  await expect(position.locator("td").nth(2)).toHaveText("0.01");
  await expect(order("STOP_LOSS", 0)).toContainText("Stop-loss (break-even) at 50,000 × 0.01", { timeout: 20_000 });
  await expect(order("TAKE_PROFIT", 2)).toHaveAttribute("data-status", "OPEN");
  const realized = position.getByTestId("position-realized-pnl");
  await expect(realized).toHaveAttribute("data-value", /^(9|10)\.\d+$/);
  await expect(realized).toHaveClass(/text-green-700/);

  // The trade history: the take-profit's fill, with its realized PnL, as the ledger booked it.
  const [tp] = await query<{ realizedPnl: string }>(
    `SELECT f."realizedPnl"::text AS "realizedPnl" FROM "Fill" f JOIN "User" u ON u.id = f."userId" JOIN "ProtectiveOrder" po ON po.id = f."protectiveOrderId"
      WHERE u.email = $1 AND po.kind = 'TAKE_PROFIT'`,
    [user.email],
  );
  const tpTrade = page.locator('[data-testid="trade"][data-view="table"][data-source="TAKE_PROFIT"]').filter({ hasText: name });
  await expect(tpTrade).toContainText("Reduce · take-profit", { timeout: 20_000 });
  await expect(tpTrade.getByTestId("realized-pnl")).toHaveAttribute("data-value", tp!.realizedPnl.replace(/\.?0+$/, ""));

  // On a phone the same orders are on the position's card.
  await page.setViewportSize({ width: 390, height: 844 });
  const card = page.locator('[data-testid="position"][data-view="card"]').filter({ hasText: name });
  await expect(card.locator('[data-testid="protective-order"][data-kind="TAKE_PROFIT"][data-level="1"]')).toHaveAttribute("data-status", "FILLED");
  await expect(card.locator('[data-testid="protective-order"][data-kind="STOP_LOSS"]')).toContainText("break-even");
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  await context.close();
});
