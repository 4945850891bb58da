/**
 * Setting up a TradingView alert, one part per format KeyRelay reads (src/server/signals/alert-formats,
 * README "Alerts in other relays' formats"). Every example is checked by guides.test.ts: it must be
 * recognised as its format and read without errors, placeholders filled as TradingView fills them.
 */
import type { Guide } from "~/server/help/guide-types";
import { alertTemplates } from "~/server/signals/alert-template";

const template = (kind: "strategy" | "indicator") => alertTemplates().find((t) => t.kind === kind)!.message;

const TRADINGVIEW_DEFAULT = "{{strategy.order.action}} @ {{strategy.order.contracts}} filled on {{ticker}}. New strategy position is {{strategy.position_size}}";

const TRADERSPOST = `{
  "ticker": "{{ticker}}",
  "action": "{{strategy.order.action}}",
  "sentiment": "bullish",
  "quantity": "{{strategy.order.contracts}}",
  "quantityType": "fixed_quantity",
  "orderType": "limit",
  "limitPrice": "{{close}}",
  "takeProfit": { "percent": 2 },
  "stopLoss": { "percent": 1 }
}`;

const THREE_COMMAS = `{
  "action": "enter_long",
  "timestamp": "{{timenow}}",
  "max_lag": "300",
  "trigger_price": "{{close}}",
  "tv_exchange": "{{exchange}}",
  "tv_instrument": "{{ticker}}",
  "bot_uuid": "your-3commas-bot-uuid",
  "order": { "amount": "{{strategy.order.contracts}}", "currency_type": "base", "order_type": "market" }
}`;

const OCTOBOT = `EXCHANGE=binance
SYMBOL=BTCUSDT
SIGNAL=BUY
VOLUME=0.01
TAKE_PROFIT_PRICE=70000
STOP_PRICE=60000`;

