// TradingView's default strategy alert message. TradingView help, "How to configure strategy alerts"
// (strategy alerts' default Message box):
//   {{strategy.order.action}} @ {{strategy.order.contracts}} filled on {{ticker}}. New strategy position is {{strategy.position_size}}
// rendered e.g. "sell @ 0.01 filled on BTCUSDT. New strategy position is -0.01". Pine prints numbers
// its own way: "1.0E-2" for 0.01 and a signed position (negative = short), which the decimal fields read.
import type { MappedAlert } from "~/server/signals/webhook-payload";

const DEFAULT_MESSAGE = /^(\S{1,60}) @ (\S{1,60}) filled on (\S{1,60}?)\.? New strategy position is (\S{1,60}?)\.?$/i;

const TRADINGVIEW_DEFAULT_LABEL = "TradingView default message:";

export function mapTradingViewDefault(text: string): MappedAlert | null {
  const m = DEFAULT_MESSAGE.exec(text.replace(/\s+/g, " "));
  if (!m) return null;
  const [, action = "", contracts = "", ticker = "", position = ""] = m;
  return {
    format: "tradingview-default",
    label: TRADINGVIEW_DEFAULT_LABEL,
    names: { quantity: "contracts", positionSize: "new strategy position" },
    entries: [
      ["ticker", ticker],
      ["action", action],
      ["quantity", contracts],
      ["quantityType", "contracts"],
      ["positionSize", position],
    ],
  };
}
