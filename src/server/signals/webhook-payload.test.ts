import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { parseWebhookPayload, type ParseAlertResult, type ParsedAlert } from "~/server/signals/webhook-payload";

const JSON_TYPE = "application/json";

function ok(body: string, contentType: string | null = JSON_TYPE): ParsedAlert {
  const result = parseWebhookPayload({ contentType, body });
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.alert;
}

function errors(body: string | object, contentType: string | null = JSON_TYPE) {
  const result = parseWebhookPayload({ contentType, body: typeof body === "string" ? body : JSON.stringify(body) });
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.alert)}`);
  return result;
}

const minimal = { ticker: "BTCUSDT", action: "buy" };

describe("a full JSON alert", () => {
  it("parses every field, resolves aliases and keeps unknown fields in extra", () => {
    const alert = ok(
      JSON.stringify({
        symbol: "BINANCE:BTCUSDT.P",
        action: "close_long",
        order_type: "limit",
        qty: "0.015",
        qty_type: "base",
        close: "64250.5",
        leverage: "5",
        tp: 70000,
        stopLoss: "60000",
        alertId: "BTCUSDT.P-Close-2026-11-24T23:00:00Z",
        time: "2026-11-24T23:00:00Z",
        max_lag: "60",
        secret: "s3cret",
        sentiment: "flat",
        prev_market_position: "long",
        market_position_size: "0",
        prev_market_position_size: "0.015",
        position_size: "0",
        comment: "from TV",
      }),
    );
    expect(alert).toEqual({
      ticker: { raw: "BINANCE:BTCUSDT.P", base: "BTC", quote: "USDT", perp: true },
      action: "exit",
      rawAction: "close_long",
      exitSide: "long",
      marketPosition: "flat",
      prevMarketPosition: "long",
      marketPositionSize: "0",
      prevMarketPositionSize: "0.015",
      positionSize: "0",
      orderType: "limit",
      quantity: "0.015",
      quantityType: "base",
      price: "64250.5",
      leverage: 5,
      takeProfit: "70000",
      stopLoss: "60000",
      id: "BTCUSDT.P-Close-2026-11-24T23:00:00Z",
      timestamp: new Date("2026-11-24T23:00:00Z"),
      maxLagSeconds: 60,
      secret: "s3cret",
      extra: { comment: "from TV" },
      format: "json",
    } satisfies ParsedAlert);
  });

  it("reads TradingView's signed position size, and refuses one that contradicts the market position", () => {
    expect(ok(JSON.stringify({ ...minimal, position_size: "-1.0E-2" }))).toMatchObject({ positionSize: "-0.01" });
    const r = parseWebhookPayload({ contentType: "application/json", body: JSON.stringify({ ...minimal, marketPosition: "long", positionSize: "-0.01" }) });
    expect(r).toMatchObject({ ok: false, status: 400, error: [{ field: "marketPosition", message: expect.stringMatching(/means short/) }] });
    const neg = parseWebhookPayload({ contentType: "application/json", body: JSON.stringify({ ...minimal, marketPositionSize: "-1" }) });
    expect(neg).toMatchObject({ ok: false, error: [{ field: "marketPositionSize", message: expect.stringMatching(/0 or more/) }] });
  });

  it("leaves absent and blank optional fields null", () => {
    const alert = ok(JSON.stringify({ ...minimal, price: "", id: "  ", leverage: null }));
    expect(alert).toMatchObject({ price: null, id: null, leverage: null, quantity: null, timestamp: null, orderType: null });
  });

  it("accepts keys in any case and with - or _", () => {
    expect(ok(JSON.stringify({ TICKER: "ethusdt", Action: "SELL", "Order-Type": "Market", MAX_LAG_SECONDS: 5, TimeStamp: 1_795_561_200 }))).toMatchObject({
      ticker: { base: "ETH", quote: "USDT" },
      action: "sell",
      orderType: "market",
      maxLagSeconds: 5,
      timestamp: new Date(1_795_561_200_000),
    });
  });
});

describe("content types and formats", () => {
  it("parses JSON sent as text/plain, with a charset, a BOM or no content type", () => {
    const body = JSON.stringify(minimal);
    for (const type of ["text/plain", "text/plain; charset=utf-8", "Application/JSON; charset=UTF-8", "application/vnd.tv+json", null, ""]) {
      expect(ok(body, type).format).toBe("json");
    }
    expect(ok(`\uFEFF  ${body}\n`, "text/plain").action).toBe("buy");
  });

  it("parses key=value lines and ; separated pairs", () => {
    const alert = ok("ticker=BTCUSDT\r\naction=buy\n\n# a comment\nqty=0.01; price = \"50000\"", "text/plain");
    expect(alert).toMatchObject({ ticker: { base: "BTC" }, action: "buy", quantity: "0.01", price: "50000", format: "key-value" });
    expect(ok("ticker=BTCUSDT;action=sell", "text/plain").action).toBe("sell");
  });

  it("parses a form-encoded body", () => {
    expect(ok("ticker=BTCUSDT&action=exit&qty=2", "application/x-www-form-urlencoded")).toMatchObject({ action: "exit", quantity: "2", format: "form" });
  });

  it("answers 415 for content types TradingView never sends", () => {
    for (const type of ["application/xml", "multipart/form-data; boundary=x", "image/png"]) {
      const result = errors(minimal, type);
      expect(result.status).toBe(415);
      expect(result.error[0]?.field).toBe("content-type");
    }
  });

  it("explains broken JSON, noting TradingView's text/plain fallback", () => {
    const asText = errors('{"ticker": "BTCUSDT", "action": buy}', "text/plain");
    expect(asText.error).toEqual([{ field: "body", message: expect.stringContaining("looks like JSON but is not valid (TradingView sent it as text/plain") }]);
    expect(errors("ticker=BTCUSDT", JSON_TYPE).error[0]?.message).toContain("not valid");
  });

  it.each([["[]"], ["null"], ["42"], ['"text"'], ["[1,2]"]])("refuses the JSON value %s: it must be an object", (body) => {
    expect(errors(body).error[0]).toMatchObject({ field: "body", message: expect.stringContaining("must be a JSON object") });
  });

  it.each([[""], ["   \n"], ["BTCUSDT Crossing 50000"], ["ticker=BTCUSDT\nbuy now"], ["# only a comment"]])("refuses %j as neither JSON nor key=value", (body) => {
    const result = errors(body, "text/plain");
    expect(result.status).toBe(400);
    expect(result.error[0]?.field).toBe("body");
    expect(result.error[0]?.message).toContain("template");
  });

  it("refuses JSON nested deeper than the cap", () => {
    const deep = JSON.stringify({ ...minimal, extra: { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } } });
    expect(errors(deep).error[0]?.message).toContain("nests deeper");
    expect(errors("[".repeat(20_000) + "]".repeat(20_000)).status).toBe(400);
  });
});

describe("field errors name the field as sent and say what to send", () => {
  it("reports every missing required field", () => {
    expect(errors({}).error.map((e) => e.field)).toEqual(["ticker", "action"]);
    expect(errors({}).error[0]?.message).toMatch(/^ticker is required; send the market/);
  });

  it("names an unresolved placeholder and the field holding it", () => {
    const result = errors({ ...minimal, close: "{{close}}", qty: "{{strategy.order.contracts}}" });
    expect(result.error).toEqual([
      { field: "body", message: expect.stringMatching(/^The alert still contains TradingView placeholders \{\{close\}\}, \{\{strategy\.order\.contracts\}\}: /) },
      { field: "close", message: expect.stringMatching(/^close is the unresolved placeholder \{\{close\}\}\..*KeyRelay's template/) },
      { field: "qty", message: expect.stringContaining("only in alerts created on a strategy") },
    ]);
  });

  it.each([
    [{ qty: "abc" }, "qty", "must be a number"],
    [{ qty: -1 }, "qty", "greater than 0"],
    [{ qty: "-0.5" }, "qty", "greater than 0; got -0.5"],
    [{ qty: "-0" }, "qty", "greater than 0"],
    [{ qty: 0 }, "qty", "greater than 0"],
    [{ qty: "0x10" }, "qty", "must be a number"],
    [{ qty: "Infinity" }, "qty", "must be a number"],
    [{ qty: "1e400" }, "qty", "too large"],
    [{ qty: "1e-31" }, "qty", "too many decimals"],
    [{ price: 1e-40 }, "price", "too many decimals"],
    [{ qty: true }, "qty", "must be a number"],
    [{ qty: [1] }, "qty", "must be a number"],
    [{ price: "64,250.5" }, "price", "use a dot for decimals"],
    [{ price: "64250,5" }, "price", "use a dot for decimals"],
    // {"limitPrice": 1} is TradersPost's take-profit object now (alert-formats/traderspost.ts); a non-number is still refused.
    [{ takeProfit: true }, "takeProfit", "must be a number"],
    [{ leverage: 0.5 }, "leverage", "from 1 to 125"],
    [{ leverage: 126 }, "leverage", "from 1 to 125"],
    [{ maxLagSeconds: 0, timestamp: "2026-11-24T23:00:00Z" }, "maxLagSeconds", "from 1 to 3600"],
    [{ max_lag: 1.5, timestamp: "2026-11-24T23:00:00Z" }, "max_lag", "whole number"],
    [{ orderType: "stop" }, "orderType", "market, limit"],
    [{ quantityType: "lots" }, "quantityType", "contracts, base, quote, percent"],
    [{ action: "hold" }, "action", "must be one of buy, sell"],
    [{ action: { side: "buy" } }, "action", "must be one of"],
    [{ ticker: "BTC" }, "ticker", "no quote currency"],
    [{ ticker: 42 }, "ticker", "no quote currency"],
    [{ id: "x".repeat(65) }, "id", "longer than 64 characters; KeyRelay's template"],
    [{ id: "a\nb" }, "id", "control characters"],
    [{ timestamp: "2026-11-24T23:00:00" }, "timestamp", "with a time zone"],
    [{ timestamp: "yesterday" }, "timestamp", "ISO 8601"],
    [{ timestamp: "2026-13-45T23:00:00Z" }, "timestamp", "not a real date"],
    [{ timestamp: 12345 }, "timestamp", "not a unix time"],
    [{ sentiment: "bullish" }, "sentiment", "long, short, flat"],
  ])("%j -> %s: %s", (fields, field, text) => {
    const result = errors({ ...minimal, ...fields });
    expect(result.status).toBe(400);
    expect(result.error).toContainEqual({ field, message: expect.stringContaining(text) });
    expect(result.error.find((e) => e.field === field)?.message.startsWith(field)).toBe(true);
  });

  it("refuses JSON numbers out of range by name, not as Infinity", () => {
    expect(errors('{"ticker":"BTCUSDT","action":"buy","qty":1e400}').error).toEqual([{ field: "qty", message: expect.stringContaining("too large") }]);
    expect(errors('{"ticker":"BTCUSDT","action":"buy","price":-1e-999}').error).toEqual([{ field: "price", message: expect.stringContaining("too many decimals") }]);
  });

  it("refuses two spellings of one field that disagree, accepts them when equal", () => {
    expect(errors({ ...minimal, price: "100", close: "101" }).error).toEqual([{ field: "price/close", message: expect.stringContaining("send only one") }]);
    expect(ok(JSON.stringify({ ...minimal, price: "100", close: 100 })).price).toBe("100");
    expect(errors("ticker=BTCUSDT\naction=buy\naction=sell", "text/plain").error[0]?.field).toBe("action/action");
  });

  it("checks fields that depend on each other", () => {
    expect(errors({ ...minimal, orderType: "limit" }).error).toEqual([{ field: "price", message: expect.stringContaining("required for a limit order") }]);
    expect(errors({ ...minimal, qty: 150, qty_type: "percent" }).error).toEqual([{ field: "qty", message: expect.stringContaining("at most 100") }]);
    expect(errors({ ...minimal, max_lag: 60 }).error).toEqual([{ field: "timestamp", message: expect.stringContaining("{{timenow}}") }]);
  });
});

describe("values", () => {
  it.each([
    ["buy", "buy", null], ["BUY", "buy", null], ["long", "buy", null], ["enter_long", "buy", null],
    ["sell", "sell", null], ["short", "sell", null], ["enter-short", "sell", null],
    ["exit", "exit", null], ["close", "exit", null], ["flat", "exit", null],
    ["close_long", "exit", "long"], ["Close Long", "exit", "long"], ["exit_short", "exit", "short"], ["close_short", "exit", "short"],
    ["cancel", "cancel", null],
  ])("action %j -> %s (exitSide %s)", (word, action, exitSide) => {
    expect(ok(JSON.stringify({ ticker: "BTCUSDT", action: word }))).toMatchObject({ action, exitSide });
  });

  it.each([
    ["2026-11-24T23:00:00Z", "2026-11-24T23:00:00.000Z"],
    ["2026-11-24T23:00:00.123Z", "2026-11-24T23:00:00.123Z"],
    ["2026-11-25T00:00:00+01:00", "2026-11-24T23:00:00.000Z"],
    ["2026-11-24 23:00:00Z", "2026-11-24T23:00:00.000Z"],
    [1_795_561_200, "2026-11-24T23:00:00.000Z"],
    ["1795561200", "2026-11-24T23:00:00.000Z"],
    [1_795_561_200_000, "2026-11-24T23:00:00.000Z"],
    ["1795561200123", "2026-11-24T23:00:00.123Z"],
  ])("timestamp %j -> %s", (timestamp, iso) => {
    expect(ok(JSON.stringify({ ...minimal, timestamp })).timestamp?.toISOString()).toBe(iso);
  });

  it("reads numbers in the forms TradingView prints them", () => {
    expect(ok(JSON.stringify({ ...minimal, price: "1.2345E-5", qty: ".5", tp: "+7" }))).toMatchObject({ price: "0.000012345", quantity: "0.5", takeProfit: "7" });
    expect(ok(JSON.stringify({ ...minimal, price: 1.2345e-5, qty: "1.50", sl: "64250.10" }))).toMatchObject({ price: "0.000012345", quantity: "1.5", stopLoss: "64250.1" });
  });

  it("keeps every digit of amounts and prices, sent as JSON numbers or as text", () => {
    const body = '{"ticker":"BTCUSDT","action":"buy","qty":0.123456789012345678,"price":64250.50,"tp":123456789012345678.5,"sl":"0.1234567890123456789"}';
    expect(ok(body)).toMatchObject({ quantity: "0.123456789012345678", price: "64250.5", takeProfit: "123456789012345678.5", stopLoss: "0.1234567890123456789" });
    expect(ok("ticker=BTCUSDT\naction=buy\nqty=0.123456789012345678", "text/plain").quantity).toBe("0.123456789012345678");
    // Only numbers a float would change are re-read; other values (and numbers inside strings) are untouched.
    const nested = ok('{"ticker":"BTCUSDT","action":"buy","note":"qty 0.123456789012345678","meta":{"n":0.30000000000000004,"m":1e21}}');
    expect(nested.extra).toEqual({ note: "qty 0.123456789012345678", meta: { n: 0.30000000000000004, m: 1e21 } });
    expect(ok('{"ticker":"BTCUSDT","action":"buy","meta":[0.1000000000000000000001]}').extra).toEqual({ meta: ["0.1000000000000000000001"] });
    expect(ok('{"ticker":"BTCUSDT","action":"buy","qty":1.5e-2,"price":1.50E+2,"tp":12345678901234567890,"sl":0.0150}')).toMatchObject({
      quantity: "0.015", price: "150", takeProfit: "12345678901234567890", stopLoss: "0.015",
    });
  });

  // How fast: bench/signals.ts (signals.long_numbers_64k_ms, beside JSON.parse of the same body).
  it("re-reads a 64 KB body of long numbers", () => {
    const numbers = Array.from({ length: 3000 }, (_, i) => `0.1234567890123456${String(i).padStart(4, "0")}`);
    const body = `{"ticker":"BTCUSDT","action":"buy","qty":${numbers[0]},"x":[${numbers.join(",")}]}`;
    const alert = ok(body);
    expect(alert.quantity).toBe("0.1234567890123456"); // "...0000" sent: trailing zeros dropped
    expect((alert.extra.x as string[])[2999]).toBe("0.12345678901234562999");
  });

  it("turns a numeric id into text", () => {
    expect(ok(JSON.stringify({ ...minimal, id: 12345 })).id).toBe("12345");
  });

  it("keeps prototype-polluting keys as plain data", () => {
    const alert = ok('{"ticker":"BTCUSDT","action":"buy","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
    expect(Object.keys(alert.extra)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(alert.extra)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(ok("ticker=BTCUSDT\naction=buy\n__proto__=x", "text/plain").extra).toEqual(Object.fromEntries([["__proto__", "x"]]));
  });
});

describe("never throws", () => {
  const contentTypes = fc.oneof(
    fc.constantFrom(null, "", JSON_TYPE, "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "application/xml"),
    fc.string({ maxLength: 40 }),
  );
  const knownKeys = ["ticker", "symbol", "action", "qty", "quantity", "contracts", "price", "close", "leverage", "id", "timestamp", "time", "maxLagSeconds", "max_lag", "orderType", "qty_type", "tp", "sl", "secret", "sentiment", "__proto__", "constructor", "toString"];
  const anyValue = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.constantFrom("{{close}}", "{{strategy.order.action}}", "1e400", "-0", "NaN", "1,000", "BTCUSDT.P", "buy", "2026-11-24T23:00:00Z", 1e308, -1e308, Number.MAX_SAFE_INTEGER),
  );
  const alertObjects = fc.dictionary(fc.oneof(fc.constantFrom(...knownKeys), fc.string({ maxLength: 12 })), anyValue, { maxKeys: 12 });

  function wellFormed(result: ParseAlertResult) {
    if (result.ok) {
      expect(typeof result.alert.action).toBe("string");
      expect(result.alert.ticker.base.length).toBeGreaterThan(0);
      return;
    }
    expect([400, 415]).toContain(result.status);
    expect(result.error.length).toBeGreaterThan(0);
    for (const e of result.error) {
      expect(typeof e.field).toBe("string");
      expect(e.message.length).toBeGreaterThan(5);
      // The safety net in parseWebhookPayload must never be what answers.
      expect(e.message).not.toContain("could not be read");
    }
  }

  it("on random text with random content types", () => {
    fc.assert(fc.property(contentTypes, fc.string({ maxLength: 300 }), (contentType, body) => wellFormed(parseWebhookPayload({ contentType, body }))), { numRuns: 2000 });
  });

  it("on random JSON values, deep ones included", () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => wellFormed(parseWebhookPayload({ contentType: JSON_TYPE, body: JSON.stringify(value) ?? "null" }))), { numRuns: 1000 });
  });

  it("on alert-shaped objects with hostile values, as JSON and as key=value", () => {
    fc.assert(
      fc.property(alertObjects, fc.boolean(), (object, asText) => {
        const body = asText
          ? Object.entries(object).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join("\n")
          : JSON.stringify(object);
        wellFormed(parseWebhookPayload({ contentType: asText ? "text/plain" : JSON_TYPE, body }));
      }),
      { numRuns: 2000 },
    );
  });

  it("on random bytes decoded as text", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => wellFormed(parseWebhookPayload({ contentType: "text/plain", body: Buffer.from(bytes).toString("utf8") }))));
  });
});

// How fast, and that the cost grows linearly with the body (no regex backtracking): bench/signals.ts.
describe("hostile and typical bodies", () => {
  it("answers hostile 60 KB values, naming the bad field", () => {
    const long = "1".repeat(60_000);
    const cases: [string, string[] | "ok"][] = [
      [JSON.stringify({ ...minimal, qty: `${long}x` }), ["qty"]],
      [JSON.stringify({ ...minimal, timestamp: `${long}x` }), ["timestamp"]],
      [JSON.stringify({ ...minimal, price: `${long.slice(30_000)}.${long.slice(30_000)}x` }), ["price"]],
      [`ticker=BTCUSDT\naction=buy\nnote="${"a".repeat(60_000)}`, "ok"],
      [JSON.stringify({ ...minimal, price: "{{a".repeat(20_000) }), ["price"]],
    ];
    for (const [body, expected] of cases) {
      const result = parseWebhookPayload({ contentType: "text/plain", body });
      expect(result.ok ? "ok" : result.error.map((e) => e.field), body.slice(0, 40)).toEqual(expected);
    }
  });

  it("parses a typical alert, the same every time", () => {
    const body = JSON.stringify({
      ticker: "BTCUSDT.P", action: "buy", quantity: "0.015", quantityType: "contracts", price: "64250.5", marketPosition: "long",
      timestamp: "2026-11-24T23:00:00Z", maxLagSeconds: 60, id: "BTCUSDT.P-Long-2026-11-24T23:00:00Z",
    });
    const first = parseWebhookPayload({ contentType: JSON_TYPE, body });
    expect(first).toMatchObject({
      ok: true,
      alert: { ticker: { base: "BTC", quote: "USDT", perp: true }, action: "buy", quantity: "0.015", quantityType: "contracts", price: "64250.5", maxLagSeconds: 60, id: "BTCUSDT.P-Long-2026-11-24T23:00:00Z" },
    });
    for (let i = 0; i < 100; i++) expect(parseWebhookPayload({ contentType: JSON_TYPE, body })).toEqual(first);
  });
});

