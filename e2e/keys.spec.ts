import { expect, test, type Page } from "@playwright/test";
import { confirmGoLive, newUser, query, saveKey, simAccount } from "./fixtures";

async function expectChips(card: ReturnType<Page["getByTestId"]>, on: Record<string, boolean>) {
  for (const [name, enabled] of Object.entries(on)) {
    await expect(card.getByTestId(`perm-${name}`)).toHaveAttribute("data-enabled", String(enabled));
  }
}

test("connect a Bybit and a Binance key from the simulator: both ACTIVE with the right chips; delete one", async ({ page }) => {
  await newUser(page, { prefix: "keys" });
  const [bybit, binance] = await Promise.all([simAccount("bybit"), simAccount("binance", { permissions: { read: true, spotTrade: true, futures: false, withdraw: false }, ipRestricted: true })]);
  await page.getByRole("link", { name: "Keys" }).click();

  const bybitCard = await saveKey(page, "Bybit", bybit);
  await expect(bybitCard.getByTestId("verify-result")).toContainText("Key verified: ACTIVE.");
  await expect(bybitCard.getByTestId("verify-result")).toContainText("203.0.113.10"); // IP-restriction warning names our egress IP
  await expect(bybitCard.getByTestId("key-status")).toHaveText("ACTIVE");
  await expectChips(bybitCard, { read: true, trade: true, futures: true, withdraw: false, ip: false });
  await expect(bybitCard.getByTestId("perm-ip")).toHaveText("any IP");
  await expect(bybitCard.getByTestId("masked-key")).toHaveText(`${bybit.apiKey.slice(0, 4)}…${bybit.apiKey.slice(-4)}`);

  const binanceCard = await saveKey(page, "Binance", binance);
  await expect(binanceCard.getByTestId("key-status")).toHaveText("ACTIVE");
  await expectChips(binanceCard, { read: true, trade: true, futures: false, withdraw: false, ip: true });
  await expect(binanceCard.getByTestId("perm-ip")).toHaveText("IP-restricted");

  // The secret is never sent back to the browser.
  const html = await page.content();
  expect(html).not.toContain(bybit.secret);
  expect(html).not.toContain(binance.secret);

  await binanceCard.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete key" }).click();
  await expect(binanceCard.getByText("Not connected")).toBeVisible();
  await expect(binanceCard.getByLabel("API key")).toBeVisible();

  await page.getByRole("link", { name: "Verification history →" }).click();
  await expect(page.getByTestId("check-row")).toHaveCount(1); // the Bybit key's one check; Binance's went with it
  await expect(page.getByTestId("check-row").getByTestId("perm-ip")).toHaveText("any IP");
});

test("a withdraw-enabled key is REJECTED with its message; a wrong secret gives a clear error and nothing ACTIVE", async ({ page }) => {
  const { email } = await newUser(page, { prefix: "reject" });
  const risky = await simAccount("bybit", { permissions: { read: true, spotTrade: true, futures: true, withdraw: true } });
  await page.goto("/keys");
  const card = await saveKey(page, "Bybit", risky);
  await expect(card.getByTestId("key-status")).toHaveText("REJECTED");
  await expect(card.getByTestId("verify-result")).toContainText("disable withdrawals on this key");
  await expectChips(card, { withdraw: true });

  const good = await simAccount("binance");
  const binanceCard = await saveKey(page, "Binance", { apiKey: good.apiKey, secret: good.secret.slice(0, -1) + (good.secret.endsWith("A") ? "B" : "A") });
  await expect(binanceCard.getByTestId("key-status")).toHaveText("DISABLED");
  await expect(binanceCard.getByTestId("last-error")).toContainText("Binance rejected this API key");

  const active = await query(`SELECT c.status FROM "ExchangeCredential" c JOIN "User" u ON u.id = c."userId" WHERE u.email = $1 AND c.status = 'ACTIVE'`, [email]);
  expect(active).toHaveLength(0);

  // Format errors are caught before the exchange is asked, and name the field.
  await page.getByTestId("card-binance").getByRole("button", { name: "Replace" }).click();
  await saveKey(page, "Binance", { apiKey: "short", secret: "also short" });
  await expect(page.getByTestId("card-binance").getByText(/A Binance API key/)).toBeVisible();
});

