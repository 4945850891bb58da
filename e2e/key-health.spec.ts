import { expect, test } from "@playwright/test";
import { newUser, saveKey, simAccount } from "./fixtures";

const DAY = 86_400_000;

test("the keys card shows the balance read, the expiry and the IP binding, and names the egress IP with a copy button", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await newUser(page, { prefix: "keyhealth" });
  // Numbers in the simulator's control API: a balance of 2500.5 USDT, a key that expires in 12 days (and a bit).
  const [bybit, binance] = await Promise.all([
    simAccount("bybit", { balances: { USDT: 2500.5 }, expiresAt: new Date(Date.now() + 12 * DAY - 60_000).toISOString() }),
    simAccount("binance", { balances: { USDT: 1000 }, ipRestricted: true }),
  ]);
  await page.goto("/keys");

  const bybitCard = await saveKey(page, "Bybit", bybit);
  await expect(bybitCard.getByTestId("card-key-status")).toHaveText("ACTIVE");
  await expect(bybitCard.getByTestId("verify-result")).toContainText("has no IP restriction, so it expires in 12 days");
  await expect(bybitCard.getByTestId("key-balance")).toContainText("2,500.5 USDT");
  await expect(bybitCard.getByTestId("key-balance")).toContainText("read ");
  await expect(bybitCard.getByTestId("key-expiry")).toContainText("expires in 12 days");
  await expect(bybitCard.getByTestId("key-expiry")).toContainText("Bybit limits keys without an IP restriction");
  const binding = bybitCard.getByTestId("key-ip-binding");
  await expect(binding).toContainText("any IP");
  await expect(binding.getByTestId("egress-ips")).toHaveText("203.0.113.10");
  await binding.getByRole("button", { name: "Copy" }).click();
  await expect(binding.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("203.0.113.10");

  const binanceCard = await saveKey(page, "Binance", binance);
  await expect(binanceCard.getByTestId("card-key-status")).toHaveText("ACTIVE");
  await expect(binanceCard.getByTestId("key-balance")).toContainText("1,000 USDT");
  await expect(binanceCard.getByTestId("key-expiry")).toHaveText("no expiry reported");
  await expect(binanceCard.getByTestId("key-ip-binding")).toHaveText("restricted to listed IPs (Binance does not say which)");
});

for (const size of [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
]) {
  test(`a wrong secret: the card header says DISABLED (never Connected) and the permissions are unknown (${size.name})`, async ({ page }) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    await newUser(page, { prefix: `keyhealth-bad-${size.name}` });
    const good = await simAccount("binance");
    await page.goto("/keys");
    const card = await saveKey(page, "Binance", { apiKey: good.apiKey, secret: good.secret.slice(0, -1) + (good.secret.endsWith("A") ? "B" : "A") });
    await expect(card.getByTestId("card-key-status")).toHaveText("DISABLED");
    await expect(card.getByTestId("card-status")).toBeVisible();
    await expect(card.getByText("Connected", { exact: true })).toHaveCount(0);
    for (const name of ["read", "trade", "futures", "withdraw"]) await expect(card.getByTestId(`perm-${name}`)).toHaveAttribute("data-enabled", "unknown");
    await expect(card.getByTestId("perm-unknown")).toHaveText("unknown: the exchange did not accept the key");
    await expect(card.getByTestId("perm-ip")).toHaveCount(0);
    await expect(card.getByTestId("key-expiry")).toHaveText("unknown");
    await expect(card.getByTestId("key-ip-binding")).toHaveText("unknown");
    await expect(card.getByTestId("key-balance")).toHaveText("not read yet");
    // Nothing runs off the side of a phone screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });
}
