import { expect, test, type Page } from "@playwright/test";
import { confirmGoLive, connectKey, createUser, query, signIn, signInAdmin, simAccount, subscribeQuote, uniqueEmail, storeStrategy } from "./fixtures";

const SIM = () => process.env.SIM_URL!;
const simPost = async (path: string, body: unknown) => {
  const res = await fetch(`${SIM()}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${await res.text()}`);
};
const setPrice = (price: string) => simPost("/__sim/prices", { exchange: "bybit", symbol: "BTC/USDT", price });

/**
 * A strategy as an admin creates it on Admin -> Strategies (that page has its own e2e in
 * signals.spec.ts); here only its webhook URL matters.
 */

/** A user who connects their own simulator key, trades live (PERSONAL) and follows the strategy with 50 USDT per alert. */
async function subscriber(page: Page, strategyName: string) {
  const email = uniqueEmail("positions");
  createUser({ email, password: "positions password", tier: "PRO" });
  await signIn(page, email, "positions password");
  const key = await simAccount("bybit", { balances: { USDT: "5000" } });
  await connectKey(page, "Bybit", key);
  await page.goto("/settings");
  await confirmGoLive(page);
  await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PERSONAL.");
  await subscribeQuote(page, strategyName, "50");
  return { email, apiKey: key.apiKey };
}

const VIEWS = [
  { name: "desktop", viewport: { width: 1280, height: 800 }, view: "table", hidden: "card" },
  { name: "phone", viewport: { width: 390, height: 844 }, view: "card", hidden: "table" },
] as const;

for (const v of VIEWS) {
  test(`${v.name} (${v.viewport.width}x${v.viewport.height}): an alert opens a position, its PnL follows the price, the Close button closes it, the history and the dashboard show the realized PnL`, async ({ browser, request }) => {
    test.setTimeout(150_000);
    const context = await browser.newContext({ viewport: v.viewport });
    const page = await context.newPage();
    await setPrice("50000");
    const name = `Positions ${v.name} ${Date.now().toString(36)}`;
    const webhook = await storeStrategy(name);
    const user = await subscriber(page, name);

    // TradingView's alert: a buy. The worker places it on the user's own key.
    const alert = await request.post(webhook, {
      headers: { "content-type": "application/json" },
      data: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: "50000", id: `open-${v.name}-${Date.now()}` }),
    });
    expect(alert.status()).toBe(202);

    await page.goto("/positions");
    const position = page.locator(`[data-testid="position"][data-view="${v.view}"]`).filter({ hasText: name });
    await expect(position).toBeVisible({ timeout: 20_000 });
    // One layout at a time: the table at desktop width, cards on a phone, nothing to scroll sideways.
    await expect(page.locator(`[data-testid="position"][data-view="${v.hidden}"]`).filter({ hasText: name })).toBeHidden();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await expect(position).toContainText("BTC/USDT");
    await expect(position).toContainText("LONG");
    await expect(position.getByTestId("mode-chip")).toHaveText("LIVE");
    await expect(position).toContainText("50,000"); // entry and mark
    const pnl = position.getByTestId("unrealized-pnl");
    // At the entry price the position is down by its fee (0.1 % of 50 USDT, taken in BTC): negative, shown in red.
    await expect(pnl).toHaveAttribute("data-value", /^-0\.0\d+$/);
    await expect(pnl).toHaveClass(/text-red-700/);

    // The market moves up 4 %: the page follows (it refreshes marks on its own).
    await setPrice("52000");
    await expect(pnl).toHaveAttribute("data-value", /^1\.9\d+$/, { timeout: 20_000 });
    await expect(pnl).toContainText(/^\+1\.9\d/);
    await expect(pnl).toHaveClass(/text-green-700/);
    await expect(position).toContainText("52,000");

    // Close with the button, confirmed. The exchange is slow to answer this once, so "Closing…" shows.
    await simPost("/__sim/faults", { apiKey: user.apiKey, latencyMs: 2500, count: 1, paths: ["/v5/order/create"] });
    await position.getByRole("button", { name: `Close ${name} · BTC/USDT` }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(`Close BTC/USDT (${name})?`);
    await dialog.getByRole("button", { name: "Close position" }).click();
    await expect(dialog).toBeHidden();
    await expect(position.getByTestId("position-closing")).toBeVisible();
    await expect(page.getByTestId("position-closed-message")).toContainText(`${name} · BTC/USDT is closed`, { timeout: 20_000 });
    await expect(position).toHaveCount(0);
    await expect(page.getByTestId("no-positions")).toBeVisible();

    // The close went through the engine on the user's own key, audited.
    const [closeFill] = await query<{ realizedPnl: string; effect: string }>(
      `SELECT f."realizedPnl"::text AS "realizedPnl", f.effect::text AS effect FROM "Fill" f JOIN "User" u ON u.id = f."userId" WHERE u.email = $1 AND f.side = 'sell'`,
      [user.email],
    );
    expect(closeFill!.effect).toBe("CLOSE");
    expect((await query(`SELECT 1 FROM "AuditLog" a JOIN "User" u ON u.id = a."actorId" WHERE u.email = $1 AND a.action = 'position.close'`, [user.email])).length).toBe(1);

    // The trade history: the open and the close, the close with its realized PnL (about +2 USDT less fees).
    const trades = page.locator(`[data-testid="trade"][data-view="${v.view}"]`).filter({ hasText: name });
    await expect(trades).toHaveCount(2, { timeout: 20_000 });
    const close = trades.and(page.locator('[data-effect="CLOSE"]'));
    const realized = close.getByTestId("realized-pnl");
    await expect(realized).toHaveAttribute("data-value", closeFill!.realizedPnl.replace(/\.?0+$/, ""));
    expect(closeFill!.realizedPnl).toMatch(/^1\.8\d+$/);
    await expect(realized).toContainText(/^\+1\.\d\d/);
    await expect(close).toContainText("USDT");

    // Filters and the CSV export of the filtered history.
    await page.getByLabel("Live or paper").selectOption("PAPER");
    await expect(page.getByTestId("no-trades")).toBeVisible();
    await page.getByLabel("Live or paper").selectOption("LIVE");
    await expect(trades).toHaveCount(2);
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const { readFileSync } = await import("node:fs");
    const lines = readFileSync((await (await download).path())!, "utf8").trim().split("\n");
    expect(lines[0]).toMatch(/^time,strategy,symbol,side,effect,/);
    expect(lines.slice(1)).toHaveLength(2);
    expect(lines.find((l) => l.includes('"CLOSE"'))).toContain(`"${closeFill!.realizedPnl.replace(/\.?0+$/, "")}"`);

    // The dashboard: no open position left, the realized PnL today and in total, live apart from paper.
    await page.goto("/dashboard");
    const live = page.getByTestId("summary-live");
    await expect(live.getByTestId("open-count")).toHaveText("0");
    await expect(live.getByTestId("realized-today")).toContainText(/^\+1\.\d\d/);
    await expect(live.getByTestId("realized-total")).toContainText(/^\+1\.\d\d/);
    await expect(page.getByTestId("summary-paper").getByTestId("realized-total")).toHaveText("0.00");
    await context.close();
  });
}

