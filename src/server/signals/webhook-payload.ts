import type { z } from "zod";

import {
  alertFieldsSchema,
  CANONICAL_FIELDS,
  crossFieldProblems,
  type AlertAction,
  type CanonicalField,
  type PositionSide,
  type QuantityType,
} from "~/server/signals/alert-fields";
import { firstDuplicateKey } from "~/server/signals/json-duplicate-keys";
import { mapJsonFormat, mapKeyValueFormat } from "~/server/signals/alert-formats/detect-format";
import { mapTradingViewDefault } from "~/server/signals/alert-formats/tradingview-default";
import { findPlaceholders, placeholderBodyMessage } from "~/server/signals/placeholders";
import type { Ticker } from "~/server/signals/ticker";
import { depthOver, quoteInexactNumbers } from "~/server/signals/json-text";

// What TradingView POSTs, turned into one ParsedAlert. TradingView sends the alert's Message box as
// the body: content-type application/json when the message is valid JSON, text/plain otherwise. So a
// text/plain body that looks like JSON is parsed as JSON (and, if broken, answered with the JSON error
// rather than a baffling key=value one), and other text is read as key=value lines ("ticker=BTCUSDT",
// one per line or separated by ";"). Never throws: every input gets a result with field-named errors.

export type ParsedAlert = {
  ticker: Ticker;
  action: AlertAction;
  /** The action word as sent, normalised (lowercase, "_" for spaces/dashes), e.g. "close_long". */
  rawAction: string;
  /** For close_long/close_short (and exit_*): the side to leave; null = whatever is open. */
  exitSide: PositionSide | null;
  /** TradingView's {{strategy.market_position}} after the order (TradersPost's "sentiment"). */
  marketPosition: "long" | "short" | "flat" | null;
  /** {{strategy.prev_market_position}}: before the order. */
  prevMarketPosition: "long" | "short" | "flat" | null;
  /** {{strategy.market_position_size}} / {{strategy.prev_market_position_size}}: absolute sizes after and before. */
  marketPositionSize: string | null;
  prevMarketPositionSize: string | null;
  /** {{strategy.position_size}}: signed (negative = short). */
  positionSize: string | null;
  orderType: "market" | "limit" | null;
  /** Money fields are canonical decimal strings ("0.015", "64250.5"), exactly as sent; > 0. */
  quantity: string | null;
  quantityType: QuantityType | null;
  price: string | null;
  /** A multiplier, not money: a number. */
  leverage: number | null;
  takeProfit: string | null;
  stopLoss: string | null;
  /** Percent distances from the entry (TradersPost's {"percent": 2}); present only when sent. */
  takeProfitPct?: string;
  stopLossPct?: string;
  /** A trailing stop's callback in percent; present only when sent. */
  trailingStopPct?: string;
  id: string | null;
  timestamp: Date | null;
  maxLagSeconds: number | null;
  /** For the caller to compare with the strategy's webhook secret; never log it (the logger redacts "secret"). */
  secret: string | null;
  /** Fields KeyRelay does not know, kept for the audit row and otherwise ignored. */
  extra: Record<string, unknown>;
  /** How it arrived (KeyRelay's own JSON, key=value or form, or another relay's format); "manual" is a user's close button, not a webhook. */
  format: AlertFormat | "manual";
};

export const ALERT_FORMATS = ["json", "key-value", "form", "tradingview-default", "traderspost", "3commas", "octobot"] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

export type PayloadError = { field: string; message: string };
/** Key/value pairs in KeyRelay's vocabulary; `label` and `names` make errors speak the sender's format. */
export type MappedAlert = { entries: [string, unknown][]; format: AlertFormat; label?: string; names?: Record<string, string> };
/** `placeholders`: refused because the message still holds unrendered {{...}} (the error catalogue's own entry). */
export type ParseAlertResult = { ok: true; alert: ParsedAlert } | { ok: false; status: 400 | 415; error: PayloadError[]; placeholders?: true };

// Keys compare lowercased without "_", "-" or spaces, so order_type, orderType and Order-Type agree.
const ALIASES: Record<CanonicalField, string[]> = {
  ticker: ["ticker", "symbol"],
  action: ["action", "side"],
  orderType: ["ordertype"],
  quantity: ["quantity", "qty", "contracts", "amount"],
  quantityType: ["quantitytype", "qtytype"],
  price: ["price", "close"],
  leverage: ["leverage"],
  takeProfit: ["takeprofit", "tp"],
  stopLoss: ["stoploss", "sl"],
  takeProfitPct: ["takeprofitpct", "takeprofitpercent"],
  stopLossPct: ["stoplosspct", "stoplosspercent"],
  trailingStopPct: ["trailingstoppct", "trailingstoppercent"],
  id: ["id", "alertid"],
  timestamp: ["timestamp", "time", "timenow"],
  maxLagSeconds: ["maxlagseconds", "maxlag"],
  secret: ["secret"],
  marketPosition: ["marketposition", "sentiment"],
  prevMarketPosition: ["prevmarketposition"],
  marketPositionSize: ["marketpositionsize"],
  prevMarketPositionSize: ["prevmarketpositionsize"],
  positionSize: ["positionsize"],
};
const CANONICAL_BY_KEY = new Map<string, CanonicalField>(CANONICAL_FIELDS.flatMap((f) => ALIASES[f].map((k) => [k, f] as const)));
// A real alert is a flat object; the cap keeps a hostile body from overflowing JSON.stringify downstream.
export const MAX_JSON_DEPTH = 8;
const KEY_MAX_CHARS = 100;
const PLACEHOLDER = /\{\{[^{}]*\}\}/;
const TEMPLATE_HINT = "use the alert message from KeyRelay's template";

