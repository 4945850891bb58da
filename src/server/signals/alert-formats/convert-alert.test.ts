import { describe, expect, it } from "vitest";

import { convertAlert } from "~/server/signals/alert-formats/convert-alert";
import { parseWebhookPayload } from "~/server/signals/webhook-payload";
import { fillPlaceholders, SAMPLE_PLACEHOLDER_VALUES } from "~/server/signals/alert-template";

describe("the alert converter", () => {
  it("reads TradingView's default message as written in the alert box, and gives KeyRelay's JSON with the same placeholders", () => {
    const c = convertAlert("{{strategy.order.action}} @ {{strategy.order.contracts}} filled on {{ticker}}. New strategy position is {{strategy.position_size}}");
    expect(c).toMatchObject({ format: "tradingview-default", errors: [], understood: { action: "buy", symbol: "BTC/USDT", perpetual: true, size: "0.015 contracts", position: "new signed position 0.015" } });
    expect(JSON.parse(c.template!)).toEqual({
      ticker: "{{ticker}}", action: "{{strategy.order.action}}", quantity: "{{strategy.order.contracts}}", quantityType: "contracts", positionSize: "{{strategy.position_size}}",
      timestamp: "{{timenow}}", maxLagSeconds: 60, id: "{{ticker}}-{{strategy.order.id}}-{{timenow}}",
    });
    // The template is a working KeyRelay alert once TradingView fills it.
    const filled = fillPlaceholders(c.template!, { ...SAMPLE_PLACEHOLDER_VALUES, "strategy.position_size": "0.015" });
    expect(parseWebhookPayload({ contentType: "application/json", body: filled })).toMatchObject({ ok: true, alert: { format: "json", positionSize: "0.015" } });
  });

  it("TradersPost protection, 3Commas pairs; the 3Commas secret stays out of the template", () => {
    const tp = convertAlert('{"ticker": "{{ticker}}", "action": "{{strategy.order.action}}", "takeProfit": {"percent": 2}, "stopLoss": {"percent": 1}}');
    expect(tp).toMatchObject({ format: "traderspost", understood: { protection: "stop-loss 1 % from the entry, take-profit 2 % from the entry" } });
    expect(JSON.parse(tp.template!)).toMatchObject({ takeProfitPct: "2", stopLossPct: "1" });
    const tc = convertAlert('{"secret": "abc", "pair": "USDT_ETH", "action": "enter_short", "bot_id": 1}');
    expect(tc).toMatchObject({ format: "3commas", understood: { symbol: "ETH/USDT", action: "sell", ignored: ["bot_id"] } });
    expect(tc.template).not.toContain("abc");
  });

  it("says what is wrong, per field, in the format's words", () => {
    const c = convertAlert("SYMBOL=BTCUSDT\nSIGNAL=HOLD");
    expect(c).toMatchObject({ format: "octobot", understood: null, errors: [{ field: "SIGNAL" }] });
    expect(convertAlert("hello")).toMatchObject({ format: null, understood: null, errors: [{ field: "body" }], template: null });
  });
});
