"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type RouterOutputs, useTRPC } from "~/trpc/react";
import { HelpLink } from "~/components/help-link";

type Delivery = RouterOutputs["strategies"]["deliveries"]["items"][number];
type Cursor = { receivedAt: Date; id: string } | null;
type Filters = { outcome: "all" | "accepted" | "refused"; status: string; reason: string; from: string; to: string };

const INPUT = "block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
const EMPTY: Filters = { outcome: "all", status: "", reason: "", from: "", to: "" };
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" });

/** Every call to a strategy's webhook (or, with strategyId null, to unknown webhook URLs), newest first, filtered, 25 a page. */
export function DeliveryLog({ strategyId }: { strategyId: string | null }) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<Cursor[]>([null]);
  const cursor = cursors.at(-1) ?? null;
  const status = filters.status.trim() === "" ? null : Number(filters.status);
  const list = useQuery(
    trpc.strategies.deliveries.queryOptions(
      {
        strategyId, outcome: filters.outcome, status: Number.isInteger(status) ? status : null, reason: filters.reason,
        from: filters.from ? new Date(filters.from) : null, to: filters.to ? new Date(filters.to) : null, cursor, limit: 25,
      },
      { refetchInterval: cursors.length === 1 ? 5000 : false },
    ),
  );
  const prefix = `deliveries-${strategyId ?? "unknown"}`;
  const set = (k: keyof Filters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setDraft({ ...draft, [k]: e.target.value });

  return (
    <div className="min-w-0 space-y-3">
      <form
        aria-label="Filter deliveries"
        className="grid min-w-0 grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
          setCursors([null]);
        }}
      >
        <label className="min-w-0 text-xs font-medium text-slate-700">
          Outcome
          <select className={INPUT} value={draft.outcome} onChange={set("outcome")} name="outcome">
            <option value="all">All</option>
            <option value="accepted">Accepted</option>
            <option value="refused">Refused</option>
          </select>
        </label>
        <label className="min-w-0 text-xs font-medium text-slate-700">
          Status
          <input className={INPUT} value={draft.status} onChange={set("status")} name="status" inputMode="numeric" placeholder="e.g. 400" />
        </label>
        <label className="col-span-2 min-w-0 text-xs font-medium text-slate-700 sm:col-span-1">
          Reason contains
          <input className={INPUT} value={draft.reason} onChange={set("reason")} name="reason" placeholder="e.g. placeholder" />
        </label>
        <label className="min-w-0 text-xs font-medium text-slate-700">
          From
          <input className={INPUT} type="datetime-local" value={draft.from} onChange={set("from")} name="from" />
        </label>
        <label className="min-w-0 text-xs font-medium text-slate-700">
          To
          <input className={INPUT} type="datetime-local" value={draft.to} onChange={set("to")} name="to" />
        </label>
        <div className="col-span-2 flex items-end gap-2 sm:col-span-1">
          <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700">Filter</button>
          <button type="button" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); setCursors([null]); }} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">Clear</button>
        </div>
      </form>
      {list.isPending ? <p className="text-sm text-slate-500">Loading deliveries…</p> : null}
      {list.isError ? <p role="alert" className="text-sm text-red-600">{list.error.message}</p> : null}
      {list.data ? (
        <>
          <p className="text-xs text-slate-500">Kept {list.data.retentionDays} days. Bodies are capped at 8 KB with secrets masked; the URL&apos;s token is never stored.</p>
          {list.data.items.length === 0 ? (
            <p className="text-sm text-slate-500" data-testid="no-deliveries">No deliveries match.</p>
          ) : (
            <ul className="min-w-0 space-y-2" aria-label="Webhook deliveries">
              {list.data.items.map((d) => <DeliveryRow key={d.id} d={d} prefix={prefix} />)}
            </ul>
          )}
          <div className="flex items-center gap-2">
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm disabled:opacity-50">Newer</button>
            <button type="button" disabled={!list.data.nextCursor} onClick={() => setCursors([...cursors, list.data.nextCursor])} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm disabled:opacity-50">Older</button>
            <span className="text-xs text-slate-500">Page {cursors.length}</span>
          </div>
        </>
      ) : null}
    </div>
  );
}

function DeliveryRow({ d, prefix }: { d: Delivery; prefix: string }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const body = useQuery(trpc.strategies.deliveryBody.queryOptions({ id: d.id }, { enabled: open, staleTime: Infinity }));
  const chip = d.accepted ? "bg-green-100 text-green-800" : "bg-red-100 text-red-800";
  return (
    <li data-testid="delivery-row" data-status={d.status} className="min-w-0 rounded-lg border border-slate-200 bg-white p-3 text-sm">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${chip}`}>{d.accepted ? "Accepted" : "Refused"} {d.status}</span>
        <span className="text-slate-600">{dateTime.format(d.receivedAt)}</span>
        <span className="text-slate-600">{d.answeredMs} ms</span>
        {d.format ? <span className="text-slate-600">{d.format}</span> : null}
        <span className="break-all font-mono text-xs text-slate-600">{d.sourceIp ?? "IP unknown"}</span>
        {d.count > 1 ? <span className="rounded-md bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-800">×{d.count}</span> : null}
        {d.test ? <span className="rounded-md bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">test</span> : null}
      </div>
      {d.reason ? <p className="mt-1 break-words text-slate-800" data-testid="delivery-reason">{d.reason} <HelpLink help={d.help} /></p> : null}
      {d.signalId ? <p className="mt-1 break-all text-xs text-slate-500">Signal {d.signalId}</p> : null}
      <button type="button" aria-expanded={open} aria-controls={`${prefix}-${d.id}-body`} onClick={() => setOpen(!open)} className="mt-1 text-xs font-medium text-brand-700 underline">
        {open ? "Hide body" : `Show body (${d.bodyBytes} bytes${d.bodyTruncated ? ", truncated" : ""})`}
      </button>
      {open ? (
        <pre id={`${prefix}-${d.id}-body`} data-testid="delivery-body" className="mt-2 max-h-80 max-w-full overflow-auto whitespace-pre-wrap break-all rounded-md bg-slate-50 p-2 font-mono text-xs text-slate-800">
          {body.data ? body.data.body + (body.data.bodyTruncated ? "\n… (truncated at 8 KB)" : "") : body.isError ? body.error.message : "Loading…"}
        </pre>
      ) : null}
    </li>
  );
}
