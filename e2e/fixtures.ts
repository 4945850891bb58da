import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { generate } from "otplib";
import pg from "pg";

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomBytes(3).toString("hex")}@example.com`;
}

/** Creates an account through the operator CLI, as an operator or script would. */
export function createUser(opts: { email: string; password: string; admin?: boolean; tier?: "PRO" | "FLEX" | "TRIAL"; name?: string }) {
  const args = ["tsx", "scripts/user.ts", "create", "--email", opts.email, "--password", opts.password];
  if (opts.admin) args.push("--admin");
  if (opts.tier) args.push("--tier", opts.tier);
  if (opts.name) args.push("--name", opts.name);
  return execFileSync("npx", args, { env: process.env, encoding: "utf8" });
}

export async function query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

export interface SimKey {
  accountId: string;
  apiKey: string;
  secret: string;
}

/** Creates an account (with one API key) in the exchange simulator. */
export async function simAccount(exchange: "binance" | "bybit", spec: Record<string, unknown> = {}): Promise<SimKey> {
  const res = await fetch(`${process.env.SIM_URL}/__sim/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ exchange, balances: { USDT: "10000" }, ...spec }),
  });
  if (!res.ok) throw new Error(`simulator: ${res.status} ${await res.text()}`);
  return (await res.json()) as SimKey;
}

export async function simOrders(query = ""): Promise<{ apiKey: string; clientOrderId: string | null; createdAt: number; status: string; symbol: string }[]> {
  const res = await fetch(`${process.env.SIM_URL}/__sim/orders${query}`);
  return ((await res.json()) as { orders: never[] }).orders;
}

export async function newUser(page: Page, opts: { tier?: "PRO" | "FLEX" | "TRIAL"; admin?: boolean; prefix?: string } = {}) {
  const email = uniqueEmail(opts.prefix ?? "user");
  const password = "a long test password";
  createUser({ email, password, tier: opts.tier, admin: opts.admin });
  await signIn(page, email, password);
  return { email, password };
}

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  links: string[];
  receivedAt: string;
}

/** The messages the app sent to `email` (read from the local SMTP server, e2e/mail-catcher.ts), oldest first. */
export async function mailsTo(email: string): Promise<Mail[]> {
  const res = await fetch(`${process.env.MAIL_URL}/messages?to=${encodeURIComponent(email)}`);
  return (await res.json()) as Mail[];
}