const bad = (field: string, message: string, status: 400 | 415 = 400): ParseAlertResult => ({ ok: false, status, error: [{ field, message }] });

export function parseWebhookPayload(input: { contentType: string | null; body: string }): ParseAlertResult {
  try {
    return parse(input);
  } catch {
    // Unreachable by design (the fuzz test holds it to that); a 400 beats a 500 for one odd body.
    return bad("body", "The alert message could not be read; " + TEMPLATE_HINT + ".");
  }
}

function parse(input: { contentType: string | null; body: string }): ParseAlertResult {
  // Looked for before any parsing, so an unquoted {{close}} is not reported as broken JSON.
  const placeholders = findPlaceholders(input.body);
  const mapped = decodeAlert(input);
  if (!("entries" in mapped)) {
    if (placeholders.length === 0 || mapped.ok || mapped.status === 415) return mapped;
    return { ok: false, status: 400, error: [{ field: "body", message: placeholderBodyMessage(placeholders, TEMPLATE_HINT) }], placeholders: true };
  }
  const result = relabel(validate(mapped.entries, mapped.format), mapped);
  if (placeholders.length === 0) return result;
  // The whole message named first, then each field that holds one (when the format could be read).
  const first: PayloadError = { field: "body", message: placeholderBodyMessage(placeholders, TEMPLATE_HINT) };
  return { ok: false, status: 400, error: [first, ...(result.ok ? [] : result.error)], placeholders: true };
}

/** The body decoded and, when it is another relay's format, mapped onto KeyRelay's fields (not yet validated). */
export function decodeAlert({ contentType, body }: { contentType: string | null; body: string }): MappedAlert | ParseAlertResult {
  const mediaType = (contentType ?? "").split(";", 1)[0]?.trim().toLowerCase() ?? "";
  const isJsonType = mediaType === "application/json" || /^application\/[\w.+-]*\+json$/.test(mediaType);
  const isForm = mediaType === "application/x-www-form-urlencoded";
  if (!isJsonType && !isForm && mediaType !== "" && mediaType !== "text/plain") {
    return bad("content-type", `Content type "${mediaType.slice(0, 60)}" is not accepted; send application/json or text/plain (TradingView does).`, 415);
  }
  const text = body.replace(/^\uFEFF/, "").trim();
  if (text === "") return bad("body", "The alert message is empty; " + TEMPLATE_HINT + ".");

  // First: its unrendered form starts with "{{", which would otherwise be read as broken JSON.
  const defaultMessage = isForm ? null : mapTradingViewDefault(text);
  if (defaultMessage) return defaultMessage;
  if (isJsonType || (!isForm && (text.startsWith("{") || text.startsWith("[")))) {
    const decoded = decodeJson(text, isJsonType);
    return "entries" in decoded ? mapJsonFormat(decoded.entries) : decoded;
  }
  if (isForm) return { entries: [...new URLSearchParams(text)], format: "form" };
  const decoded = decodeKeyValue(text);
  return "entries" in decoded ? mapKeyValueFormat(decoded.entries) : decoded;
}

/** Another format's errors name its own field ("takeProfit.percent") and the format. */
function relabel(result: ParseAlertResult, mapped: MappedAlert): ParseAlertResult {
  if (result.ok || mapped.label === undefined) return result;
  const error = result.error.map((e) => {
    const shown = mapped.names?.[e.field] ?? e.field;
    const message = e.message.startsWith(e.field) ? shown + e.message.slice(e.field.length) : e.message;
    return { field: shown, message: `${mapped.label} ${message}` };
  });
  return { ...result, error };
}

