/**
 * The user guides (/help, /help/<slug>): public, readable on a phone and a desktop, their screenshots
 * load, and signed-in users find them (the header's Help link, the Keys card's guide link).
 */
import { expect, test, type Page } from "@playwright/test";
import { newUser } from "./fixtures";

// The same list as GUIDES in src/server/help/guides.ts.
const GUIDES = ["connect-binance", "connect-bybit", "tradingview-alerts", "sizing-and-protection", "paper-before-live"];
const SIZES = [
  { label: "phone", viewport: { width: 390, height: 844 } },
  { label: "desktop", viewport: { width: 1280, height: 800 } },
];

async function noHorizontalOverflow(page: Page) {
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(widths.scroll, `${page.url()} is ${widths.scroll}px wide in a ${widths.inner}px window`).toBeLessThanOrEqual(widths.inner);
}

/** Every screenshot on the page loads (lazy images are scrolled to first). */
async function screenshotsLoad(page: Page) {
  const images = page.getByTestId("help-screen");
  for (const img of await images.all()) {
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), { message: await img.getAttribute("src") ?? "" }).toBeGreaterThan(0);
  }
  return images.count();
}

for (const size of SIZES) {
  test(`help (${size.label}): the index and every guide render signed out, fit the window, and their screenshots load`, async ({ browser }) => {
    test.setTimeout(90_000);
    const context = await browser.newContext({ viewport: size.viewport });
    const page = await context.newPage();

    await page.goto("/help");
    await expect(page).toHaveURL(/\/help$/);
    await expect(page.getByRole("heading", { level: 1, name: "Help" })).toBeVisible();
    const links = page.getByTestId("help-guide-link");
    expect(await links.evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname))).toEqual([...GUIDES.map((g) => `/help/${g}`), "/help/troubleshooting"]);
    await noHorizontalOverflow(page);

    let screens = 0;
    for (const slug of GUIDES) {
      await page.goto(`/help/${slug}`);
      await expect(page).toHaveURL(new RegExp(`/help/${slug}$`));
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.getByRole("navigation", { name: "Help" }).getByRole("link", { name: "Help" })).toHaveAttribute("href", "/help");
      await noHorizontalOverflow(page);
      screens += await screenshotsLoad(page);
      // Code blocks scroll inside themselves rather than widen the page.
      for (const pre of await page.getByTestId("help-code").all()) {
        expect(await pre.evaluate((el) => getComputedStyle(el).overflowX)).toBe("auto");
      }
    }
    expect(screens).toBeGreaterThanOrEqual(5);
    await context.close();
  });
}

test("a key guide shows this server's egress IPs (EGRESS_IPS) and the alerts guide the webhook URL as the strategy page starts it", async ({ page, baseURL }) => {
  await page.goto("/help/connect-bybit#ip-restriction");
  await expect(page.getByTestId("help-egress-ips")).toContainText("203.0.113.10");
  await page.goto("/help/tradingview-alerts");
  await expect(page.getByTestId("help-code").first()).toHaveText(`${baseURL}/api/webhooks/tradingview/<token>`);
  await expect(page.getByText("3Commas signal bot").first()).toBeVisible();
  const missing = await page.request.get("/help/no-such-guide");
  expect(missing.status()).toBe(404);
});

test("signed in: the header's Help link opens the guides, and the Keys card links to its exchange's guide", async ({ page }) => {
  await newUser(page, { prefix: "help-links" });
  await page.getByRole("banner").getByRole("link", { name: "Help" }).click();
  await expect(page).toHaveURL(/\/help$/);
  await page.goto("/keys");
  await page.getByTestId("card-bybit").getByTestId("key-guide-link").click();
  await expect(page).toHaveURL(/\/help\/connect-bybit$/);
  await expect(page.getByRole("heading", { level: 1, name: "Connect a Bybit key" })).toBeVisible();
});

test("the sign-in page links to the guides", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Help" }).click();
  await expect(page).toHaveURL(/\/help$/);
});
