// The strategy page's converter: an alert message pasted from another relay (placeholders and all),
// what KeyRelay reads from it, and the same alert as KeyRelay's own JSON. The message is read twice:
// with TradingView's placeholders filled with sample values (what an alert would deliver), and as
// written (so the template keeps the placeholders the trader chose).
import { fillPlaceholders, SAMPLE_PLACEHOLDER_VALUES, TEMPLATE_MAX_LAG_SECONDS } from "~/server/signals/alert-template";
import { CANONICAL_FIELDS, type CanonicalField } from "~/server/signals/alert-fields";
import { decodeAlert, parseWebhookPayload, type AlertFormat, type PayloadError } from "~/server/signals/webhook-payload";

const SAMPLES: Record<string, string> = { ...SAMPLE_PLACEHOLDER_VALUES, "strategy.position_size": "0.015", exchange: "BINANCE", "strategy.order.price": "64250.5" };

export type Understood = {
  action: string;
  symbol: string;
  perpetual: boolean;
  size: string | null;
  orderType: string | null;
  price: string | null;
  position: string | null;
  protection: string | null;
  ignored: string[];
};

export type Conversion = { format: AlertFormat | null; understood: Understood | null; errors: PayloadError[]; template: string | null };

const sizeUnit: Record<string, string> = { contracts: "contracts", base: "in the base currency", quote: "in the quote currency", percent: "% of the balance" };

export function convertAlert(message: string): Conversion {
  const looksJson = /^\s*[{[]/.test(message) && !/^\s*\{\{/.test(message);
  const contentType = looksJson ? "application/json" : "text/plain";
  const parsed = parseWebhookPayload({ contentType, body: fillPlaceholders(message, SAMPLES) });
  const raw = decodeAlert({ contentType, body: message });
  const format = "entries" in raw ? raw.format : parsed.ok ? parsed.alert.format : null;
  const template = "entries" in raw ? keyRelayTemplate(raw.entries) : null;
  if (!parsed.ok) return { format: format === "manual" ? null : format, understood: null, errors: parsed.error, template };
  const a = parsed.alert;
  const exit = a.exitSide ? ` (the ${a.exitSide} side only)` : "";
  const position = a.marketPosition
    ? `${a.prevMarketPosition ? `${a.prevMarketPosition} ${a.prevMarketPositionSize ?? ""} -> `.replace("  ", " ") : ""}${a.marketPosition}${a.marketPositionSize ? ` ${a.marketPositionSize}` : ""}`
    : a.positionSize !== null ? `new signed position ${a.positionSize}` : null;
  const protection = [
    a.stopLoss ? `stop-loss at ${a.stopLoss}` : a.stopLossPct ? `stop-loss ${a.stopLossPct} % from the entry` : null,
    a.takeProfit ? `take-profit at ${a.takeProfit}` : a.takeProfitPct ? `take-profit ${a.takeProfitPct} % from the entry` : null,
    a.trailingStopPct ? `trailing stop ${a.trailingStopPct} % behind the best price` : null,
  ].filter(Boolean).join(", ");
  return {
    format: a.format === "manual" ? null : a.format,
    understood: {
      action: `${a.action}${exit}`,
      symbol: `${a.ticker.base}/${a.ticker.quote}`,
      perpetual: a.ticker.perp,
      size: a.quantity ? `${a.quantity} ${sizeUnit[a.quantityType ?? "contracts"] ?? ""}`.trim() : null,
      orderType: a.orderType,
      price: a.price,
      position,
      protection: protection || null,
      ignored: Object.keys(a.extra),
    },
    errors: [],
    template,
  };
}

const CANONICAL_BY_NORM = new Map<string, CanonicalField>(CANONICAL_FIELDS.map((f) => [f.toLowerCase(), f]));

/** The mapped fields as KeyRelay JSON (placeholders kept), with KeyRelay's own staleness check and dedupe id added when missing. */
function keyRelayTemplate(entries: [string, unknown][]): string {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const field = CANONICAL_BY_NORM.get(key.toLowerCase());
    // Only fields the mapper named in KeyRelay's words; the secret stays out (the webhook URL carries the token).
    if (field === undefined || field === "secret" || value === undefined || value === null || value === "" || field in out) continue;
    out[field] = value;
  }
  const strategyAlert = Object.values(out).some((v) => typeof v === "string" && v.includes("{{strategy."));
  if (!("timestamp" in out)) out.timestamp = "{{timenow}}";
  if (!("maxLagSeconds" in out)) out.maxLagSeconds = TEMPLATE_MAX_LAG_SECONDS;
  if (!("id" in out) && strategyAlert) out.id = "{{ticker}}-{{strategy.order.id}}-{{timenow}}";
  return JSON.stringify(out, null, 2);
}
