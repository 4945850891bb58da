import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { confirmGoLive, connectKey, createUser, newUser, query, signIn, signInAdmin, simAccount, simOrders, subscribeQuote, uniqueEmail, storeStrategy } from "./fixtures";

const PRICE = "50000";
const REASON = `Exchange incident drill ${crypto.randomBytes(2).toString("hex")}`;


async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

// A platform-wide halt must never outlive this spec (the suite runs one spec at a time, on one server).
test.afterAll(async () => {
  await query(`UPDATE "TradingHalt" SET "liftedAt" = now(), "liftReason" = 'e2e cleanup' WHERE "liftedAt" IS NULL`);
});

test("an admin halts live trading: users see the banner and a skipped order with the reason; after the resume the next signal fills", async ({ browser, request }) => {
  test.setTimeout(180_000);
  for (const exchange of ["binance", "bybit"])
    await fetch(`${process.env.SIM_URL}/__sim/prices`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ exchange, symbol: "BTC/USDT", price: PRICE }) });
  const name = `Halt ${Date.now().toString(36)}`;
  const webhook = await storeStrategy(name);
  const send = async (id: string) => {
    const res = await request.post(webhook, { headers: { "content-type": "application/json" }, data: JSON.stringify({ ticker: "BTCUSDT", action: "buy", price: PRICE, id }) });
    expect(res.status()).toBe(202);
  };

  // A live subscriber: Bybit key, PERSONAL mode, following the strategy.
  const userCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const user = await userCtx.newPage();
  const { email: userEmail, password: userPassword } = await newUser(user, { prefix: "halt-user", tier: "PRO" });
  const key = await simAccount("bybit", { balances: { USDT: "5000" } });
  await connectKey(user, "Bybit", key);
  await user.goto("/settings");
  await confirmGoLive(user);
  await expect(user.getByTestId("mode-message")).toHaveText("Trading mode set to PERSONAL.");
  await subscribeQuote(user, name, "50");
  await expect(user.getByTestId("halt-banner")).toHaveCount(0);

  // The admin opens Trading controls from the admin console.
  const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const admin = await adminCtx.newPage();
  const adminEmail = uniqueEmail("halt-admin");
  createUser({ email: adminEmail, password: "admin password 1", admin: true, tier: "PRO" });
  await signInAdmin(admin, adminEmail, "admin password 1");
  await admin.goto("/admin");
  await admin.getByRole("link", { name: /Trading controls/ }).click();
  await expect(admin).toHaveURL(/\/admin\/trading$/);
  await expect(admin.getByRole("heading", { name: "Trading controls" })).toBeVisible();
  await expect(admin.getByTestId("no-active-halts")).toBeVisible();

  // Errors per field: no reason, and the confirmation not typed as HALT.
  const form = admin.getByRole("form", { name: "Halt live trading" });
  await form.getByLabel("What to halt").selectOption({ label: "The whole platform" });
  await form.getByLabel("Type HALT to confirm").fill("halt");
  await form.getByRole("button", { name: "Halt trading" }).click();
  await expect(form.locator("#halt-reason-error")).toContainText("reason:");
  await expect(form.locator("#halt-confirm-error")).toContainText("confirm: type HALT");
  await expect(form.getByLabel("Type HALT to confirm")).toHaveAttribute("aria-invalid", "true");

  await form.getByLabel("Reason (users see it)").fill(REASON);
  await form.getByLabel("Type HALT to confirm").fill("HALT");
  await form.getByRole("button", { name: "Halt trading" }).click();
  await expect(form.getByRole("status")).toHaveText("Live trading on the whole platform is halted.");
  const active = admin.getByTestId("active-halt");
  await expect(active).toHaveCount(1);
  await expect(active).toContainText(REASON);
  // The admin's own pages carry the banner too.
  await admin.reload();
  await expect(admin.getByTestId("halt-banner")).toContainText(`Live trading halted by the operator: ${REASON}`);

  // The user sees the banner on every page.
  await user.goto("/dashboard");
  const banner = user.getByRole("alert").filter({ hasText: "Live trading halted by the operator" });
  await expect(banner).toHaveText(`Live trading halted by the operator: ${REASON}`);
  await user.goto("/positions");
  await expect(user.getByTestId("halt-banner")).toBeVisible();

  // A signal during the halt: received, and the user's order is SKIPPED with the reason; nothing reaches the exchange.
  await send(`halt-${crypto.randomBytes(4).toString("hex")}`);
  await user.goto("/signals");
  const row = user.getByTestId("my-execution-row").filter({ hasText: name }).first();
  await expect(row).toHaveAttribute("data-status", "SKIPPED", { timeout: 20_000 });
  await expect(row.getByTestId("execution-message")).toHaveText(`trading halted by the operator: ${REASON}`);
  expect(await simOrders(`?apiKey=${key.apiKey}`)).toEqual([]);

  // At phone width the banner is there and on screen, without sideways scrolling.
  const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await phoneCtx.newPage();
  await signIn(phone, userEmail, userPassword);
  const phoneBanner = phone.getByTestId("halt-banner");
  await expect(phoneBanner).toContainText(`Live trading halted by the operator: ${REASON}`);
  const box = (await phoneBanner.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  await expectNoHorizontalScroll(phone);
  await phoneCtx.close();

  // The admin resumes (a confirmation first); it moves to the history.
  await admin.getByRole("button", { name: "Resume trading on the whole platform" }).click();
  const dialog = admin.getByRole("dialog", { name: "Resume live trading on the whole platform?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Yes, resume" }).click();
  await expect(admin.getByTestId("no-active-halts")).toBeVisible();
  await expect(admin.getByTestId("halt-history-row").first()).toContainText(REASON);

  // The banner is gone; the next signal fills on the user's own account.
  await user.reload();
  await expect(user.getByTestId("halt-banner")).toHaveCount(0);
  await send(`resume-${crypto.randomBytes(4).toString("hex")}`);
  await expect(user.getByTestId("my-execution-row").filter({ hasText: name }).first()).toHaveAttribute("data-status", "FILLED", { timeout: 20_000 });
  await expect.poll(async () => (await simOrders(`?apiKey=${key.apiKey}`)).length).toBe(1);

  // The admin was told both times (the bell).
  await admin.goto("/notifications");
  await expect(admin.getByText(/halted by/).first()).toBeVisible();
  await expect(admin.getByText(/resumed by/).first()).toBeVisible();
  await userCtx.close();
  await adminCtx.close();
});

test("a plain user gets 403 on Trading controls and on every halt procedure but the banner", async ({ page }) => {
  await newUser(page, { prefix: "halt-plain" });
  const res = await page.goto("/admin/trading");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  expect((await page.request.get(`/api/trpc/halts.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`)).status()).toBe(403);
  for (const proc of ["halts.halt", "halts.resume"]) {
    const r = await page.request.post(`/api/trpc/${proc}`, { data: { json: { scope: "ALL", reason: "not mine", confirm: "HALT", id: "x" } }, headers: { origin: new URL(page.url()).origin } });
    expect(r.status(), proc).toBe(403);
  }
  expect((await page.request.get(`/api/trpc/halts.banner?input=${encodeURIComponent(JSON.stringify({ json: null }))}`)).status()).toBe(200);
  expect(await query(`SELECT id FROM "TradingHalt" WHERE "liftedAt" IS NULL`)).toEqual([]);
});
