// Content-Security-Policy: every page carries a fresh nonce, scripts never get 'unsafe-inline',
// the app still hydrates, and script an attacker manages to inject does not run.
import { expect, test, type Page } from "@playwright/test";
import { createUser, signIn, uniqueEmail } from "./fixtures";

function scriptSrc(csp: string | undefined): string {
  const directive = (csp ?? "").split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src "));
  if (!directive) throw new Error(`no script-src in ${csp}`);
  return directive;
}

function nonceOf(csp: string | undefined): string {
  const m = /'nonce-([A-Za-z0-9+/_-]+={0,2})'/.exec(scriptSrc(csp));
  if (!m) throw new Error(`no nonce in ${csp}`);
  return m[1]!;
}

/** Every CSP violation the page reports, and every console line the browser writes about one. */
async function watchViolations(page: Page) {
  const consoleLines: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) consoleLines.push(m.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return {
    consoleLines,
    events: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
  };
}

test("pages carry a per-request nonce CSP without 'unsafe-inline' for scripts, on every script Next renders", async ({ page, request }) => {
  const violations = await watchViolations(page);
  const res = await page.goto("/sign-in");
  const csp = res!.headers()["content-security-policy"];
  const src = scriptSrc(csp);
  expect(src).not.toContain("'unsafe-inline'");
  expect(src).not.toContain("'unsafe-eval'"); // production build
  expect(src).toContain("'strict-dynamic'");
  const nonce = nonceOf(csp);
  expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'self'");

  // Next put the same nonce on each of its scripts (inline bootstrap and hydration data, chunks).
  const scripts = await page.evaluate(() => Array.from(document.scripts, (s) => ({ nonce: s.nonce, inline: !s.src })));
  expect(scripts.filter((s) => s.inline).length).toBeGreaterThan(0);
  expect(scripts.every((s) => s.nonce === nonce)).toBe(true);

  // A fresh nonce per request, also on another page.
  const again = await request.get("/sign-up");
  expect(nonceOf(again.headers()["content-security-policy"])).not.toBe(nonce);
  expect((await request.get("/sign-in")).headers()["content-security-policy"]).not.toContain(nonce);

  // API responses carry the policy without a nonce: no inline script at all.
  const api = await request.get("/api/health");
  expect(scriptSrc(api.headers()["content-security-policy"])).toBe("script-src 'self'");

  expect(await violations.events()).toEqual([]);
  expect(violations.consoleLines).toEqual([]);
});

test("the app hydrates and works under the policy: the sign-in form reacts, the signed-in pages render", async ({ page }) => {
  const violations = await watchViolations(page);
  const email = uniqueEmail("csp");
  const password = "a long test password";
  createUser({ email, password });

  // Only a hydrated client component shows this alert (an unhydrated form would submit natively).
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Email or password is incorrect.");
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn(page, email, password);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  // Client-side navigation and data fetching (tRPC) on the keys page.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Keys" }).click();
  await expect(page).toHaveURL(/\/keys$/);
  await expect(page.getByTestId("card-bybit")).toBeVisible();

  expect(await violations.events()).toEqual([]);
  expect(violations.consoleLines).toEqual([]);
});

test("injected script does not run: markup an attacker gets into a page cannot execute inline script", async ({ page }) => {
  const violations = await watchViolations(page);
  // A stored or reflected XSS: attacker markup inside the HTML the server sent, under the server's
  // own headers (the response is the real one; only the body gains the payload).
  const payload = [
    `<script>window.__pwned = (window.__pwned || []).concat("inline script");</script>`,
    `<img src="/nope.png" onerror="window.__pwned = (window.__pwned || []).concat('event handler')">`,
    `<iframe srcdoc="<script>parent.__pwned = (parent.__pwned || []).concat('srcdoc')</script>"></iframe>`,
  ].join("");
  await page.route("**/sign-in", async (route) => {
    if (route.request().resourceType() !== "document") return route.fallback();
    const response = await route.fetch();
    const html = await response.text();
    expect(html).toMatch(/<body[^>]*>/);
    await route.fulfill({ response, body: html.replace(/<body[^>]*>/, (tag) => tag + payload) });
  });
  const res = await page.goto("/sign-in");
  expect(scriptSrc(res!.headers()["content-security-policy"])).toContain("'nonce-");

  await expect.poll(violations.events).toEqual(expect.arrayContaining([expect.stringMatching(/^script-src-elem inline/), expect.stringMatching(/^script-src-attr inline/)]));
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string[] }).__pwned)).toBeUndefined();
  // The app's own (nonce-carrying) scripts still ran: the form is live.
  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Email or password is incorrect.");
});
