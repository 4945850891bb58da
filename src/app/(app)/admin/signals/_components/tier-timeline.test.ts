import { describe, expect, it } from "vitest";
import { tierSpans } from "~/app/(app)/admin/signals/_components/tier-timeline";

const at = (ms: number) => new Date(1_800_000_000_000 + ms);

describe("tierSpans", () => {
  it("spans per tier from the first order written; in order when each tier's last send precedes the next tier's first", () => {
    const rows = [
      { tier: "FLEX", sentAt: at(12), ackAt: at(70) },
      { tier: "PRO", sentAt: at(0), ackAt: at(55) },
      { tier: "PRO", sentAt: at(10), ackAt: null },
      { tier: "TRIAL", sentAt: at(20), ackAt: at(90) },
      { tier: "TRIAL", sentAt: null, ackAt: null }, // skipped: never sent
    ];
    expect(tierSpans(rows)).toEqual({
      inOrder: true,
      spans: [
        { tier: "PRO", count: 2, firstSent: 0, lastSent: 10, lastAck: 55 },
        { tier: "FLEX", count: 1, firstSent: 12, lastSent: 12, lastAck: 70 },
        { tier: "TRIAL", count: 1, firstSent: 20, lastSent: 20, lastAck: 90 },
      ],
    });
  });
  it("a FLEX order written before a PRO one is reported as overlapping", () => {
    expect(tierSpans([{ tier: "PRO", sentAt: at(30), ackAt: null }, { tier: "FLEX", sentAt: at(5), ackAt: null }]).inOrder).toBe(false);
    expect(tierSpans([])).toEqual({ spans: [], inOrder: true });
  });
});
