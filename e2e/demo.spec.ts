import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { signInAdmin } from "./fixtures";

test("the demo's own seed and curl: the fan-out finishes on the admin signal page", async ({ page, request }) => {
  // Seeding twice must be safe (idempotent).
  const run = () => JSON.parse(execFileSync("npx", ["tsx", "scripts/demo.ts", "--seed-only"], { env: { ...process.env, EXCHANGE_SIMULATOR_URL: process.env.SIM_URL }, encoding: "utf8" }).trim().split("\n").at(-1)!);
  run();
  const seed = run() as { admin: { email: string }; password: string; users: { status: string }[]; curl: string; webhookPath: string };
  expect(seed.users.map((u) => u.status)).toEqual(["ACTIVE", "ACTIVE", "ACTIVE"]);

  // The printed curl, as a newcomer would paste it (its shell-filled id replaced here).
  const body = /-d "(.*)"$/.exec(seed.curl)![1]!.replace(/\\"/g, '"').replace("$(date +%s)", String(Date.now()));
  const res = await request.post(seed.webhookPath, { headers: { "content-type": "application/json" }, data: body });
  expect(res.status()).toBe(202);
  expect((await res.json()).subscribers).toBe(3);

  await signInAdmin(page, seed.admin.email, seed.password);
  await page.goto("/admin/signals");
  const row = page.getByTestId("signal-row").filter({ hasText: "Demo: BTC trend" }).first();
  await expect(row.getByRole("progressbar", { name: "Fan-out progress" })).toHaveAttribute("aria-valuenow", "3", { timeout: 20_000 });
  await expect(row.getByTestId("progress-filled")).toContainText("3");
});
