import { describe, expect, it } from "vitest";
import { passwordProblem } from "~/server/auth/password-strength";

describe("password strength", () => {
  it("refuses the issue's 1234567890 with the fix, and guessable passwords of any length", () => {
    expect(passwordProblem("1234567890")).toBe("Use at least 12 characters for your password: three or four unrelated words make a strong one.");
    for (const weak of ["123456789012", "passwordpassword", "qwertyuiopasdf", "aaaaaaaaaaaaaaaa", "correcthorse1"]) {
      expect(passwordProblem(weak), weak).toMatch(/^This password is too easy to guess.*Add more words that are less common, or use three or four unrelated words\.$/);
    }
  });

  it("refuses a password built from the account's own email or name", () => {
    expect(passwordProblem("zorblaxquintero", ["zorblax.quintero@example.com", "Zorblax Quintero"])).toMatch(/too easy to guess \(There should not be any personal/);
    expect(passwordProblem("zorblax@example.com", ["zorblax@example.com"])).toMatch(/too easy to guess/);
    expect(passwordProblem("zorblaxquintero")).toBeNull(); // the same password on someone else's account
  });

  it("accepts a few unrelated words and long random strings", () => {
    for (const good of ["correct horse battery staple", "violet tractor mango quietly", "kR7#pQ2!vX9@mW4z"]) expect(passwordProblem(good), good).toBeNull();
    expect(passwordProblem("x".repeat(201))).toMatch(/at most 200/);
  });
});