test("Admin -> Strategies: per-strategy totals across subscribers, a table on a desktop, cards on a phone", async ({ browser, request }) => {
  test.setTimeout(150_000);
  await setPrice("50000");
  const name = `Totals ${Date.now().toString(36)}`;
  const webhook = await storeStrategy(name);
  const userContext = await browser.newContext();
  const user = await subscriber(await userContext.newPage(), name);
  await userContext.close();
  // The strategy buys, the price rises, the strategy sells (spot: closes what it holds for each subscriber).
  const send = async (action: string, price: string) => {
    const res = await request.post(webhook, { headers: { "content-type": "application/json" }, data: JSON.stringify({ ticker: "BTCUSDT", action, price, id: `${action}-${name}` }) });
    expect(res.status()).toBe(202);
  };
  const fills = () => query<{ realizedPnl: string }>(`SELECT f."realizedPnl"::text AS "realizedPnl" FROM "Fill" f JOIN "User" u ON u.id = f."userId" WHERE u.email = $1`, [user.email]);
  await send("buy", "50000");
  await expect.poll(async () => (await fills()).length, { timeout: 20_000 }).toBe(1);
  await setPrice("51000");
  await send("sell", "51000");
  await expect.poll(async () => (await fills()).length, { timeout: 20_000 }).toBe(2);
  const [{ total }] = (await query<{ total: string }>(
    `SELECT sum(f."realizedPnl")::text AS total FROM "Fill" f JOIN "User" u ON u.id = f."userId" WHERE u.email = $1`,
    [user.email],
  )) as [{ total: string }];

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const admin = await context.newPage();
  const adminEmail = uniqueEmail("totals-admin");
  createUser({ email: adminEmail, password: "totals admin password", admin: true });
  await signInAdmin(admin, adminEmail, "totals admin password");
  await admin.goto("/admin/strategies");
  const row = (view: string) => admin.locator(`[data-testid="strategy-totals"][data-view="${view}"][data-mode="LIVE"]`).and(admin.locator(`[data-strategy="${name}"]`));
  await expect(row("table")).toBeVisible();
  await expect(row("card")).toBeHidden();
  await expect(row("table").getByTestId("totals-orders")).toHaveText("2");
  await expect(row("table").getByTestId("totals-fills")).toHaveText("2");
  await expect(row("table").getByTestId("totals-realized")).toHaveAttribute("data-value", `${total.replace(/\.?0+$/, "")} USDT`);
  await admin.setViewportSize({ width: 390, height: 844 });
  await expect(row("card")).toBeVisible();
  await expect(row("table")).toBeHidden();
  await expect(row("card").getByTestId("totals-orders")).toHaveText("2 / 2");
  await expect(row("card").getByTestId("totals-realized")).toHaveAttribute("data-value", `${total.replace(/\.?0+$/, "")} USDT`);
  expect(await admin.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  await context.close();
});
