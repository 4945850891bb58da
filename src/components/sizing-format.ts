/** A subscription's size in words, as the go-live confirmation lists it. Values are decimal strings (never floats). */
export type SizingMode = "FIXED_QUOTE" | "PERCENT_BALANCE" | "FIXED_BASE" | "CONTRACTS_MULTIPLIER";

export function describeSize(s: { sizingMode: SizingMode; sizingValue: string; maxNotional?: string | null; leverageCap?: number | null }): string {
  const base = {
    FIXED_QUOTE: `${s.sizingValue} USDT per order`,
    PERCENT_BALANCE: `${s.sizingValue} % of the available balance per order`,
    FIXED_BASE: `${s.sizingValue} of the base coin per order`,
    CONTRACTS_MULTIPLIER: `the alert's contracts × ${s.sizingValue}`,
  }[s.sizingMode];
  const extras = [s.maxNotional ? `at most ${s.maxNotional} USDT` : null, s.leverageCap ? `leverage up to ${s.leverageCap}×` : null].filter(Boolean);
  return extras.length ? `${base} (${extras.join(", ")})` : base;
}
