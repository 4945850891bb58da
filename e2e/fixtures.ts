import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { expect, type Page } from "@playwright/test";
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
