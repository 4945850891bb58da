import { describe, expect, it } from "vitest";
import { firstDuplicateKey } from "~/server/signals/json-duplicate-keys";
import { parseWebhookPayload } from "~/server/signals/webhook-payload";

const alert = (body: string, contentType: string | null = "application/json") => parseWebhookPayload({ contentType, body });

describe("duplicate keys in a JSON alert", () => {
  it("an alert that sends a key twice is refused with a 400 naming the key, instead of trading the last value", () => {
    const r = alert('{"ticker":"BTCUSDT","action":"buy","quantity":"0.01","quantity":"100"}');
    expect(r).toMatchObject({ ok: false, status: 400, error: [{ field: "quantity", message: expect.stringContaining('"quantity" twice') }] });
    // TradingView sends text/plain when it cannot tell: the same check applies.
    expect(alert('{"ticker":"BTCUSDT","action":"buy","action":"sell"}', "text/plain")).toMatchObject({ ok: false, status: 400, error: [{ field: "action" }] });
  });

  it("finds duplicates in nested objects too, and names where", () => {
    const r = alert('{"ticker":"BTCUSDT","action":"buy","meta":{"note":"a","legs":[{"tp":"1"},{"tp":"2","tp":"3"}]}}');
    expect(r).toMatchObject({ ok: false, status: 400, error: [{ field: "meta.legs[1].tp" }] });
  });

  it("compares keys as JSON decodes them: an escaped spelling is the same key", () => {
    expect(firstDuplicateKey('{"qty":1,"q\\u0074y":2}')).toEqual({ key: "qty", path: "qty" });
  });

  it("leaves alone what is not a repeated key: equal keys in sibling objects, keys inside strings, equal values", () => {
    expect(firstDuplicateKey('[{"a":1},{"a":1}]')).toBeNull();
    expect(firstDuplicateKey('{"a":{"b":1},"c":{"b":1},"d":"\\"a\\":1,\\"a\\":2","e":["a","a"]}')).toBeNull();
    expect(firstDuplicateKey('{"a":{},"b":[],"c":[{}],"d":{"a":{}}}')).toBeNull();
    expect(alert('{"ticker":"BTCUSDT","action":"buy","note":"{\\"x\\":1,\\"x\\":2}"}')).toMatchObject({ ok: true });
  });

  it("is linear and iterative: a deep or long body is scanned without overflowing", () => {
    expect(firstDuplicateKey("[".repeat(100_000) + "]".repeat(100_000))).toBeNull();
    const many = `{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":${i}`).join(",")},"k42":0}`;
    expect(firstDuplicateKey(many)).toEqual({ key: "k42", path: "k42" });
  });
});
