import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "~/env";

describe("env", () => {
  it("defaults to port 3333 and the embedded database", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3333);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.ADMIN_EMAILS).toEqual([]);
  });

  it("names the bad variable and says how to fix it", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ URL/);
    expect(() => parseEnv({ PORT: "http" })).toThrow(EnvError);
    expect(() => parseEnv({ ENCRYPTION_KEY: "abc" })).toThrow(/ENCRYPTION_KEY: must be 64 hex characters \(make one with `openssl rand -hex 32`\)/);
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/NEXTAUTH_SECRET: required in production/);
  });

  it("never echoes a secret value in its message", () => {
    try {
      parseEnv({ NEXTAUTH_SECRET: "tooshort-secret-value" });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain("NEXTAUTH_SECRET");
      expect((err as Error).message).not.toContain("tooshort-secret-value");
    }
  });

  it("parses lists", () => {
    const env = parseEnv({ ADMIN_EMAILS: " A@x.com, b@y.com ,", EGRESS_IPS: "1.2.3.4, 5.6.7.8" });
    expect(env.ADMIN_EMAILS).toEqual(["a@x.com", "b@y.com"]);
    expect(env.EGRESS_IPS).toEqual(["1.2.3.4", "5.6.7.8"]);
  });
});
