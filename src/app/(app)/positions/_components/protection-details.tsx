/** A position's protective orders on the exchange, its plan's notes, and the "Unprotected" flag. */
import { fmtAmount } from "~/components/decimal-format";
import type { RouterOutputs } from "~/trpc/react";
import { fmtDateTime } from "~/app/(app)/signals/_components/execution-format";
import { HelpLink } from "~/components/help-link";

type Position = RouterOutputs["positions"]["open"][number];
type Order = Position["protectiveOrders"][number];

const KIND: Record<Order["kind"], string> = { STOP_LOSS: "Stop-loss", TAKE_PROFIT: "Take-profit", TRAILING_STOP: "Trailing stop" };
const STATUS: Record<Order["status"], { text: string; style: string; showsPrice?: true }> = {
  PENDING: { text: "Placing", style: "bg-blue-50 text-blue-800" },
  OPEN: { text: "On the exchange", style: "bg-emerald-50 text-emerald-800" },
  FILLED: { text: "Filled", style: "bg-slate-100 text-slate-800", showsPrice: true },
  CANCELED: { text: "Cancelled", style: "bg-slate-100 text-slate-600" },
  FAILED: { text: "Failed", style: "bg-red-100 text-red-800" },
};

export const hasProtection = (p: Position) => p.protectiveOrders.length > 0 || p.protectionNotes.length > 0 || p.unprotectedAt !== null;

export function UnprotectedBadge({ p }: { p: Position }) {
  if (!p.unprotectedAt) return null;
  return (
    <span data-testid="unprotected-badge" title={p.protectionNote ?? undefined} className="ml-1 inline-flex rounded-full bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-800">
      Unprotected
    </span>
  );
}

function what(o: Order, breakEvenDone: boolean): string {
  if (o.kind === "TAKE_PROFIT") return `${KIND[o.kind]} ${o.level}`;
  if (o.kind === "STOP_LOSS" && breakEvenDone) return "Stop-loss (break-even)";
  return KIND[o.kind];
}

function trigger(o: Order): string {
  if (o.callbackPct !== null) return `callback ${o.callbackPct} %`;
  return o.triggerPrice !== null ? `at ${fmtAmount(o.triggerPrice)}` : "";
}

export function ProtectionDetails({ p }: { p: Position }) {
  if (!hasProtection(p)) return null;
  return (
    <div data-testid="protection" className="space-y-1.5 text-xs">
      {p.unprotectedAt ? (
        <p role="alert" data-testid="unprotected-note" className="rounded-md border border-red-200 bg-red-50 px-2 py-1 text-red-800">
          <span className="font-semibold">Unprotected since {fmtDateTime(p.unprotectedAt)}.</span> {p.protectionNote} <HelpLink help={p.help.unprotected} />
        </p>
      ) : null}
      {p.protectiveOrders.length > 0 ? (
        <ul aria-label={`Protective orders of ${p.strategyName} · ${p.symbol}`} className="flex flex-wrap gap-1.5">
          {p.protectiveOrders.map((o) => (
            <li
              key={o.id}
              data-testid="protective-order"
              data-kind={o.kind}
              data-level={o.level}
              data-status={o.status}
              title={o.message ?? undefined}
              className="inline-flex flex-wrap items-center gap-1 rounded-md border border-slate-200 bg-white px-2 py-1"
            >
              <span className="font-medium">{what(o, p.breakEvenDone)}</span>{" "}
              <span className="font-mono tabular-nums text-slate-700">{trigger(o)}</span>{" "}
              <span className="font-mono tabular-nums text-slate-500" title={o.amount}>× {fmtAmount(o.amount)}</span>{" "}
              <span data-testid="protective-order-status" className={`rounded px-1.5 py-0.5 font-semibold ${STATUS[o.status].style}`}>
                {STATUS[o.status].text}
                {STATUS[o.status].showsPrice && o.averagePrice ? ` at ${fmtAmount(o.averagePrice)}` : ""}
              </span>
            </li>
          ))}
          {p.help.refused ? <li className="self-center"><HelpLink help={p.help.refused} label="Why a protective order failed" /></li> : null}
        </ul>
      ) : null}
      {p.protectionNotes.map((n) => (
        <p key={n} data-testid="protection-plan-note" className="text-amber-800">{n} <HelpLink help={p.help.leftOut} /></p>
      ))}
    </div>
  );
}
