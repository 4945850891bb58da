import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrUpdateUser } from "~/server/auth/users";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { authenticateBearer } from "~/server/tokens/authenticate-bearer";

const SECRET = "cli-test-secret-0123456789abcdef0123456789ab";
const root = path.resolve(import.meta.dirname, "../../..");

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await createOrUpdateUser(t.database.prisma, { email: "cli-owner@example.com", password: "cli owner password", tier: "PRO" });
});
afterAll(async () => {
  await t.drop();
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", "scripts/token.ts", ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: t.url, NEXTAUTH_SECRET: SECRET, NODE_ENV: "production", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("scripts/token.ts", () => {
  it("prints only a token on stdout, and the token authenticates", async () => {
    const r = await runCli(["create", "--email", "CLI-Owner@example.com", "--days", "7", "--name", "deploy bot"]);
    expect(r.stderr).toContain('created API token "deploy bot"');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const token = r.stdout.trim();
    expect(r.stderr).not.toContain(token);

    const auth = await authenticateBearer(t.database.prisma, `Bearer ${token}`, { ip: null, userAgent: "test" }, { secret: SECRET });
    const row = await t.database.prisma.apiToken.findUniqueOrThrow({ where: { id: auth.tokenId }, include: { user: true } });
    expect(row.user.email).toBe("cli-owner@example.com");
    expect(row.name).toBe("deploy bot");
    expect(Math.round((row.expiresAt.getTime() - Date.now()) / 86_400_000)).toBe(7);
    const audit = await t.database.prisma.auditLog.findFirstOrThrow({ where: { action: "api_token.create", targetId: row.id } });
    expect(audit).toMatchObject({ actorEmail: "operator-cli", userAgent: "keyrelay-cli (scripts/token.ts)" });
  });

  it("bad arguments and unknown emails fail with a message on stderr and nothing on stdout", async () => {
    const bad = await runCli(["create", "--email", "not-an-email", "--days", "400"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/--email: /);
    expect(bad.stderr).toMatch(/--days: /);
    expect(bad.stderr).toMatch(/usage: npm run token/);

    const unknown = await runCli(["create", "--email", "nobody@example.com"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toMatch(/No account with email nobody@example.com/);
  });
});
