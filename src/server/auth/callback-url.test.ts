import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "~/server/auth/callback-url";

describe("safeCallbackPath (the open redirect after sign-in)", () => {
  it("keeps paths on this site, with their query and fragment", () => {
    expect(safeCallbackPath("/keys")).toBe("/keys");
    expect(safeCallbackPath("/admin/audit?user=a%40b.c&action=auth.sign_in#row-3")).toBe("/admin/audit?user=a%40b.c&action=auth.sign_in#row-3");
    expect(safeCallbackPath("/a/../settings")).toBe("/settings");
  });

  it("sends everything a browser could resolve to another host to the dashboard", () => {
    const attacks = [
      "/\\evil.example/phish", // what /sign-in?callbackUrl=/%5Cevil.example/phish decodes to
      "\\\\evil.example",
      "//evil.example/phish",
      "///evil.example",
      "/\\/evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      " //evil.example",
      "https://evil.example/phish",
      "http:evil.example",
      "HTTPS://EVIL.EXAMPLE",
      "javascript:alert(document.cookie)",
      "JaVaScRiPt:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "evil.example",
      "",
      "/%0d%0a".replace("%0d%0a", "\r\n"),
      `/${"a".repeat(3000)}`,
    ];
    for (const raw of attacks) expect(safeCallbackPath(raw), JSON.stringify(raw)).toBe("/dashboard");
    for (const raw of [undefined, null, 42, ["/keys"]]) expect(safeCallbackPath(raw)).toBe("/dashboard");
  });

  it("leaves percent-encoded slashes encoded, so they stay a path on this site", () => {
    expect(safeCallbackPath("/%5Cevil.example/phish")).toBe("/%5Cevil.example/phish");
    expect(safeCallbackPath("/%2F%2Fevil.example")).toBe("/%2F%2Fevil.example");
    for (const raw of ["/%5Cevil.example/phish", "/%2F%2Fevil.example"]) {
      expect(new URL(safeCallbackPath(raw), "https://keyrelay.example").host).toBe("keyrelay.example");
    }
  });
});
