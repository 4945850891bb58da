import { describe, expect, it } from "vitest";

import { alertTemplate, alertTemplates, fillPlaceholders, SAMPLE_PLACEHOLDER_VALUES, TEMPLATE_MAX_LAG_SECONDS } from "~/server/signals/alert-template";
import { ID_MAX_CHARS } from "~/server/signals/alert-fields";
import { parseWebhookPayload } from "~/server/signals/webhook-payload";

describe("alertTemplate", () => {
  it("is valid JSON before TradingView fills it, so TradingView sends it as application/json", () => {
    const template = alertTemplate();
    expect(() => JSON.parse(template) as unknown).not.toThrow();
    expect(JSON.parse(template)).toMatchObject({ maxLagSeconds: TEMPLATE_MAX_LAG_SECONDS, quantityType: "contracts" });
    expect(template).not.toContain("secret");
  });

  it("parses into a valid alert once the placeholders are filled", () => {
    const result = parseWebhookPayload({ contentType: "application/json", body: fillPlaceholders(alertTemplate(), SAMPLE_PLACEHOLDER_VALUES) });
    expect(result).toEqual({
      ok: true,
      alert: {
        ticker: { raw: "BTCUSDT.P", base: "BTC", quote: "USDT", perp: true },
        action: "buy",
        rawAction: "buy",
        exitSide: null,
        marketPosition: "long",
        prevMarketPosition: "flat",
        marketPositionSize: "0.015",
        prevMarketPositionSize: "0",
        positionSize: null,
        orderType: null,
        quantity: "0.015",
        quantityType: "contracts",
        price: "64250.5",
        leverage: null,
        takeProfit: null,
        stopLoss: null,
        id: "BTCUSDT.P-Long-2026-11-24T23:00:00Z",
        timestamp: new Date("2026-11-24T23:00:00Z"),
        maxLagSeconds: 60,
        secret: null,
        extra: {},
        format: "json",
      },
    });
  });

  it("gives different ids to a close and a re-entry in the same second, and to two charts", () => {
    const idFor = (values: Record<string, string>) => {
      const result = parseWebhookPayload({ contentType: "application/json", body: fillPlaceholders(alertTemplate(), { ...SAMPLE_PLACEHOLDER_VALUES, ...values }) });
      if (!result.ok) throw new Error(JSON.stringify(result.error));
      return result.alert.id;
    };
    const ids = new Set([idFor({}), idFor({ "strategy.order.id": "Close", "strategy.order.action": "sell" }), idFor({ ticker: "ETHUSDT.P" })]);
    expect(ids.size).toBe(3);
  });

  it("leaves room in the id for a typical order id", () => {
    const longest = fillPlaceholders(alertTemplate(), { ...SAMPLE_PLACEHOLDER_VALUES, ticker: "1000PEPEUSDT.P", "strategy.order.id": "Long Entry 2 (trail)" });
    expect((JSON.parse(longest) as { id: string }).id.length).toBeLessThanOrEqual(ID_MAX_CHARS);
  });

  it("carries the secret when asked, and it reaches the parsed alert", () => {
    const body = fillPlaceholders(alertTemplate({ secret: 'tok"en', maxLagSeconds: 30 }), SAMPLE_PLACEHOLDER_VALUES);
    const result = parseWebhookPayload({ contentType: "application/json", body });
    expect(result.ok && result.alert).toMatchObject({ secret: 'tok"en', maxLagSeconds: 30 });
  });

  it("names the field when a strategy placeholder is not filled (an indicator alert)", () => {
    const { "strategy.order.contracts": _dropped, ...indicatorOnly } = SAMPLE_PLACEHOLDER_VALUES;
    const result = parseWebhookPayload({ contentType: "application/json", body: fillPlaceholders(alertTemplate(), indicatorOnly) });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error[1]).toEqual({ field: "quantity", message: expect.stringContaining("{{strategy.order.contracts}}") });
  });
});

describe("alertTemplates", () => {
  it("offers the strategy, indicator and manual buy / sell / close templates, each accepted once TradingView fills it", () => {
    const templates = alertTemplates();
    expect(templates.map((t) => t.kind)).toEqual(["strategy", "indicator", "manual-buy", "manual-sell", "manual-close"]);
    const actions = { "manual-buy": "buy", "manual-sell": "sell", "manual-close": "exit", indicator: "buy", strategy: "buy" } as const;
    for (const t of templates) {
      const filled = fillPlaceholders(t.message, { ...SAMPLE_PLACEHOLDER_VALUES, timenow: new Date().toISOString() });
      const r = parseWebhookPayload({ contentType: "application/json", body: filled });
      expect(r.ok ? r.alert.action : r.error, t.kind).toBe(actions[t.kind]);
      if (t.kind !== "strategy") expect(t.message).not.toContain("{{strategy.");
    }
  });
});
