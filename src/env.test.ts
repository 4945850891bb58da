import { describe, expect, it } from "vitest";
import { EnvError, envVar, parseEnv } from "~/env";

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

  it("has defaults for the tuning variables, and checks them", () => {
    const env = parseEnv({});
    expect([env.DATABASE_POOL_SIZE, env.WORKER_LEASE_SECONDS, env.EXECUTION_LEASE_MS, env.LOG_LEVEL]).toEqual([10, 15, 30_000, "info"]);
    expect(parseEnv({ LOG_LEVEL: " DEBUG " }).LOG_LEVEL).toBe("debug");
    expect(() => parseEnv({ DATABASE_POOL_SIZE: "0" })).toThrow(/DATABASE_POOL_SIZE: must be a whole number of connections from 1 to 1000/);
    expect(() => parseEnv({ WORKER_LEASE_SECONDS: "soon" })).toThrow(/WORKER_LEASE_SECONDS: must be a whole number of seconds/);
  });

  it("REQUIRE_KEY_IP_RESTRICTION is off by default, on with true/1/yes, and names the fix when garbled", () => {
    expect(parseEnv({}).REQUIRE_KEY_IP_RESTRICTION).toBe(false);
    expect(parseEnv({ REQUIRE_KEY_IP_RESTRICTION: "true" }).REQUIRE_KEY_IP_RESTRICTION).toBe(true);
    expect(parseEnv({ REQUIRE_KEY_IP_RESTRICTION: "1" }).REQUIRE_KEY_IP_RESTRICTION).toBe(true);
    expect(parseEnv({ REQUIRE_KEY_IP_RESTRICTION: "false" }).REQUIRE_KEY_IP_RESTRICTION).toBe(false);
    expect(() => parseEnv({ REQUIRE_KEY_IP_RESTRICTION: "always" })).toThrow(/REQUIRE_KEY_IP_RESTRICTION: must be true or false/);
  });

  it("KEY_HEALTH_INTERVAL_MS defaults to 6 hours and names the allowed range when out of it", () => {
    expect(parseEnv({}).KEY_HEALTH_INTERVAL_MS).toBe(21_600_000);
    expect(parseEnv({ KEY_HEALTH_INTERVAL_MS: "3600000" }).KEY_HEALTH_INTERVAL_MS).toBe(3_600_000);
    expect(() => parseEnv({ KEY_HEALTH_INTERVAL_MS: "1000" })).toThrow(/KEY_HEALTH_INTERVAL_MS: must be a whole number of milliseconds from 60000 to 604800000/);
  });

  it("reads one variable now, without needing the rest of the environment to be valid", () => {
    const broken = { NODE_ENV: "production", PORT: "http" }; // parseEnv refuses this environment
    expect(() => parseEnv(broken)).toThrow(EnvError);
    expect(envVar("EXECUTION_LEASE_MS", { ...broken, EXECUTION_LEASE_MS: "2000" })).toBe(2000);
    expect(envVar("WORKER_LEASE_SECONDS", broken)).toBe(15);
    expect(envVar("LOG_LEVEL", { LOG_LEVEL: "" })).toBe("info");
    expect(() => envVar("LOG_LEVEL", { LOG_LEVEL: "verbose" })).toThrow(/LOG_LEVEL: must be one of/);
  });
});
