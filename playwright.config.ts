import { defineConfig, devices } from "@playwright/test";

// Run through `npm test` (or `npm run test:e2e`), which builds the app and creates a throwaway
// database; this config starts `next start` (through scripts/server.ts) on that database.
const PORT = Number(process.env.E2E_PORT ?? 3334);
export const baseURL = `http://localhost:${PORT}`;

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
      command: "npx tsx scripts/server.ts",
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: { PORT: String(PORT) },
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