export const TRADINGVIEW_ALERTS: Guide = {
  slug: "tradingview-alerts",
  title: "Set up a TradingView alert",
  summary: "Point a TradingView alert at a strategy's webhook URL, with a message in KeyRelay's own JSON or in the format another relay (TradingView's default, TradersPost, 3Commas, OctoBot) already uses.",
  sections: [
    {
      heading: "Who does this",
      id: "who",
      blocks: [
        {
          kind: "p",
          text: "A strategy's alerts are set up once, by whoever runs the strategy on TradingView: the operator creates the strategy on **Admin → Strategies** and gets its webhook URL and alert message there. Subscribers do not need TradingView at all: they follow the strategy on **Signals** with their own size and key, and every alert trades on each subscriber's own account.",
        },
      ],
    },
    {
      heading: "The webhook URL",
      id: "webhook-url",
      blocks: [
        { kind: "p", text: "Each strategy has its own secret webhook URL. It looks like this (the last part is the strategy's secret token):" },
        { kind: "webhook-url" },
        {
          kind: "list",
          items: [
            "It is shown **once**, right after the strategy is created (or its URL rotated), with a **Copy webhook URL** button: KeyRelay keeps only a hash of it. Afterwards the strategy shows only its last 4 characters.",
            "Lost it, or someone else saw it? **Rotate webhook URL** on the strategy's card gives a new one; the old one stops working at once, so update your TradingView alerts.",
            "The URL starts with this server's public address (`NEXTAUTH_URL`). TradingView only calls ports 80 and 443; the page warns when the address is not https on port 443.",
          ],
        },
        { kind: "screen", name: "strategy-alert", alt: "A strategy card on Admin → Strategies: the webhook URL (shown once, hidden here) and the alert message template with its copy button" },
      ],
    },
    {
      heading: "Create the alert in TradingView",
      id: "create-alert",
      blocks: [
        {
          kind: "steps",
          items: [
            "Open the chart with your Pine strategy (or indicator) on the symbol the strategy allows, e.g. BTCUSDT (spot) or BTCUSDT.P (perpetual).",
            "Create an alert. As its condition choose your strategy (for a strategy alert) or the indicator's condition.",
            "In the alert's notifications, tick **Webhook URL** and paste the strategy's webhook URL. (TradingView offers webhooks on its paid plans and asks for two-factor authentication on your TradingView account.)",
            "In **Message**, paste one of the messages below, as it is: TradingView fills the `{{...}}` placeholders when the alert fires.",
            "Create the alert. On the operator's **Admin → Strategies → Manage**, **Send test alert** sends a buy through the whole path on paper, and the **Webhook delivery log** shows every call TradingView makes, accepted or refused, with the reason.",
          ],
        },
        {
          kind: "p",
          text: "KeyRelay answers at once and places the orders afterwards. A message that still holds a placeholder TradingView did not fill (e.g. `{{strategy.order.action}}` in an indicator alert) is refused naming it; a field with a bad value is refused naming the field. A re-delivery of the same alert (same `id`, or the same message within 60 s) trades only once.",
        },
      ],
    },
    {
      heading: "KeyRelay's own JSON (recommended)",
      id: "keyrelay-json",
      blocks: [
        {
          kind: "p",
          text: "The strategy card's **Strategy alert** template, for an alert on a Pine strategy. With the position fields, each subscriber's orders follow the strategy's position: a close closes exactly what the strategy holds on that account, a reversal closes then opens the other side. `maxLagSeconds` refuses an alert that arrives more than a minute late.",
        },
        { kind: "code", code: template("strategy"), caption: "Strategy alert", format: "json" },
        {
          kind: "p",
          text: "For an alert on an **indicator** (no `{{strategy...}}` placeholders there), make one alert per side with the action written in: `buy`, `sell`, or `exit` to close. The card also offers manual buy / sell / close templates.",
        },
        { kind: "code", code: template("indicator"), caption: "Indicator alert (buy side)", format: "json" },
        {
          kind: "p",
          text: "Optional fields: `stopLoss` / `takeProfit` prices, `stopLossPct` / `takeProfitPct` distances in % from the entry, `trailingStopPct`, `leverage`, `orderType` (`market` or `limit`). See [Sizing and protection](/help/sizing-and-protection).",
        },
      ],
    },
    {
      heading: "TradingView's default strategy message",
      id: "tradingview-default",
      blocks: [
        {
          kind: "p",
          text: "A strategy alert whose Message box you leave as TradingView fills it works too. KeyRelay reads the action, the contracts (`1.0E-2` is 0.01) and the new signed position (negative is short), and understands `BINANCE:` prefixes and the `.P` of perpetuals. Orders are market orders.",
        },
        { kind: "code", code: TRADINGVIEW_DEFAULT, caption: "TradingView's default message (sent as text)", format: "tradingview-default" },
      ],
    },
    {
      heading: "TradersPost",
      id: "traderspost",
      blocks: [
        {
          kind: "p",
          text: "TradersPost messages work as they are. `sentiment` (`bullish`, `bearish`, `flat`) gives the position after the alert; `quantityType` `fixed_quantity` is contracts, `dollar_amount` the quote currency, `percent_of_equity` a percent (`percent_of_position` is refused); `takeProfit` and `stopLoss` take a price, a `percent` from the entry, or an `amount` from the alert's price; `stopLoss` `{\"type\": \"trailing_stop\", \"trailPercent\": 1}` is a trailing stop. Actions: `buy`, `sell`, `exit`, `cancel`, `add` and `breakeven` (moves each open position's stop-loss to its entry).",
        },
        { kind: "code", code: TRADERSPOST, caption: "TradersPost", format: "traderspost" },
      ],
    },
    {
      heading: "3Commas signal bot",
      id: "3commas",
      blocks: [
        {
          kind: "p",
          text: "3Commas signal-bot messages work as they are. Actions: `enter_long`, `enter_short`, `exit_long`, `exit_short`, `buy`, `sell`, `close_at_market_price`. The pair comes from `pair` (`USDT_BTC`) or `tv_instrument`; `order.amount` with `currency_type` `base`, `quote` or `margin_percent`; `timestamp` with `max_lag` refuses late alerts. 3Commas' own `secret` and `email_token` are dropped (they are credentials for 3Commas); `bot_id` and `bot_uuid` are kept and ignored.",
        },
        { kind: "code", code: THREE_COMMAS, caption: "3Commas signal bot", format: "3commas" },
      ],
    },
    {
      heading: "OctoBot",
      id: "octobot",
      blocks: [
        {
          kind: "p",
          text: "OctoBot's `KEY=value` lines work as they are: `SIGNAL` `BUY`, `SELL` or `CANCEL` (with `REDUCE_ONLY=true`, a close of that side), `SYMBOL`, `VOLUME` in the base coin (`VOLUME=10%` is a percent), `PRICE` and `ORDER_TYPE`, `TAKE_PROFIT_PRICE` and `STOP_PRICE`. `EXCHANGE` and `TAG` are kept and ignored: the strategy's subscribers trade on their own exchange.",
        },
        { kind: "code", code: OCTOBOT, caption: "OctoBot (sent as text)", format: "octobot" },
      ],
    },
    {
      heading: "Not sure what KeyRelay reads?",
      id: "convert",
      blocks: [
        {
          kind: "p",
          text: "Each strategy card on **Admin → Strategies** has a **Convert an alert** box: paste a message as it is in TradingView and it shows the format recognised, what KeyRelay reads from it (side, symbol, size, position, protection) or the field errors, and the same alert as KeyRelay JSON. Errors on the delivery log are explained in [Troubleshooting](/help/troubleshooting).",
        },
      ],
    },
  ],
};
