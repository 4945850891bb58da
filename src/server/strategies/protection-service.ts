/**
 * Protection settings as admins and subscribers edit them: a strategy's defaults and bounds, a
 * subscriber's own settings checked against them. The schemas and the bounds check are
 * positions/protection/protection-settings.ts (the engine reads the same JSON); this module only
 * validates, stores and audits. Errors name the field the form shows them on.
 */
import { Prisma } from "~/generated/prisma/client";
import { writeAudit } from "~/server/audit/write-audit";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import type { RequestMeta } from "~/server/http/request-meta";
import { dec } from "~/server/money/decimal";
import {
  checkAgainstStrategy,
  protectionSettings,
  readSettings,
  strategyProtection,
  type ProtectionSettings,
  type StrategyProtection,
} from "~/server/positions/protection/protection-settings";
import type { z } from "zod";

/** A strategy's stored protection as the screens show it (null: none, or a row that no longer parses). */
export const readStrategyProtection = (stored: unknown): StrategyProtection | null => readSettings(strategyProtection, stored);
/** A subscription's own stored settings (null: it uses the strategy's). */
export const readSubscriptionProtection = (stored: unknown): ProtectionSettings | null => readSettings(protectionSettings, stored);

/** Nothing set at all: stored as null, so the protection watch leaves the strategy's positions alone. */
function isEmpty(p: StrategyProtection): boolean {
  const d = p.defaults;
  const noDefaults = !d || (!d.stopLossPct && d.takeProfits.length === 0 && !d.trailingPct && !d.breakEven);
  return noDefaults && !p.maxStopLossPct && p.allowSubscriberOverride;
}

/** Validates and saves a strategy's protection (null clears it), audited as a strategy edit in the same transaction. */
export async function setStrategyProtection(db: Db, actor: { id: string; meta: RequestMeta | null }, id: string, raw: z.input<typeof strategyProtection> | null) {
  const input = raw === null ? null : strategyProtection.parse(raw);
  const max = input?.maxStopLossPct;
  const own = input?.defaults?.stopLossPct;
  if (max && own && dec(own).gt(max)) {
    throw new AppError("BAD_INPUT", `The default stop-loss (${own} %) is wider than the widest stop-loss subscribers may choose (${max} %); lower it or raise the bound.`, {
      field: "protection.defaults.stopLossPct",
    });
  }
  const value = input === null || isEmpty(input) ? Prisma.DbNull : (input as Prisma.InputJsonValue);
  return db.$transaction(async (tx) => {
    const s = await tx.strategy.update({ where: { id }, data: { protection: value } }).catch(() => {
      throw new AppError("NOT_FOUND", "No such strategy.");
    });
    await writeAudit(tx, { action: "strategy.update", outcome: "SUCCESS", actorId: actor.id, targetType: "strategy", targetId: id, meta: actor.meta, details: { changed: ["protection"] } });
    return s;
  });
}

/**
 * The value to store for a subscriber's own settings (already parsed by `protectionSettings`), checked
 * against the strategy's bounds. null: use the strategy's protection; undefined: leave as it is.
 */
export function subscriptionProtectionValue(strategyStored: unknown, own: ProtectionSettings | null | undefined): Prisma.InputJsonValue | typeof Prisma.DbNull | undefined {
  if (own === undefined) return undefined;
  if (own === null) return Prisma.DbNull;
  const problem = checkAgainstStrategy(own, readStrategyProtection(strategyStored));
  if (problem) {
    // checkAgainstStrategy names the field as "field: message" when one is at fault.
    const m = /^(\w+): (.*)$/s.exec(problem);
    const message = m ? m[2]!.charAt(0).toUpperCase() + m[2]!.slice(1) : problem;
    throw new AppError("BAD_INPUT", message, { field: m ? `protection.${m[1]}` : "protection" });
  }
  return own as Prisma.InputJsonValue;
}
