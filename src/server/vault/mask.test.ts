import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { maskApiKey } from "~/server/vault/mask";

describe("maskApiKey", () => {
  it("shows the first and last four characters of a normal key", () => {
    expect(maskApiKey("AbCd" + "x".repeat(56) + "WxYz")).toBe("AbCd…WxYz");
    expect(maskApiKey("  AbCdEFGHIJKLWxYz \n")).toBe("AbCd…WxYz");
  });

  it("masks short keys fully, without revealing their length", () => {
    for (const key of ["", "abc", "abcdefgh", "abcdefghijklmno"]) expect(maskApiKey(key)).toBe("****");
  });

  it("never shows more than 8 characters of a key", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 100 }), (key) => {
        const masked = maskApiKey(key);
        expect([...masked.replace("…", "")].length).toBeLessThanOrEqual(8);
      }),
    );
  });
});
