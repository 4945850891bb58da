import { defineConfig, devices } from "@playwright/test";

// Run through `npm test` (or `npm run test:e2e`), which builds the app and creates a throwaway
// database; this config starts `next start` (through scripts/server.ts) on that database.
const PORT = Number(process.env.E2E_PORT ?? 3334);
const SIM_PORT = Number(process.env.E2E_SIM_PORT ?? 4011);
export const baseURL = `http://localhost:${PORT}`;
const SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? 4025);
const MAIL_PORT = Number(process.env.E2E_MAIL_PORT ?? 4026);
// The fake Telegram bot API e2e/notifications.spec.ts starts on this port; the server and the worker send there.
const TELEGRAM_PORT = Number(process.env.E2E_TELEGRAM_PORT ?? 4027);
process.env.TELEGRAM_PORT = String(TELEGRAM_PORT);
// Notification channels, the same in the web process ("Send test notification") and the worker (deliveries).
const NOTIFY_ENV = {
  TELEGRAM_API_BASE: `http://127.0.0.1:${TELEGRAM_PORT}`,
  NOTIFY_ALLOW_PRIVATE_TARGETS: "1", // the specs' webhook receiver listens on 127.0.0.1
  SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
  MAIL_FROM: "KeyRelay e2e <no-reply@keyrelay.test>",
};
// Specs reach the exchange simulator's control API through this.
process.env.SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
// ...and the mail the app sent (e2e/mail-catcher.ts) through this.
process.env.MAIL_URL = `http://127.0.0.1:${MAIL_PORT}`;
// Listed in the app's ADMIN_EMAILS: signing up with it must not make an admin (account-security.spec.ts).
process.env.E2E_ADMIN_EMAIL = "owner-by-signup@example.com";

if (!process.env.DATABASE_URL) {
  throw new Error("e2e needs DATABASE_URL: run `npm run test:e2e` (it creates a throwaway database).");
}

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: [
    {
      command: "npx tsx src/sim/main.ts",
      url: `http://127.0.0.1:${SIM_PORT}/__sim/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { SIM_PORT: String(SIM_PORT) },
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // Order jobs run in worker processes, as in production.
      command: "npx tsx scripts/worker.ts",
      url: "http://127.0.0.1:4012/health",
      reuseExistingServer: false,
      timeout: 60_000,
      // The protection watch every second, so a stop or take-profit that fired shows within seconds (e2e/protection.spec.ts).
      env: { WORKER_HEALTH_PORT: "4012", EXCHANGE_SIMULATOR_URL: `http://127.0.0.1:${SIM_PORT}`, PROTECTION_WATCH_MS: "1000", ...NOTIFY_ENV },
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // A real SMTP server on localhost: the app's email (verification, reset, security notices) lands here.
      command: "npx tsx e2e/mail-catcher.ts",
      url: `http://127.0.0.1:${MAIL_PORT}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { E2E_SMTP_PORT: String(SMTP_PORT), E2E_MAIL_PORT: String(MAIL_PORT) },
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: "npx tsx scripts/server.ts",
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: {
        PORT: String(PORT),
        EXCHANGE_SIMULATOR_URL: `http://127.0.0.1:${SIM_PORT}`,
        EGRESS_IPS: "203.0.113.10",
        ADMIN_EMAILS: process.env.E2E_ADMIN_EMAIL,
        ...NOTIFY_ENV, // SMTP_URL and MAIL_FROM among them
      },
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
