// Small pieces every format mapper shares. Mappers only rename and reshape: the values are checked
// once, by the same zod schema as KeyRelay's own alerts (webhook-payload.ts validate).
import type { MappedAlert, ParseAlertResult } from "~/server/signals/webhook-payload";

export type MapResult = MappedAlert | ParseAlertResult;

export const refuse = (field: string, message: string): ParseAlertResult => ({ ok: false, status: 400, error: [{ field, message }] });

/** Keys compare as webhook-payload.ts compares them: lowercase, without "_", "-" or spaces. */
export const norm = (key: string) => key.toLowerCase().replace(/[\s_-]/g, "");

/** The entries as a map by normalised key (the first of equal keys wins; JSON duplicates were refused earlier). */
export function byKey(entries: [string, unknown][]): Map<string, { key: string; value: unknown }> {
  const map = new Map<string, { key: string; value: unknown }>();
  for (const [key, value] of entries) if (!map.has(norm(key))) map.set(norm(key), { key, value });
  return map;
}

export const hasPlaceholder = (v: unknown) => typeof v === "string" && /\{\{[^{}]*\}\}/.test(v);

/** The text of a positive number (a JSON number or numeric string), or null. Placeholders pass, for the validator to name. */
export function positiveText(v: unknown): string | null {
  if (hasPlaceholder(v)) return v as string;
  const s = typeof v === "number" ? String(v) : typeof v === "string" ? v.trim() : "";
  return /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(s) && Number(s) > 0 ? s : null;
}

export const lowerText = (v: unknown) => (typeof v === "string" ? v.trim().toLowerCase() : "");
