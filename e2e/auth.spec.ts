import { expect, test } from "@playwright/test";
import { createUser, enableTwoFactor, linkIn, query, signIn, uniqueEmail, waitForMail } from "./fixtures";

test("sign up -> verification email -> confirm -> dashboard -> sign out -> sign in -> dashboard, all audited with IP and user agent", async ({ page }) => {
  const email = uniqueEmail("signup");
  const password = "correct horse battery";
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("check-email")).toContainText(`We sent a message to ${email}`);

  // Not signed in, and the password alone does not sign in before the address is confirmed.
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fdashboard/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText(/Confirm your email address first/);

  const mail = await waitForMail(email, "Confirm your email address for KeyRelay");
  await page.goto(linkIn(mail, "/verify-email"));
  await expect(page.getByRole("heading", { name: "Confirm your email" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Confirm email and sign in" })).toBeVisible();
  expect(new URL(page.url()).hash).toBe(""); // the token leaves the address bar once read
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Confirm email and sign in" }).click();

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("user-name")).toHaveText("Ada Lovelace");
  await expect(page.getByTestId("user-tier")).toHaveText("TRIAL");
  await expect(page.getByTestId("user-role")).toHaveText("USER");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText([
    "Dashboard",
    "Keys",
    "Signals",
    "Positions",
    "Settings",
  ]);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fdashboard/);

  await signIn(page, email, password);
  await expect(page.getByTestId("user-name")).toHaveText("Ada Lovelace");

  const rows = await query<{ action: string; outcome: string; ip: string | null; userAgent: string | null }>(
    `SELECT action, outcome, ip, "userAgent" FROM "AuditLog" WHERE "actorEmail" = $1 ORDER BY id`,
    [email],
  );
  expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual([
    "auth.sign_up:SUCCESS",
    "auth.sign_in:FAILURE", // the password before the address was confirmed
    "auth.email_verify:SUCCESS",
    "auth.sign_in:SUCCESS", // the sign-in that confirmed it
    "auth.sign_out:SUCCESS",
    "auth.sign_in:SUCCESS",
  ]);
  for (const r of rows) {
    expect(r.ip).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(r.userAgent).toContain("Chrome");
  }
});

test("a wrong password shows one clear error that does not reveal whether the email exists", async ({ page }) => {
  const email = uniqueEmail("wrongpw");
  createUser({ email, password: "the right password" });

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  const alert = page.locator("form").getByRole("alert");
  await expect(alert).toHaveText("Email or password is incorrect.");

  await page.getByLabel("Email").fill(uniqueEmail("nobody"));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(alert).toHaveText("Email or password is incorrect.");
  await expect(page).toHaveURL(/\/sign-in/);

  const failures = await query(`SELECT 1 FROM "AuditLog" WHERE "actorEmail" = $1 AND action = 'auth.sign_in' AND outcome = 'FAILURE'`, [email]);
  expect(failures).toHaveLength(1);
});

test("sign-up with bad input shows field-level messages and stores nothing; a taken email gets the same answer as a new one", async ({ page }) => {
  const taken = uniqueEmail("taken");
  createUser({ email: taken, password: "a long enough password" });

  await page.goto("/sign-up");
  await page.getByLabel("Name").fill("Bad Input");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address, like you@example.com.")).toBeVisible();
  await expect(page.getByText("Use at least 12 characters for your password: three or four unrelated words make a strong one.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");

  // Long enough but guessable: refused with what to do instead.
  await page.getByLabel("Email").fill(uniqueEmail("weak"));
  await page.getByLabel("Password").fill("123456789012");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(/This password is too easy to guess.*Add more words that are less common/)).toBeVisible();

  // An existing address: the page cannot tell (no "already exists"); the owner is emailed instead.
  await page.getByLabel("Email").fill(taken);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("check-email")).toContainText(`We sent a message to ${taken}`);
  await expect(page.getByText(/already exists/)).toHaveCount(0);
  const notice = await waitForMail(taken, "You already have a KeyRelay account");
  expect(notice.text).toContain("No new account was created");

  const users = await query(`SELECT 1 FROM "User" WHERE email IN ('not-an-email', $1)`, [taken]);
  expect(users).toHaveLength(1); // only the account created beforehand
});

test("a non-admin opening /admin gets the 403 page; an admin gets the console", async ({ page }) => {
  const email = uniqueEmail("plain");
  createUser({ email, password: "plain user password" });
  await signIn(page, email, "plain user password");
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  const res = await page.goto("/admin");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();

  await page.getByRole("link", { name: "Back to your dashboard" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  const adminEmail = uniqueEmail("admin");
  createUser({ email: adminEmail, password: "admin user password", admin: true, tier: "PRO" });
  await signIn(page, adminEmail, "admin user password");
  await expect(page.getByTestId("user-role")).toHaveText("ADMIN");
  await expect(page.getByTestId("user-tier")).toHaveText("PRO");
  // Admins must use 2FA: the console sends an admin without it to set it up first.
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/settings\?twoFactor=required/);
  await expect(page.locator("#two-factor").getByRole("alert")).toContainText("must use two-factor authentication");
  await enableTwoFactor(page);
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Admin" })).toBeVisible();
});

test("protected pages redirect anonymous visitors to sign-in", async ({ page }) => {
  for (const path of ["/dashboard", "/keys", "/signals", "/settings", "/admin", "/admin/mailbox"]) {
    await page.goto(path);
    await expect(page).toHaveURL(new RegExp(`/sign-in\\?callbackUrl=${encodeURIComponent(path)}`));
  }
});
