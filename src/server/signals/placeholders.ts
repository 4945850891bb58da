/**
 * Unrendered TradingView placeholders ({{close}}, {{strategy.order.action}}...) found in the raw
 * body, before any parsing: a message sent as written (a test send, a copy from the docs, an
 * indicator alert using strategy placeholders) is named as such, in every format, instead of
 * reaching the JSON or key=value reader and failing there with a baffling message.
 */

// Bounded inner length and no nesting: linear on any body (a hostile "{{a{{a..." never matches).
const PLACEHOLDER_G = /\{\{([^{}\r\n]{1,100})\}\}/g;
const MAX_NAMED = 10;

/** The distinct placeholders in the body, in order of appearance (at most MAX_NAMED). */
export function findPlaceholders(body: string): string[] {
  if (!body.includes("{{")) return [];
  const found = new Set<string>();
  for (const m of body.matchAll(PLACEHOLDER_G)) {
    found.add(`{{${m[1]!.trim().slice(0, 60)}}}`);
    if (found.size >= MAX_NAMED) break;
  }
  return [...found];
}

export function placeholderBodyMessage(placeholders: string[], hint: string): string {
  const strategyOnly = placeholders.some((p) => /^\{\{\s*strategy\./.test(p))
    ? " {{strategy.…}} placeholders are filled only in alerts created on a strategy, not on an indicator (use the indicator template there)."
    : "";
  return (
    `The alert still contains TradingView placeholders ${placeholders.join(", ")}: TradingView replaces them only when it sends the alert, ` +
    `so this message was sent as written, or names placeholders TradingView does not know (they are case-sensitive).${strategyOnly} ` +
    `Send it from a TradingView alert, or ${hint}.`
  );
}
