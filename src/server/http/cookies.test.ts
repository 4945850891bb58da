import { describe, expect, it } from "vitest";
import { malformedCookie, parseCookieHeader } from "~/server/http/cookies";

describe("cookie header", () => {
  it("decodes ordinary cookies", () => {
    const c = parseCookieHeader("a=1; next-auth.session-token=eyJ.abc.def; b=hello%20world; q=\"quoted\"");
    expect(Object.fromEntries(c)).toEqual({ a: "1", "next-auth.session-token": "eyJ.abc.def", b: "hello world", q: "quoted" });
    expect(malformedCookie("a=1; b=hello%20world")).toBeNull();
    expect(malformedCookie(undefined)).toBeNull();
  });

  it("a malformed value (x=%E0%A4%A) is skipped by the parser and named by malformedCookie, without throwing", () => {
    const header = "x=%E0%A4%A; next-auth.session-token=tok";
    expect(() => decodeURIComponent("%E0%A4%A")).toThrow(URIError); // what used to escape as a 500
    expect(Object.fromEntries(parseCookieHeader(header))).toEqual({ "next-auth.session-token": "tok" });
    expect(malformedCookie(header)).toBe('The cookie "x" is not validly encoded; clear this site\'s cookies and try again.');
    expect(malformedCookie(["a=1", "y=%"])).toMatch(/"y"/);
  });

  it("refuses an oversized header", () => {
    expect(malformedCookie(`a=${"b".repeat(20_000)}`)).toMatch(/longer than 16 KB/);
  });
});
