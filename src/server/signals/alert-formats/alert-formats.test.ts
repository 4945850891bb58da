import { describe, expect, it } from "vitest";

import { parseWebhookPayload, type ParsedAlert } from "~/server/signals/webhook-payload";

const parse = (body: string | object, contentType: string | null = null) =>
  parseWebhookPayload({ contentType: contentType ?? (typeof body === "string" ? "text/plain" : "application/json"), body: typeof body === "string" ? body : JSON.stringify(body) });

function ok(body: string | object): ParsedAlert {
  const r = parse(body);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.alert;
}
function refused(body: string | object) {
  const r = parse(body);
  if (r.ok) throw new Error(`expected a 400, got ${JSON.stringify(r.alert)}`);
  return r;
}

describe("TradingView's default strategy message", () => {
  // TradingView help, "How to configure strategy alerts": the default Message is
  // "{{strategy.order.action}} @ {{strategy.order.contracts}} filled on {{ticker}}. New strategy position is {{strategy.position_size}}".
  it("reads side, size, symbol and the new signed position", () => {
    expect(ok("sell @ 0.01 filled on BTCUSDT. New strategy position is -0.01")).toMatchObject({
      format: "tradingview-default", action: "sell", quantity: "0.01", quantityType: "contracts", ticker: { base: "BTC", quote: "USDT" }, positionSize: "-0.01",
    });
    expect(ok("buy @ 1 filled on BTCUSDT. New strategy position is 0")).toMatchObject({ action: "buy", positionSize: "0" });
  });

  it("takes Pine's scientific sizes, .P perpetuals and exchange-prefixed tickers", () => {
    expect(ok("buy @ 1.0E-2 filled on BINANCE:BTCUSDT.P. New strategy position is 1.0E-2")).toMatchObject({
      quantity: "0.01", positionSize: "0.01", ticker: { base: "BTC", quote: "USDT", perp: true, raw: "BINANCE:BTCUSDT.P" },
    });
    expect(ok("sell @ 2.5E-3 filled on ETHUSDT.P. New strategy position is -5.0E-3")).toMatchObject({ quantity: "0.0025", positionSize: "-0.005" });
  });

  it("unrendered placeholders (an indicator alert, or a copy from the docs) are a 400 naming each", () => {
    const r = refused("{{strategy.order.action}} @ {{strategy.order.contracts}} filled on {{ticker}}. New strategy position is {{strategy.position_size}}");
    expect(r.status).toBe(400);
    expect(r.error.map((e) => e.field)).toEqual(["body", "ticker", "action", "contracts", "new strategy position"]);
    expect(r.error[0]!.message).toMatch(/^The alert still contains TradingView placeholders \{\{strategy\.order\.action\}\}, \{\{strategy\.order\.contracts\}\}, \{\{ticker\}\}, \{\{strategy\.position_size\}\}: /);
    expect(r.error[1]!.message).toMatch(/^TradingView default message: ticker is the unresolved placeholder \{\{ticker\}\}/);
  });

  it("a broken size names the part of the message", () => {
    expect(refused("buy @ 1,000 filled on BTCUSDT. New strategy position is 1000").error[0]).toMatchObject({ field: "contracts", message: expect.stringMatching(/^TradingView default message: contracts is "1,000"/) });
  });
});