describe("unrendered placeholders are found before any parsing", () => {
  it.each([
    ["JSON with an unquoted placeholder (not valid JSON)", "application/json", '{"ticker": "{{ticker}}", "action": "buy", "price": {{close}}}'],
    ["plain text key=value", "text/plain", "ticker={{ticker}}\naction=buy\nprice={{close}}"],
    ["plain text that is neither JSON nor key=value", "text/plain", "{{strategy.order.action}} {{ticker}} at {{close}}"],
    ["a TradersPost body", "application/json", '{"ticker": "{{ticker}}", "action": "buy", "limitPrice": "{{close}}", "takeProfit": {"percent": 2}}'],
    ["OctoBot lines", "text/plain", "EXCHANGE=binance\nSYMBOL={{ticker}}\nSIGNAL=BUY\nPRICE={{close}}"],
    ["a placeholder in a field KeyRelay ignores", "application/json", '{"ticker": "BTCUSDT", "action": "buy", "note": "{{close}} {{ticker}}"}'],
  ])("%s: a 400 naming each placeholder", (_what, contentType, body) => {
    const r = parseWebhookPayload({ contentType, body });
    if (r.ok) throw new Error("expected a 400");
    expect(r.status).toBe(400);
    expect(r.error[0]).toEqual({ field: "body", message: expect.stringMatching(/^The alert still contains TradingView placeholders \{\{/) });
    expect(r.error[0]!.message).toContain("{{close}}");
    expect(r.error.map((e) => e.message).join(" ")).not.toMatch(/looks like JSON but is not valid/);
  });

  it("says strategy placeholders need a strategy alert", () => {
    const r = parseWebhookPayload({ contentType: "text/plain", body: '{"ticker":"BTCUSDT","action":{{strategy.order.action}}}' });
    expect(r.ok ? "" : r.error[0]!.message).toMatch(/only in alerts created on a strategy/);
  });

  it("a rendered alert is read as before; an unsupported content type stays a 415", () => {
    expect(parseWebhookPayload({ contentType: "application/json", body: '{"ticker":"BTCUSDT","action":"buy"}' }).ok).toBe(true);
    const r = parseWebhookPayload({ contentType: "application/xml", body: "<a>{{close}}</a>" });
    expect(r.ok ? 0 : r.status).toBe(415);
  });
});
