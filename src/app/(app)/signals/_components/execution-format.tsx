/** Shared by the user's orders table and the admin drill-down: status badges and plain-words formatting. */
import { formatDateTime } from "~/components/time-format";
import { ES, type ExecutionStatus } from "~/server/engine/execution-state";

const EXEC_STYLE: Record<ExecutionStatus, string> = {
  [ES.FILLED]: "bg-green-100 text-green-800 ring-green-600/20",
  [ES.PARTIALLY_FILLED]: "bg-green-50 text-green-800 ring-green-600/20",
  [ES.SKIPPED]: "bg-slate-100 text-slate-700 ring-slate-500/20",
  [ES.REJECTED]: "bg-red-100 text-red-800 ring-red-600/20",
  [ES.FAILED]: "bg-red-100 text-red-800 ring-red-600/20",
  [ES.WAITING]: "bg-blue-50 text-blue-800 ring-blue-600/20",
  [ES.QUEUED]: "bg-blue-50 text-blue-800 ring-blue-600/20",
  [ES.SUBMITTING]: "bg-blue-100 text-blue-800 ring-blue-600/20",
  [ES.SUBMITTED]: "bg-blue-100 text-blue-800 ring-blue-600/20",
};

export function ExecutionStatusBadge({ status }: { status: ExecutionStatus }) {
  return (
    <span
      data-testid="execution-status"
      data-status={status}
      className={`inline-flex items-center whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${EXEC_STYLE[status]}`}
    >
      {status.replace("_", " ")}
    </span>
  );
}

export function PaperTag() {
  return (
    <span data-testid="paper-tag" className="inline-flex rounded-md bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">
      Paper
    </span>
  );
}

export const EXCHANGE_NAMES = { BINANCE: "Binance", BYBIT: "Bybit" } as const;


const STATUS_WORDS: Record<ExecutionStatus, string> = {
  [ES.WAITING]: "Waiting for the close before it to fill (a reversal).",
  [ES.QUEUED]: "Waiting to be sent.",
  [ES.SUBMITTING]: "Sending to the exchange…",
  [ES.SUBMITTED]: "Sent; waiting for the exchange to fill it.",
  [ES.FILLED]: "Filled.",
  [ES.PARTIALLY_FILLED]: "Partly filled.",
  [ES.REJECTED]: "The exchange rejected the order.",
  [ES.FAILED]: "The order could not be placed.",
  [ES.SKIPPED]: "Skipped: no order was placed.",
};

/** The execution's own message when it has one, else its error's title in the catalogue, else plain words for its status. */
export function explain(e: { status: ExecutionStatus; message: string | null; help: { title: string } | null }): string {
  return e.message ?? e.help?.title ?? STATUS_WORDS[e.status];
}

const timeMs = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3, hour12: false });

/** With the time-zone label: "02/12/2026, 16:05:09 UTC". */
export const fmtDateTime = (d: Date) => formatDateTime(d);
export const fmtTimeMs = (d: Date | null) => (d ? timeMs.format(d) : "—");
export const dash = (v: string | number | null | undefined) => (v === null || v === undefined || v === "" ? "—" : String(v));

/** Table cell classes shared by the execution tables. */
export const TH = "whitespace-nowrap px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
export const TD = "whitespace-nowrap px-3 py-2 align-top";
