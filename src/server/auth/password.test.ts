import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "~/server/auth/password";

describe("password hashing (scrypt)", () => {
  it("verifies the right password and rejects others; salts differ", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    expect(a).not.toEqual(b);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toContain("correct horse");
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsE", a)).toBe(false);
    expect(await verifyPassword("correct horse", "garbage")).toBe(false);
  });
});
