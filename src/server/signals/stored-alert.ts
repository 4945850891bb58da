/**
 * A ParsedAlert back from the Signal row's JSON: dates revived, and money fields as canonical
 * decimal strings (rows stored before amounts were exact hold JSON numbers).
 */
import type { Prisma } from "~/generated/prisma/client";
import { decStr } from "~/server/money/decimal";
import type { ParsedAlert } from "~/server/signals/webhook-payload";

const MONEY_FIELDS = ["quantity", "price", "takeProfit", "stopLoss"] as const;

export function reviveAlert(stored: Prisma.JsonValue): ParsedAlert {
  const a = { ...(stored as unknown as Record<string, unknown>) };
  for (const f of MONEY_FIELDS) {
    const v = a[f];
    if (typeof v === "number") a[f] = decStr(v);
  }
  a.timestamp = typeof a.timestamp === "string" ? new Date(a.timestamp) : null;
  return a as unknown as ParsedAlert;
}
