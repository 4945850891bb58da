import { describe, expect, it } from "vitest";
import { dailySummaryJob, summaryMessage } from "~/server/notifications/daily-summary";

describe("daily summary", () => {
  it("runs next at 00:05 UTC, one queued at a time", () => {
    const job = dailySummaryJob(new Date("2026-12-03T13:00:00Z"));
    expect(job.jobKey).toBe("notify:daily-summary");
    expect(new Date(Date.parse("2026-12-03T13:00:00Z") + job.delayMs!).toISOString()).toBe("2026-12-04T00:05:00.000Z");
    const early = dailySummaryJob(new Date("2026-12-03T00:01:00Z"));
    expect(early.delayMs).toBe(4 * 60_000);
  });

  it("says the day's orders, failures, fills and realized PnL, exactly", () => {
    expect(summaryMessage("2026-12-02", { orders: 3, failed: 1, fills: 2, realizedPnl: "12.5000" })).toBe(
      "2026-12-02 (UTC): 3 orders (1 failed), 2 fills, realized PnL +12.5 (quote currency, live and paper together).",
    );
    expect(summaryMessage("2026-12-02", { orders: 1, failed: 0, fills: 1, realizedPnl: "-0.1" })).toContain("1 order (0 failed), 1 fill, realized PnL -0.1");
    expect(summaryMessage("2026-12-02", { orders: 0, failed: 0, fills: 0, realizedPnl: "0" })).toBe("2026-12-02 (UTC): no orders.");
  });
});
