import { describe, expect, it } from "vitest";
import { formatAgo, formatDateTime, formatTime } from "./time-format";

const at = new Date("2026-12-02T16:05:09.123Z");

describe("time format", () => {
  it("shows the date, the time with seconds and the zone's name", () => {
    expect(formatDateTime(at, { locale: "en-GB", timeZone: "UTC" })).toBe("02/12/2026, 16:05:09 UTC");
    expect(formatTime(at, { locale: "en-GB", timeZone: "UTC" })).toBe("16:05:09 UTC");
  });

  it("converts to the zone it names, with that zone's label", () => {
    expect(formatDateTime(at, { locale: "en-GB", timeZone: "Asia/Tokyo" })).toBe("03/12/2026, 01:05:09 GMT+9");
    expect(formatTime(at, { locale: "en-US", timeZone: "America/New_York" })).toBe("11:05:09 EST");
  });

  it("always carries a zone label in the default zone too", () => {
    expect(formatDateTime(at)).toMatch(/\d{2}:\d{2}:\d{2}\s+\S+/);
    expect(formatDateTime(at)).not.toBe(formatDateTime(at).replace(/\s+\S+$/, ""));
  });

  it("says how long ago, or how soon", () => {
    expect(formatAgo(new Date(at.getTime() - 2000), at)).toBe("just now");
    expect(formatAgo(new Date(at.getTime() - 42_000), at)).toBe("42 s ago");
    expect(formatAgo(new Date(at.getTime() - 5 * 60_000), at)).toBe("5 min ago");
    expect(formatAgo(new Date(at.getTime() - 3 * 3_600_000), at)).toBe("3 h ago");
    expect(formatAgo(new Date(at.getTime() + 2 * 86_400_000), at)).toBe("in 2 d");
  });
});