test("trading mode: PERSONAL needs an ACTIVE key; PAPER and OFF always work", async ({ page }) => {
  await newUser(page, { prefix: "mode" });
  await page.goto("/settings");
  // The radio stays on the current mode when the server refuses: click, not check. The confirmation warns first.
  await page.getByLabel(/Personal \(live\)/).click();
  const dialog = page.getByRole("dialog", { name: "Switch to live trading?" });
  await expect(dialog.getByRole("alert")).toContainText("You have no ACTIVE exchange key");
  await dialog.getByRole("button", { name: "Go live" }).click();
  await expect(page.getByTestId("mode-message")).toContainText("PERSONAL trading needs at least one ACTIVE exchange key");
  await page.getByLabel(/^Paper/).click();
  await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PAPER.");
  await expect(page.getByLabel(/^Paper/)).toBeChecked();

  await page.goto("/keys");
  await saveKey(page, "Bybit", await simAccount("bybit"));
  await expect(page.getByTestId("card-bybit").getByTestId("key-status")).toHaveText("ACTIVE");
  await page.goto("/settings");
  await confirmGoLive(page);
  await expect(page.getByTestId("mode-message")).toHaveText("Trading mode set to PERSONAL.");
  await expect(page.getByLabel(/Personal \(live\)/)).toBeChecked();
  await expect(page.getByTestId("security-row").first()).toContainText("user.trading_mode");
});

test("an API token works on every REST endpoint until it is revoked", async ({ page, request }) => {
  await newUser(page, { prefix: "token" });
  await page.goto("/settings");
  await page.getByLabel("Token name").fill("ci script");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByLabel("New API token").inputValue()).trim();
  expect(token.split(".")).toHaveLength(3);
  const auth = { Authorization: `Bearer ${token}` };
  const anonymous = await request.get("/api/user-api-keys/all/status");
  expect(anonymous.status()).toBe(401);
  // The browser session works on the REST routes too.
  expect((await page.request.get("/api/user-api-keys/all/status")).status()).toBe(200);
  const sim = await simAccount("bybit");

  const save = await request.post("/api/user-api-keys/bybit", { headers: auth, data: { apiKey: sim.apiKey, apiSecret: sim.secret, label: "from script" } });
  expect(save.status()).toBe(200);
  const saved = await save.json();
  expect(saved.credential.status).toBe("ACTIVE");
  expect(JSON.stringify(saved)).not.toContain(sim.secret);

  expect((await request.post("/api/user-api-keys/BYBIT/verify", { headers: auth })).status()).toBe(200);
  const status = await request.get("/api/user-api-keys/bybit/status", { headers: auth });
  expect((await status.json()).keys[0].apiKeyMasked).toBe(`${sim.apiKey.slice(0, 4)}…${sim.apiKey.slice(-4)}`);
  const all = await (await request.get("/api/user-api-keys/all/status", { headers: auth })).json();
  expect(all.exchanges.map((e: { exchange: string; connected: boolean }) => [e.exchange, e.connected])).toEqual([["BINANCE", false], ["BYBIT", true]]);
  expect((await request.post("/api/user-api-keys/trading-mode", { headers: auth, data: { mode: "PERSONAL" } })).status()).toBe(200);
  const pooled = await request.post("/api/user-api-keys/trading-mode", { headers: auth, data: { mode: "POOLED" } });
  expect(pooled.status()).toBe(400);
  expect((await pooled.json()).error.fieldErrors.mode).toBe("pooled trading is not offered: every user trades with their own keys");
  const unknown = await request.get("/api/user-api-keys/kraken/status", { headers: auth });
  expect(unknown.status()).toBe(400);
  expect(JSON.stringify(await unknown.json())).toContain("binance, bybit");
  expect((await request.delete("/api/user-api-keys/bybit", { headers: auth })).status()).toBe(200);

  await page.reload();
  await page.getByRole("button", { name: "Revoke ci script" }).click();
  await page.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(page.getByTestId("api-token-row").first()).toContainText(/revoked/i);
  const after = await request.get("/api/user-api-keys/all/status", { headers: auth });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.message).toMatch(/^This API token was revoked/);
});
