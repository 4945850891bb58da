import { expect, test } from "@playwright/test";
import { createUser, newUser, signIn, signInAdmin, uniqueEmail } from "./fixtures";

const ADMIN_PAGES = ["/admin", "/admin/strategies", "/admin/signals", "/admin/audit", "/admin/users", "/admin/metrics", "/admin/mailbox"];
const ADMIN_QUERIES = ["admin.auditList", "admin.auditDetail", "admin.users", "metrics.dashboard", "metrics.unprotected", "strategies.list", "strategies.tradingViewIps", "strategies.signals", "strategies.signalExecutions", "mailbox.list"];
const ADMIN_MUTATIONS = ["admin.auditVerify", "admin.setTier", "admin.setDisabled", "strategies.create", "strategies.update", "strategies.rotateToken", "strategies.setProtection"];

test("a plain user gets 403 on every admin page and every admin procedure", async ({ page }) => {
  await newUser(page, { prefix: "plain" });
  for (const path of ADMIN_PAGES) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  }
  for (const proc of ADMIN_QUERIES) {
    const res = await page.request.get(`/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`);
    expect(res.status(), proc).toBe(403);
  }
  for (const proc of ADMIN_MUTATIONS) {
    const res = await page.request.post(`/api/trpc/${proc}`, { data: { json: {} }, headers: { origin: new URL(page.url()).origin } });
    expect(res.status(), proc).toBe(403);
  }
  const csv = await page.request.get("/api/admin/audit.csv");
  expect(csv.status()).toBe(403);
});

test("an admin filters the audit log by user and action, opens a row, and exports the filtered CSV", async ({ page }) => {
  // Some history for a user: two failed sign-ins and one success.
  const email = uniqueEmail("audited");
  createUser({ email, password: "audited password" });
  await page.goto("/sign-in");
  for (const pw of ["wrong one 1", "wrong one 2"]) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(pw);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toBeVisible();
  }
  await signIn(page, email, "audited password");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  const adminEmail = uniqueEmail("auditor");
  createUser({ email: adminEmail, password: "auditor password", admin: true });
  await signInAdmin(page, adminEmail, "auditor password");
  await page.goto("/admin/audit");
  await page.getByLabel("User (email)").fill(email);
  await page.getByLabel("Action").fill("auth.sign_in");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/user=/);
  const rows = page.getByTestId("audit-row");
  await expect(rows).toHaveCount(3);
  await expect(page.locator('[data-testid="audit-row"][data-action="auth.sign_in"]')).toHaveCount(3);
  await expect(rows.filter({ hasText: "FAILURE" })).toHaveCount(2);

  await rows.first().getByRole("button", { name: "Details" }).click();
  await expect(page.getByTestId("audit-detail")).toContainText("auth.sign_in");
  await expect(page.getByTestId("audit-detail")).toContainText(email);
  await page.keyboard.press("Escape");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const { readFileSync } = await import("node:fs");
  const lines = readFileSync(file!, "utf8").trim().split("\n");
  expect(lines[0]).toMatch(/^id,seq,createdAt/);
  expect(lines.slice(1)).toHaveLength(3);
  expect(lines.slice(1).every((l) => l.includes('"auth.sign_in"'))).toBe(true);

  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByTestId("chain-result")).toContainText("Chain OK");
});
