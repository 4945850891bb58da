/**
 * The user guides, in the order the help index lists them. One source: the public pages
 * (/help, /help/<slug>) render them, and `npm run docs:users` writes docs/users.md from them.
 */
import type { Guide } from "~/server/help/guide-types";
import { TRADINGVIEW_ALERTS } from "~/server/help/guides-alerts";
import { CONNECT_BINANCE, CONNECT_BYBIT } from "~/server/help/guides-keys";
import { PAPER_BEFORE_LIVE, SIZING_AND_PROTECTION } from "~/server/help/guides-trading";

export const GUIDES: readonly Guide[] = [CONNECT_BINANCE, CONNECT_BYBIT, TRADINGVIEW_ALERTS, SIZING_AND_PROTECTION, PAPER_BEFORE_LIVE];

export function guideBySlug(slug: string): Guide | undefined {
  return GUIDES.find((g) => g.slug === slug);
}

/** The troubleshooting page (rendered from the error catalogue), listed with the guides. */
export const TROUBLESHOOTING_LINK = {
  href: "/help/troubleshooting",
  title: "Troubleshooting",
  summary: "What each error KeyRelay shows means and what to do, searchable by words, by code or by the exchange's error number.",
};