describe("TradersPost", () => {
  // TradersPost docs, "Webhooks" reference: JSON with ticker, action, sentiment, quantity, quantityType,
  // orderType, limitPrice, takeProfit {limitPrice|percent|amount}, stopLoss {type, stopPrice|percent|amount}.
  it("maps the documented example with percent take-profit and stop-loss", () => {
    const alert = ok({ ticker: "BTCUSD", action: "buy", sentiment: "bullish", quantity: 0.5, quantityType: "fixed_quantity", orderType: "limit", limitPrice: 64000, takeProfit: { percent: 2 }, stopLoss: { percent: 1 }, extras: { note: "x" } });
    expect(alert).toMatchObject({ format: "traderspost", action: "buy", marketPosition: "long", quantity: "0.5", quantityType: "contracts", orderType: "limit", price: "64000", takeProfitPct: "2", stopLossPct: "1", extra: { extras: { note: "x" } } });
    expect(alert.takeProfit).toBeNull();
  });

  it("takes prices, and amounts from the price; bearish is short", () => {
    expect(ok({ ticker: "ETHUSDT", action: "sell", sentiment: "bearish", signalPrice: 3000, takeProfit: { amount: 100 }, stopLoss: { type: "stop", stopPrice: 3050 } })).toMatchObject({
      marketPosition: "short", price: "3000", takeProfit: "2900", stopLoss: "3050",
    });
    expect(ok({ ticker: "BTCUSDT", action: "buy", limitPrice: "100", takeProfit: { limitPrice: 110 }, stopLoss: { amount: 5 } })).toMatchObject({ takeProfit: "110", stopLoss: "95" });
    expect(ok({ ticker: "BTCUSDT", action: "exit", quantityType: "dollar_amount", quantity: 100, timeInForce: "gtc" })).toMatchObject({ action: "exit", quantityType: "quote", extra: { timeInForce: "gtc" } });
  });

  it("a trailing stop-loss (TradersPost's stopLoss {type: trailing_stop, trailPercent}) is the position's trailing stop", () => {
    expect(ok({ ticker: "BTCUSDT.P", action: "buy", stopLoss: { type: "trailing_stop", trailPercent: 1.5 }, takeProfit: { percent: 3 } })).toMatchObject({ trailingStopPct: "1.5", takeProfitPct: "3", stopLoss: null });
    expect(ok({ ticker: "BTCUSDT", action: "buy", trailingStopPct: "0.8" })).toMatchObject({ format: "json", trailingStopPct: "0.8" });
  });

  it("add and breakeven (TradersPost's reference) become the engine's add-to-held and stop-to-entry actions", () => {
    expect(ok({ ticker: "BTCUSDT", action: "add", quantity: 0.01, signalPrice: 50000 })).toMatchObject({ action: "add", quantity: "0.01", price: "50000" });
    expect(ok({ ticker: "BTCUSDT.P", action: "breakeven" })).toMatchObject({ action: "breakeven" });
  });

  it("refuses what the engine does not do, naming the field and why", () => {
    const cases: [object, string, RegExp][] = [
      [{ action: "buy", limitPrice: 1, orderType: "stop_limit" }, "orderType", /market or limit/],
      [{ action: "buy", limitPrice: 1, quantityType: "percent_of_position" }, "quantityType", /percent_of_position/],
      [{ action: "buy", takeProfit: { percent: -2 } }, "takeProfit.percent", /^TradersPost takeProfit\.percent must be a positive number/],
      [{ action: "buy", takeProfit: { percent: 2, limitPrice: 3 } }, "takeProfit", /send exactly one/],
      [{ action: "buy", stopLoss: { type: "trailing_stop", trailAmount: 50 } }, "stopLoss", /percent only .*"trailPercent": 1/],
      [{ action: "buy", stopLoss: { type: "trailing_stop", trailPercent: "x" } }, "stopLoss.trailPercent", /^TradersPost stopLoss\.trailPercent must be a positive number/],
      [{ action: "buy", stopLoss: { type: "trailing_stop", trailPercent: 25 } }, "stopLoss.trailPercent", /at most 10/],
      [{ action: "buy", takeProfit: { type: "trailing_stop", trailPercent: 1 } }, "takeProfit", /cannot trail/],
      [{ action: "buy", stopLoss: { amount: 5 } }, "stopLoss.amount", /needs .* a "price"/],
      [{ action: "buy", stopLoss: { percent: 150 } }, "stopLoss.percent", /^TradersPost stopLoss\.percent must be below 100/],
      [{ action: "hold", limitPrice: 1 }, "action", /^TradersPost action must be one of/],
    ];
    for (const [fields, field, message] of cases) {
      const r = refused({ ticker: "BTCUSDT", ...fields });
      expect(r.status).toBe(400);
      expect(r.error[0], JSON.stringify(fields)).toMatchObject({ field, message: expect.stringMatching(message) });
    }
  });
});

