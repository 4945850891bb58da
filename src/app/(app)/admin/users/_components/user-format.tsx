/** How a user row reads: key status per exchange, dates, and the shared control classes. */
import { EXCHANGE_NAMES } from "~/app/(app)/signals/_components/execution-format";
import { formatDateTime } from "~/components/time-format";
import type { RouterOutputs } from "~/trpc/react";

export type AdminUser = RouterOutputs["admin"]["users"]["items"][number];
export const TIERS = ["PRO", "FLEX", "TRIAL"] as const;

const pad = (n: number) => String(n).padStart(2, "0");
/** A Date as the yyyy-mm-dd of a date input, in the browser's time zone. */
export const toDateInput = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
/** A trial runs through the whole of its last day (local time). */
export const fromDateInput = (s: string) => (s ? new Date(`${s}T23:59:59.999`) : null);
export const inDays = (days: number) => toDateInput(new Date(Date.now() + days * 86_400_000));

const date = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
export const fmtDate = (d: Date) => date.format(d);
export const fmtDateTime = (d: Date | null) => (d ? formatDateTime(d) : "—");

/** "Bybit ACTIVE", "Binance —"; keys for other environments than LIVE are named, e.g. "Bybit ACTIVE (testnet)". */
export function KeyStatus({ keys }: { keys: AdminUser["keys"] }) {
  return (
    <ul className="space-y-0.5">
      {(Object.keys(EXCHANGE_NAMES) as (keyof typeof EXCHANGE_NAMES)[]).map((ex) => {
        const mine = keys.filter((k) => k.exchange === ex);
        const text = mine.length ? mine.map((k) => (k.environment === "LIVE" ? k.status : `${k.status} (${k.environment.toLowerCase()})`)).join(", ") : "—";
        return (
          <li key={ex} data-testid="user-row-key" data-exchange={ex} className="whitespace-nowrap">
            {EXCHANGE_NAMES[ex]} <span className={mine.some((k) => k.status === "ACTIVE") ? "font-medium text-green-800" : "text-slate-600"}>{text}</span>
          </li>
        );
      })}
    </ul>
  );
}

export const INPUT = "block rounded-md border border-slate-300 px-2 py-1.5 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
export const BUTTON = "whitespace-nowrap rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 disabled:opacity-60";
