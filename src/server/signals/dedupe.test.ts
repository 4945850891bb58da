import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { canonicalJson, dedupeKey, DEDUPE_WINDOW_SECONDS } from "~/server/signals/dedupe";
import { parseWebhookPayload, type ParsedAlert } from "~/server/signals/webhook-payload";

function alert(body: string, contentType = "application/json"): ParsedAlert {
  const result = parseWebhookPayload({ contentType, body });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.alert;
}

const T0 = Date.UTC(2026, 10, 24, 23, 0, 0); // on a bucket boundary
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const plain = alert('{"ticker":"BTCUSDT","action":"buy","qty":"0.10"}');

/** What the caller's unique index does: a delivery is a duplicate when any of its keys is already taken. */
function store() {
  const taken = new Set<string>();
  return (keys: string[]) => {
    if (keys.some((k) => taken.has(k))) return "duplicate";
    for (const k of keys) taken.add(k);
    return "new";
  };
}

describe("dedupeKey", () => {
  it("uses the alert's id when it has one, at any time", () => {
    const withId = alert('{"ticker":"BTCUSDT","action":"buy","id":"BTC-Long-1"}');
    const first = dedupeKey({ strategyId: "s1", alert: withId, now: at(0) });
    expect(first).toMatchObject({ kind: "id", keys: ["id:s1:BTC-Long-1"] });
    expect(dedupeKey({ strategyId: "s1", alert: withId, now: at(86_400) }).keys).toEqual(first.keys);
    expect(dedupeKey({ strategyId: "s2", alert: withId, now: at(0) }).keys).not.toEqual(first.keys);
  });

  it("treats equal alerts as equal whatever the spelling, and leaves the secret out", () => {
    const a = dedupeKey({ strategyId: "s1", alert: plain, now: at(5) });
    const b = dedupeKey({ strategyId: "s1", alert: alert("action=buy\nqty=0.1\nticker=BTCUSDT", "text/plain"), now: at(6) });
    expect(b).toEqual(a);
    // Not hex, so a digest cannot contain it by chance ("abc" did, once the alert's amounts became strings).
    const withSecret = dedupeKey({ strategyId: "s1", alert: alert('{"ticker":"BTCUSDT","action":"buy","qty":0.1,"secret":"s3cret-xyz"}'), now: at(5) });
    expect(withSecret.keys).toEqual(a.keys);
    expect(withSecret.keys.join()).not.toContain("s3cret");
  });

  it("separates strategies and different alerts", () => {
    const base = dedupeKey({ strategyId: "s1", alert: plain, now: at(5) }).keys;
    expect(dedupeKey({ strategyId: "s2", alert: plain, now: at(5) }).keys).not.toEqual(base);
    expect(dedupeKey({ strategyId: "s1", alert: alert('{"ticker":"BTCUSDT","action":"sell","qty":"0.10"}'), now: at(5) }).keys).not.toEqual(base);
  });

  it("catches a copy 1 s later across a bucket boundary", () => {
    const seen = store();
    expect(seen(dedupeKey({ strategyId: "s1", alert: plain, now: at(59.5) }).keys)).toBe("new");
    expect(seen(dedupeKey({ strategyId: "s1", alert: plain, now: at(60.5) }).keys)).toBe("duplicate");
  });

  it("always catches copies less than the window apart and never those two windows apart", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: DEDUPE_WINDOW_SECONDS * 1000 - 1 }), (startMs, gapMs) => {
        const seen = store();
        const first = new Date(T0 + startMs);
        seen(dedupeKey({ strategyId: "s", alert: plain, now: first }).keys);
        expect(seen(dedupeKey({ strategyId: "s", alert: plain, now: new Date(first.getTime() + gapMs) }).keys)).toBe("duplicate");
        const later = store();
        later(dedupeKey({ strategyId: "s", alert: plain, now: first }).keys);
        expect(later(dedupeKey({ strategyId: "s", alert: plain, now: new Date(first.getTime() + 2 * DEDUPE_WINDOW_SECONDS * 1000 + gapMs) }).keys)).toBe("new");
      }),
    );
  });

  it("says when the keys can be dropped", () => {
    expect(dedupeKey({ strategyId: "s1", alert: plain, now: at(10) }).expiresAt).toEqual(at(120));
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined }, t: new Date(0) })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1,"t":"1970-01-01T00:00:00.000Z"}');
  });

  it("does not overflow on a deep hand-built value", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { x: deep };
    expect(canonicalJson(deep)).toContain("[deep]");
  });
});