describe("3Commas signal bot", () => {
  // 3Commas help, "Signal Bot: TradingView custom signal" JSON, and the DCA bot's "pair": "USDT_BTC" (QUOTE_BASE).
  it("maps the Signal Bot strategy message", () => {
    const alert = ok({
      secret: "eyJhbGciOiJIUzI1NiJ9.example.signature", max_lag: "300", timestamp: "2026-11-24T23:00:00Z", trigger_price: "64250.5", tv_exchange: "BINANCE", tv_instrument: "BTCUSDT.P",
      action: "enter_long", bot_uuid: "5a1b7c2e-0000-4000-8000-000000000000", order: { amount: "0.015", currency_type: "base", order_type: "market" },
    });
    expect(alert).toMatchObject({ format: "3commas", action: "buy", rawAction: "enter_long", ticker: { base: "BTC", quote: "USDT", perp: true }, quantity: "0.015", quantityType: "base", orderType: "market", price: "64250.5", maxLagSeconds: 300, secret: null });
    expect(alert.timestamp).toEqual(new Date("2026-11-24T23:00:00Z"));
    expect(JSON.stringify(alert)).not.toContain("eyJhbGci");
  });

  it("reads QUOTE_BASE pairs and exits; position_percent 100 is the whole position", () => {
    expect(ok({ message_type: "bot", bot_id: 1234567, email_token: "token-abc", delay_seconds: 0, pair: "USDT_BTC", action: "close_at_market_price" })).toMatchObject({ ticker: { base: "BTC", quote: "USDT" }, action: "exit", extra: { bot_id: 1234567 } });
    expect(JSON.stringify(ok({ bot_id: 1, email_token: "token-abc", pair: "USDT_ETH", action: "exit_short", order: { amount: "100", currency_type: "position_percent" } }))).not.toContain("token-abc");
    expect(ok({ pair: "USDC_ETH", action: "exit_short", order: { amount: "100", currency_type: "position_percent" } })).toMatchObject({ ticker: { base: "ETH", quote: "USDC" }, action: "exit", exitSide: "short", quantity: null });
  });

  it("errors name 3Commas' own fields", () => {
    expect(refused({ pair: "BTCUSDT", action: "enter_long" }).error[0]).toMatchObject({ field: "pair", message: expect.stringMatching(/QUOTE_BASE, e.g. "USDT_BTC"/) });
    expect(refused({ pair: "USDT_BTC", bot_id: 1 }).error[0]).toMatchObject({ field: "action" });
    expect(refused({ tv_instrument: "BTCUSDT", action: "enter_long", max_lag: "300" }).error[0]).toMatchObject({ field: "timestamp", message: expect.stringMatching(/^3Commas timestamp is required/) });
    expect(refused({ tv_instrument: "BTCUSDT", action: "enter_long", order: { amount: "-1" } }).error[0]).toMatchObject({ field: "order.amount", message: expect.stringMatching(/^3Commas order\.amount must be greater than 0/) });
    expect(refused({ tv_instrument: "{{ticker}}", action: "enter_long" }).error[1]).toMatchObject({ field: "tv_instrument", message: expect.stringMatching(/unresolved placeholder/) });
    expect(refused({ pair: "USDT_BTC", action: "enter_long", order: { amount: "50", currency_type: "position_percent" } }).error[0]).toMatchObject({ field: "order.currency_type" });
  });
});

describe("OctoBot", () => {
  // OctoBot guides, "TradingView trading mode" alert format: KEY=VALUE lines.
  it("maps the documented buy with take-profit and stop prices", () => {
    const alert = ok("EXCHANGE=binance\nSYMBOL=BTCUSDT\nSIGNAL=BUY\nORDER_TYPE=LIMIT\nPRICE=64000\nVOLUME=0.01\nTAKE_PROFIT_PRICE=70000\nSTOP_PRICE=60000");
    expect(alert).toMatchObject({ format: "octobot", action: "buy", ticker: { base: "BTC", quote: "USDT" }, orderType: "limit", price: "64000", quantity: "0.01", quantityType: "base", takeProfit: "70000", stopLoss: "60000", extra: { EXCHANGE: "binance" } });
  });

  it("percent volumes, reduce-only sells, numbered take-profits (the first is used, the rest kept)", () => {
    expect(ok("SYMBOL=ETHUSDT;SIGNAL=SELL;VOLUME=50%;REDUCE_ONLY=true")).toMatchObject({ action: "exit", exitSide: "long", quantity: "50", quantityType: "percent" });
    expect(ok("SYMBOL=ETHUSDT\nSIGNAL=BUY\nTAKE_PROFIT_PRICE_1=3100\nTAKE_PROFIT_PRICE_2=3200")).toMatchObject({ takeProfit: "3100", extra: { TAKE_PROFIT_PRICE_2: "3200" } });
  });

  it("errors name OctoBot's keys", () => {
    expect(refused("SYMBOL=BTCUSDT\nSIGNAL=HOLD").error[0]).toMatchObject({ field: "SIGNAL", message: expect.stringMatching(/^OctoBot SIGNAL must be one of/) });
    expect(refused("SYMBOL=BTCUSDT\nSIGNAL=BUY\nVOLUME=0").error[0]).toMatchObject({ field: "VOLUME" });
    expect(refused("SYMBOL=BTCUSDT\nSIGNAL=BUY\nORDER_TYPE=STOP").error[0]).toMatchObject({ field: "ORDER_TYPE" });
  });
});

describe("KeyRelay's own formats are unchanged", () => {
  it("JSON and key=value keep their format and meaning", () => {
    expect(ok({ ticker: "BTCUSDT", action: "buy", takeProfit: "70000" })).toMatchObject({ format: "json", takeProfit: "70000" });
    expect(ok("ticker=BTCUSDT\naction=sell")).toMatchObject({ format: "key-value", action: "sell" });
    expect(ok({ ticker: "BTCUSDT", action: "buy", stopLossPct: "1.5" })).toMatchObject({ format: "json", stopLossPct: "1.5" });
    expect(ok({ ticker: "BTCUSDT", action: "buy" })).not.toHaveProperty("takeProfitPct");
  });
});
