// Which format an alert is in, decided from its keys (never from a header: TradingView sends every
// message the same way). KeyRelay's own JSON and key=value are the default and behave as they always
// did; another relay's format is recognised only by keys KeyRelay's format does not use.
import { isOctoBot, mapOctoBot } from "~/server/signals/alert-formats/octobot";
import { isThreeCommas, mapThreeCommas } from "~/server/signals/alert-formats/three-commas";
import { isTradersPost, mapTradersPost } from "~/server/signals/alert-formats/traderspost";
import type { MapResult } from "~/server/signals/alert-formats/format-kit";

export function mapJsonFormat(entries: [string, unknown][]): MapResult {
  if (isThreeCommas(entries)) return mapThreeCommas(entries);
  if (isTradersPost(entries)) return mapTradersPost(entries);
  return { entries, format: "json" };
}

export function mapKeyValueFormat(entries: [string, unknown][]): MapResult {
  if (isOctoBot(entries)) return mapOctoBot(entries);
  return { entries, format: "key-value" };
}