function decodeJson(text: string, declared: boolean): { entries: [string, unknown][]; format: "json" } | ParseAlertResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.slice(0, 120) : "invalid JSON";
    const why = declared ? "" : " (TradingView sent it as text/plain because it is not valid JSON)";
    return bad("body", `The alert message looks like JSON but is not valid${why}: ${detail}. Check quotes and commas, or ${TEMPLATE_HINT}.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return bad("body", `The alert message must be a JSON object like {"ticker": "{{ticker}}", "action": "buy"}; ${TEMPLATE_HINT}.`);
  }
  if (depthOver(value, MAX_JSON_DEPTH)) return bad("body", `The alert message nests deeper than ${MAX_JSON_DEPTH} levels; send a flat JSON object.`);
  const duplicate = firstDuplicateKey(text);
  if (duplicate) {
    const name = duplicate.path.slice(0, KEY_MAX_CHARS);
    return bad(name, `The alert message has the key "${name}" twice; send each key once (KeyRelay will not guess which one you meant).`);
  }
  const exact = quoteInexactNumbers(text);
  const object = exact === text ? value : (JSON.parse(exact) as object);
  // Object.entries sees own properties only, so a "__proto__" key is just a key here.
  return { entries: Object.entries(object), format: "json" };
}

// Lines and ";" separate pairs. Not "&" or ",": a secret may hold "&" and "1,000" is one number to a person.
function decodeKeyValue(text: string): { entries: [string, unknown][]; format: "key-value" } | ParseAlertResult {
  const entries: [string, unknown][] = [];
  const parts = text.split(/\r?\n|\r|;/);
  for (const [index, part] of parts.entries()) {
    const line = part.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) {
      const which = parts.length === 1 ? "The alert message" : `Part ${index + 1} ("${line.slice(0, 30)}")`;
      return bad("body", `${which} is neither JSON nor key=value lines like "ticker=BTCUSDT"; ${TEMPLATE_HINT}.`);
    }
    const value = line.slice(eq + 1).trim();
    entries.push([line.slice(0, eq).trim(), /^(["']).*\1$/.test(value) && value.length >= 2 ? value.slice(1, -1) : value]);
  }
  if (entries.length === 0) return bad("body", "The alert message has no key=value lines; " + TEMPLATE_HINT + ".");
  return { entries, format: "key-value" };
}

function validate(entries: [string, unknown][], format: ParsedAlert["format"]): ParseAlertResult {
  const errors: PayloadError[] = [];
  // Every key present (null = not sent): zod 4 treats a missing key differently from a blank one.
  const canonical = Object.fromEntries(CANONICAL_FIELDS.map((f) => [f, null])) as Record<CanonicalField, unknown>;
  const sentAs: Partial<Record<CanonicalField, string>> = {};
  const extra: [string, unknown][] = [];

  for (const [key, value] of entries) {
    const name = key.slice(0, KEY_MAX_CHARS);
    const field = CANONICAL_BY_KEY.get(name.toLowerCase().replace(/[\s_-]/g, ""));
    if (field === undefined) {
      extra.push([name, value]);
      continue;
    }
    const earlier = sentAs[field];
    if (earlier !== undefined) {
      // Two spellings of one field (price and close, say) must agree: guessing which one was meant could trade the wrong size.
      if (!sameValue(canonical[field], value)) errors.push({ field: `${earlier}/${name}`, message: `${earlier} and ${name} mean the same thing but differ; send only one.` });
      continue;
    }
    sentAs[field] = name;
    canonical[field] = value;
    const placeholder = typeof value === "string" ? PLACEHOLDER.exec(value)?.[0] : undefined;
    if (placeholder !== undefined) errors.push({ field: name, message: placeholderMessage(name, placeholder) });
  }
  if (errors.length > 0) return { ok: false, status: 400, error: errors };

  const result = alertFieldsSchema.safeParse(canonical);
  if (!result.success) return { ok: false, status: 400, error: issuesToErrors(result.error, sentAs) };
  const fields = result.data;
  const cross = crossFieldProblems(fields).map((p) => ({ field: sentAs[p.field] ?? p.field, message: `${sentAs[p.field] ?? p.field} ${p.message}` }));
  if (cross.length > 0) return { ok: false, status: 400, error: cross };
  // Required by the schema, so never null here; the checks satisfy the type system.
  if (fields.ticker === null || fields.action === null) return bad("ticker", "ticker and action are required.");

  const { action: act, takeProfitPct, stopLossPct, trailingStopPct, ...rest } = fields;
  const pct = { ...(takeProfitPct !== null && { takeProfitPct }), ...(stopLossPct !== null && { stopLossPct }), ...(trailingStopPct !== null && { trailingStopPct }) };
  return {
    ok: true,
    alert: { ...rest, ...pct, ticker: fields.ticker, action: act.action, rawAction: act.rawAction, exitSide: act.exitSide, extra: Object.fromEntries(extra), format },
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (typeof v === "number" ? String(v) : typeof v === "string" ? v.trim() : JSON.stringify(v) ?? "");
  return norm(a) === norm(b);
}

function placeholderMessage(field: string, placeholder: string): string {
  const strategyOnly = /^\{\{\s*strategy\./.test(placeholder)
    ? " TradingView fills strategy placeholders only in alerts created on a strategy (not an indicator)."
    : " TradingView fills only the placeholders it knows, when it sends the alert: check the spelling (it is case-sensitive).";
  return `${field} is the unresolved placeholder ${placeholder.slice(0, 60)}.${strategyOnly} Or ${TEMPLATE_HINT}.`;
}

function issuesToErrors(error: z.ZodError, sentAs: Partial<Record<CanonicalField, string>>): PayloadError[] {
  return error.issues.map((issue) => {
    const canonical = issue.path[0];
    const name = typeof canonical === "string" ? (sentAs[canonical as CanonicalField] ?? canonical) : "body";
    return { field: name, message: `${name} ${issue.message}` };
  });
}
