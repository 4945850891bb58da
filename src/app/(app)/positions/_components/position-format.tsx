/** Shared by the positions page, the dashboard card and the admin totals: mode chips, PnL colouring, amounts per currency. */
import { fmtMoney, signOf } from "~/components/decimal-format";

export function ModeChip({ paper }: { paper: boolean }) {
  return (
    <span
      data-testid="mode-chip"
      className={`inline-flex items-center rounded-md px-1.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${
        paper ? "bg-amber-100 text-amber-900 ring-amber-600/20" : "bg-emerald-50 text-emerald-800 ring-emerald-600/20"
      }`}
    >
      {paper ? "PAPER" : "LIVE"}
    </span>
  );
}

const PNL_COLOUR = { [-1]: "text-red-700", 0: "text-slate-700", 1: "text-green-700" } as const;

/** A PnL figure, signed and coloured; `value` null is shown as unknown (a price could not be had), never as 0. */
export function Pnl({ value, currency, testId, unknownText = "unknown" }: { value: string | null; currency?: string; testId?: string; unknownText?: string }) {
  if (value === null)
    return (
      <span data-testid={testId} data-value="" className="text-slate-500" title="No price could be fetched for this market just now">
        {unknownText}
      </span>
    );
  return (
    <span data-testid={testId} data-value={value} title={`${value}${currency ? ` ${currency}` : ""}`} className={`font-mono tabular-nums ${PNL_COLOUR[signOf(value)]}`}>
      {fmtMoney(value, { sign: true })}
      {currency ? <span className="ml-1 text-xs text-slate-500">{currency}</span> : null}
    </span>
  );
}

/** Sums kept apart per quote currency, one per line; none is 0. */
export function Amounts({ items, pnl = true, testId }: { items: { currency: string; amount: string }[]; pnl?: boolean; testId?: string }) {
  if (items.length === 0)
    return (
      <span data-testid={testId} data-value="0" className="font-mono tabular-nums text-slate-700">
        {pnl ? "0.00" : "0"}
      </span>
    );
  return (
    <span data-testid={testId} data-value={items.map((i) => `${i.amount} ${i.currency}`).join("; ")} className="inline-flex flex-col">
      {items.map((i) =>
        pnl ? (
          <Pnl key={i.currency} value={i.amount} currency={i.currency} />
        ) : (
          <span key={i.currency} className="font-mono tabular-nums" title={`${i.amount} ${i.currency}`}>
            {fmtMoney(i.amount)}
            <span className="ml-1 text-xs text-slate-500">{i.currency}</span>
          </span>
        ),
      )}
    </span>
  );
}

export function SideBadge({ side }: { side: "LONG" | "SHORT" }) {
  return <span className={`text-xs font-semibold ${side === "LONG" ? "text-green-700" : "text-red-700"}`}>{side}</span>;
}
