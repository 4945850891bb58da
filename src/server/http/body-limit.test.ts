import { describe, expect, it } from "vitest";
import { bodyTooLarge, MAX_BODY_BYTES } from "~/server/http/body-limit";

describe("bodyTooLarge", () => {
  it("refuses only above 64 KB, naming what was too large", () => {
    expect(MAX_BODY_BYTES).toBe(64 * 1024);
    expect(bodyTooLarge(MAX_BODY_BYTES)).toBeNull();
    expect(bodyTooLarge(MAX_BODY_BYTES + 1)).toBe("The body is larger than 64 KB.");
    expect(bodyTooLarge(MAX_BODY_BYTES + 1, "alert")).toBe("The alert is larger than 64 KB.");
  });

  it("takes a Content-Length header as it comes; a missing or unparsable one is left to the byte count", () => {
    expect(bodyTooLarge("70000")).not.toBeNull();
    expect(bodyTooLarge("100")).toBeNull();
    expect(bodyTooLarge(null)).toBeNull();
    expect(bodyTooLarge("not a number")).toBeNull();
  });
});