/** Waits for the newest message to `email` whose subject matches, as a person waits for their inbox. */
export async function waitForMail(email: string, subject: string | RegExp, opts: { count?: number; timeoutMs?: number } = {}): Promise<Mail> {
  const matches = (m: Mail) => (typeof subject === "string" ? m.subject === subject : subject.test(m.subject));
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const found = (await mailsTo(email)).filter(matches);
    if (found.length >= (opts.count ?? 1)) return found.at(-1)!;
    if (Date.now() > deadline) throw new Error(`no email "${String(subject)}" to ${email} (got: ${(await mailsTo(email)).map((m) => m.subject).join("; ") || "none"})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function linkIn(mail: Mail, path: string): string {
  const link = mail.links.find((l) => new URL(l).pathname === path);
  if (!link) throw new Error(`no ${path} link in "${mail.subject}"`);
  return link;
}

/** The code an authenticator app shows, `offsetSteps` 30-second steps from now (a code is accepted once). */
export function totpCode(secret: string, offsetSteps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });
}

/** Sign-in for an account with 2FA: password, then the code step. */
export async function signInWithCode(page: Page, email: string, password: string, code: string | (() => Promise<string>)) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("Two-factor code").fill(typeof code === "string" ? code : await code());
  await page.getByRole("button", { name: "Verify and sign in" }).click();
}

/**
 * Turns 2FA on in Settings as a person would: scan (here: read) the secret, type the app's code,
 * save the recovery codes. `password` answers the step-up prompt if it appears.
 */
export async function enableTwoFactor(page: Page, password?: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.goto("/settings#two-factor");
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  // A closed <dialog> is hidden from the accessibility tree: this finds the step-up prompt only when it is open.
  const prompt = page.getByRole("dialog", { name: "Confirm it's you" });
  await expect(page.getByTestId("totp-secret").or(prompt)).toBeVisible();
  if (password && (await prompt.isVisible())) {
    await prompt.getByLabel("Password").fill(password);
    await prompt.getByRole("button", { name: "Confirm" }).click();
  }
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  await expect(page.getByRole("img", { name: /QR code/ })).toBeVisible();
  await page.getByLabel("Code from the app").fill(await totpCode(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  const codes = page.getByTestId("recovery-code");
  await expect(codes).toHaveCount(10);
  const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
  await page.getByRole("button", { name: "I have saved these codes" }).click();
  await expect(page.getByTestId("two-factor-status")).toContainText("On");
  return { secret, recoveryCodes };
}

/** An admin's first sign-in: admins must use 2FA, so they set it up before the admin console. */
export async function signInAdmin(page: Page, email: string, password: string) {
  await signIn(page, email, password);
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/settings\?twoFactor=required/);
  return enableTwoFactor(page, password);
}

/** Settings -> Personal (live): the confirmation lists what will trade; "Go live" confirms it. */
export async function confirmGoLive(page: Page) {
  await page.getByLabel(/Personal \(live\)/).click();
  const dialog = page.getByRole("dialog", { name: "Switch to live trading?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Go live" }).click();
  await expect(dialog).toBeHidden();
}

/** On the Keys page (already open): fills an exchange key and saves it; returns its card (verification may still be running). */
export async function saveKey(page: Page, exchange: "Binance" | "Bybit", key: { apiKey: string; secret: string }) {
  const card = page.getByTestId(`card-${exchange.toLowerCase()}`);
  await card.getByLabel("API key").fill(key.apiKey);
  await card.getByLabel("Secret key").fill(key.secret);
  await card.getByRole("button", { name: `Save and verify ${exchange} key` }).click();
  return card;
}

/** Keys page -> save the key -> ACTIVE. */
export async function connectKey(page: Page, exchange: "Binance" | "Bybit", key: { apiKey: string; secret: string }) {
  await page.goto("/keys");
  const card = await saveKey(page, exchange, key);
  await expect(card.getByTestId("key-status")).toHaveText("ACTIVE");
  return card;
}

/** The card of a strategy on the Signals page (already open). */
export const subscribeCard = (page: Page, strategyName: string) => page.getByTestId("subscribe-card").filter({ hasText: strategyName });

/** Signals page -> follow the strategy with a fixed quote amount per order (USDT). */
export async function subscribeQuote(page: Page, strategyName: string, quote: string) {
  await page.goto("/signals");
  const sub = subscribeCard(page, strategyName);
  await sub.getByLabel("Sizing").selectOption("FIXED_QUOTE");
  await sub.getByLabel("Size", { exact: true }).fill(quote);
  await sub.getByRole("button", { name: "Subscribe" }).click();
  await expect(sub.getByTestId("subscription-message")).toHaveText("Subscribed.");
  return sub;
}


/** An admin's strategy on BTC/USDT, stored as the admin page stores one (only the token's SHA-256 and its last 4 characters); returns its webhook path. */
export async function storeStrategy(name: string, marketType: "SPOT" | "LINEAR" = "SPOT"): Promise<string> {
  const token = crypto.randomBytes(24).toString("base64url");
  await query(
    `INSERT INTO "Strategy" (id, name, "allowedSymbols", "marketType", "webhookTokenHash", "webhookTokenHint", "allowedIps", "updatedAt")
     VALUES ($1, $2, ARRAY['BTC/USDT'], $3::"MarketType", $4, $5, ARRAY[]::text[], now())`,
    [`st${crypto.randomBytes(8).toString("hex")}`, name, marketType, crypto.createHash("sha256").update(token).digest("hex"), token.slice(-4)],
  );
  return `/api/webhooks/tradingview/${token}`;
}
