import { dec, decStr, type Decimal } from "~/server/money/decimal";

// The rules one subscriber's order must pass (the alert's own rules are signals/decision.ts). Pure:
// the caller supplies the clock and the sized order's value. Every failed rule is reported.

export type UserRuleCode = "NOTIONAL_LIMIT" | "COOLDOWN";
export type UserRuleReason = { code: UserRuleCode; message: string };

export type UserRulesInput = {
  /** The order's value in the quote currency, a decimal string. */
  notional: string;
  /** The subscription's limit, a decimal string; null is no limit. */
  maxNotional: string | null;
  lastOrderAt: Date | null;
  cooldownSeconds: number;
  now: Date;
  /** An exit or a reduce-only order: never blocked, or a limit would keep a user in a position. */
  reducesPosition?: boolean;
};

export function checkUserRules(input: UserRulesInput): UserRuleReason[] {
  if (input.reducesPosition === true) return [];
  const reasons: UserRuleReason[] = [];
  if (input.maxNotional !== null) {
    const notional = decimalOrNull(input.notional);
    const max = decimalOrNull(input.maxNotional);
    // A value that is not a decimal (a bug upstream) is refused rather than waved through.
    if (notional === null || max === null || notional.gt(max)) {
      reasons.push({
        code: "NOTIONAL_LIMIT",
        message: `The order's value ${notional === null ? input.notional : decStr(notional)} is over the subscription's limit ${max === null ? input.maxNotional : decStr(max)}; raise the limit or lower the size.`,
      });
    }
  }
  if (input.lastOrderAt !== null && input.cooldownSeconds > 0) {
    const waitedMs = input.now.getTime() - input.lastOrderAt.getTime();
    if (waitedMs < input.cooldownSeconds * 1000) {
      reasons.push({
        code: "COOLDOWN",
        message: `The last order was ${Math.max(0, Math.round(waitedMs / 1000))} s ago, inside the ${input.cooldownSeconds} s cooldown.`,
      });
    }
  }
  return reasons;
}

function decimalOrNull(x: string): Decimal | null {
  try {
    return dec(x);
  } catch {
    return null;
  }
}
