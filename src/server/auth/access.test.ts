import { describe, expect, it } from "vitest";
import { refusal, TWO_FACTOR_SETUP_REQUIRED, twoFactorRequired, type Account } from "~/server/auth/access";

const account = (over: Partial<Account> = {}): Account => ({
  id: "u1", email: "u@example.com", name: "U", role: "USER", tier: "PRO", trialEndsAt: null, disabledAt: null, tradingMode: "OFF", totpEnabledAt: null, ...over,
});
const withTwoFactor = { totpEnabledAt: new Date() };

describe("refusal", () => {
  it("lets a user act as a user, and only an admin (with 2FA on) act as an admin", () => {
    expect(refusal("u1", account(), "user")).toBeNull();
    expect(refusal("u1", account(), "account")).toBeNull();
    expect(refusal("u1", account({ role: "ADMIN", ...withTwoFactor }), "admin")).toBeNull();
    expect(refusal("u1", account(), "admin")).toMatchObject({ code: "FORBIDDEN", message: "Admins only." });
    expect(refusal("u1", account(withTwoFactor), "admin")).toMatchObject({ code: "FORBIDDEN", message: "Admins only." });
  });

  it("an admin without 2FA is refused the admin level (and told to set it up), not the rest", () => {
    const admin = account({ role: "ADMIN" });
    expect(refusal("u1", admin, "admin")).toMatchObject({ code: "FORBIDDEN", details: { reason: TWO_FACTOR_SETUP_REQUIRED } });
    expect(refusal("u1", admin, "user")).toBeNull();
    expect(refusal("u1", admin, "account")).toBeNull();
    expect(twoFactorRequired(admin, "admins")).toBe(true);
    expect(twoFactorRequired(account(), "admins")).toBe(false);
  });

  it("with REQUIRE_2FA=all, a user without 2FA can only reach the account level (to set it up)", () => {
    expect(refusal("u1", account(), "user", "all")).toMatchObject({ code: "FORBIDDEN", details: { reason: TWO_FACTOR_SETUP_REQUIRED } });
    expect(refusal("u1", account(), "account", "all")).toBeNull();
    expect(refusal("u1", account(withTwoFactor), "user", "all")).toBeNull();
    expect(twoFactorRequired(account(), "all")).toBe(true);
  });

  it("refuses no caller, a deleted account and a disabled one as UNAUTHORIZED, whatever the level", () => {
    for (const level of ["account", "user", "admin"] as const) {
      expect(refusal(null, null, level)).toMatchObject({ code: "UNAUTHORIZED", message: "Sign in to continue." });
      expect(refusal("gone", null, level)).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/session has ended/) });
      expect(refusal("u1", account({ role: "ADMIN", disabledAt: new Date(), ...withTwoFactor }), level)).toMatchObject({ code: "UNAUTHORIZED" });
    }
  });
});
