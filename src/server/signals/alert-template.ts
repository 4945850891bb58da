// The message a user pastes into a TradingView strategy alert's Message box. TradingView replaces the
// {{...}} placeholders when the alert fires and, because the result is valid JSON, sends it as
// application/json. Every placeholder sits inside quotes so the message stays valid JSON even when one
// is left unfilled (webhook-payload.ts then names the field instead of answering "invalid JSON").
//
// The id makes each firing unique for dedupe: {{timenow}} (to the second) alone would merge a strategy
// that closes and reopens in one bar, so the order id ("Long", "Close"...) is in it, and the ticker is
// in it so one template used on two charts never merges their alerts. maxLagSeconds 60 refuses an
// alert that arrives more than a minute after it fired (TradingView outages deliver late bursts).

export const TEMPLATE_MAX_LAG_SECONDS = 60;

export type TemplateOptions = {
  /** Put the webhook secret in the body, for senders that cannot keep it in the URL. */
  secret?: string;
  maxLagSeconds?: number;
};

export function alertTemplate(options: TemplateOptions = {}): string {
  const message: Record<string, string | number> = {
    ticker: "{{ticker}}",
    action: "{{strategy.order.action}}",
    quantity: "{{strategy.order.contracts}}",
    quantityType: "contracts",
    price: "{{close}}",
    marketPosition: "{{strategy.market_position}}",
    marketPositionSize: "{{strategy.market_position_size}}",
    prevMarketPosition: "{{strategy.prev_market_position}}",
    prevMarketPositionSize: "{{strategy.prev_market_position_size}}",
    timestamp: "{{timenow}}",
    maxLagSeconds: options.maxLagSeconds ?? TEMPLATE_MAX_LAG_SECONDS,
    id: "{{ticker}}-{{strategy.order.id}}-{{timenow}}",
  };
  if (options.secret !== undefined) message.secret = options.secret;
  return JSON.stringify(message, null, 2);
}

/**
 * Indicator alerts (and manual price alerts) get only the chart placeholders ({{ticker}}, {{close}},
 * {{timenow}}): {{strategy.…}} stays unfilled outside a strategy, so these fix the action instead.
 */
function fixedActionTemplate(action: "buy" | "sell" | "exit", options: TemplateOptions): string {
  const message: Record<string, string | number> = {
    ticker: "{{ticker}}",
    action,
    price: "{{close}}",
    timestamp: "{{timenow}}",
    maxLagSeconds: options.maxLagSeconds ?? TEMPLATE_MAX_LAG_SECONDS,
    id: `{{ticker}}-${action}-{{timenow}}`,
  };
  if (options.secret !== undefined) message.secret = options.secret;
  return JSON.stringify(message, null, 2);
}

export type AlertTemplateKind = "strategy" | "indicator" | "manual-buy" | "manual-sell" | "manual-close";

/** Every template the strategy page offers: the strategy alert, an indicator alert, manual buy / sell / close. */
export function alertTemplates(options: TemplateOptions = {}): { kind: AlertTemplateKind; label: string; hint: string; message: string }[] {
  return [
    { kind: "strategy", label: "Strategy alert", hint: "For an alert created on a Pine strategy: TradingView fills the order and position placeholders.", message: alertTemplate(options) },
    { kind: "indicator", label: "Indicator alert", hint: "For an alert on an indicator's condition: create one alert per side and set \"action\" to \"buy\" or \"sell\".", message: fixedActionTemplate("buy", options) },
    { kind: "manual-buy", label: "Manual buy", hint: "A one-off buy (a price alert, or sent by hand): subscribers open or add at their own size.", message: fixedActionTemplate("buy", options) },
    { kind: "manual-sell", label: "Manual sell", hint: "A one-off sell: on spot it closes the strategy's holding; on perpetuals it opens a short or reduces a long.", message: fixedActionTemplate("sell", options) },
    { kind: "manual-close", label: "Manual close", hint: "Closes what the strategy holds on every subscriber's account, whichever side.", message: fixedActionTemplate("exit", options) },
  ];
}

/** Example values, as TradingView would fill them, for previews and tests. */
export const SAMPLE_PLACEHOLDER_VALUES: Record<string, string> = {
  ticker: "BTCUSDT.P",
  "strategy.order.action": "buy",
  "strategy.order.contracts": "0.015",
  "strategy.order.id": "Long",
  "strategy.market_position": "long",
  "strategy.market_position_size": "0.015",
  "strategy.prev_market_position": "flat",
  "strategy.prev_market_position_size": "0",
  close: "64250.5",
  timenow: "2026-11-24T23:00:00Z",
};

/** Replaces {{name}} placeholders the way TradingView does; unknown ones stay as they are. */
export function fillPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([^{}]+)\}\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? (values[name] ?? whole) : whole));
}
