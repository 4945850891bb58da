"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { fmtAmount, fmtMoney } from "~/components/decimal-format";
import { EXCHANGE_NAMES, TD, TH, fmtDateTime } from "~/app/(app)/signals/_components/execution-format";
import { type RouterInputs, type RouterOutputs, useTRPC } from "~/trpc/react";
import { ModeChip, Pnl } from "./position-format";

type Row = RouterOutputs["positions"]["history"]["items"][number];
type Filter = NonNullable<RouterInputs["positions"]["history"]["filter"]>;
/** The form's fields as typed; dates are yyyy-mm-dd in the browser's time zone. */
type Fields = { strategyId: string; symbol: string; mode: "" | "LIVE" | "PAPER"; from: string; to: string };

const EMPTY: Fields = { strategyId: "", symbol: "", mode: "", from: "", to: "" };
const PAGE = 25;
const EFFECT_WORDS: Record<Row["effect"], string> = { OPEN: "Open", ADD: "Add", REDUCE: "Reduce", CLOSE: "Close", FLIP: "Flip" };
/** What filled, when it was not the strategy's own order. */
const SOURCE_WORDS: Record<Row["source"], string> = { STRATEGY: "", STOP_LOSS: "stop-loss", TAKE_PROFIT: "take-profit", TRAILING_STOP: "trailing stop" };
const effectText = (r: Row) => (SOURCE_WORDS[r.source] ? `${EFFECT_WORDS[r.effect]} · ${SOURCE_WORDS[r.source]}` : EFFECT_WORDS[r.effect]);

/** From the start of the "from" day to the end of the "to" day, local time. */
function toFilter(f: Fields): Filter {
  const day = (s: string, end: boolean) => (s ? new Date(`${s}T${end ? "23:59:59.999" : "00:00:00"}`) : undefined);
  return { strategyId: f.strategyId || undefined, symbol: f.symbol || undefined, mode: f.mode || undefined, from: day(f.from, false), to: day(f.to, true) };
}

function csvHref(filter: Filter): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined) p.set(k, v instanceof Date ? v.toISOString() : String(v));
  const qs = p.toString();
  return `/api/positions/history.csv${qs ? `?${qs}` : ""}`;
}

const INPUT = "block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
const BUTTON = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 disabled:opacity-60";

export function TradeHistory() {
  const trpc = useTRPC();
  const [fields, setFields] = useState<Fields>(EMPTY);
  const filter = toFilter(fields);
  const options = useQuery(trpc.positions.historyOptions.queryOptions());
  const list = useInfiniteQuery(trpc.positions.history.infiniteQueryOptions({ filter, limit: PAGE }, { getNextPageParam: (p) => p.nextCursor, refetchInterval: 15_000 }));
  const set = (k: keyof Fields) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setFields((f) => ({ ...f, [k]: e.target.value }));
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.values(fields).some((v) => v !== "");

  return (
    <div className="space-y-3">
      <form role="search" aria-label="Trade history filters" onSubmit={(e) => e.preventDefault()} className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-3 lg:grid-cols-5">
        <div className="min-w-0 space-y-1">
          <label htmlFor="history-strategy" className="block text-sm font-medium text-slate-700">Strategy</label>
          <select id="history-strategy" value={fields.strategyId} onChange={set("strategyId")} className={INPUT}>
            <option value="">Any</option>
            {options.data?.strategies.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </div>
        <div className="min-w-0 space-y-1">
          <label htmlFor="history-symbol" className="block text-sm font-medium text-slate-700">Symbol</label>
          <select id="history-symbol" value={fields.symbol} onChange={set("symbol")} className={INPUT}>
            <option value="">Any</option>
            {options.data?.symbols.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
        <div className="min-w-0 space-y-1">
          <label htmlFor="history-mode" className="block text-sm font-medium text-slate-700">Live or paper</label>
          <select id="history-mode" value={fields.mode} onChange={set("mode")} className={INPUT}>
            <option value="">Both</option>
            <option value="LIVE">Live</option>
            <option value="PAPER">Paper</option>
          </select>
        </div>
        <div className="min-w-0 space-y-1">
          <label htmlFor="history-from" className="block text-sm font-medium text-slate-700">From</label>
          <input id="history-from" type="date" value={fields.from} onChange={set("from")} className={INPUT} />
        </div>
        <div className="min-w-0 space-y-1">
          <label htmlFor="history-to" className="block text-sm font-medium text-slate-700">To</label>
          <input id="history-to" type="date" value={fields.to} onChange={set("to")} className={INPUT} />
        </div>
      </form>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-xs text-slate-500">One row per fill. Realized PnL is what a reduce or close made after every fee of the part it closed; dates are in your time zone.</p>
        <div className="flex gap-2">
          {filtered ? (
            <button type="button" onClick={() => setFields(EMPTY)} className={BUTTON}>Clear filters</button>
          ) : null}
          <a href={csvHref(filter)} download className={BUTTON}>Export CSV</a>
        </div>
      </div>
      {list.isPending ? (
        <p className="text-sm text-slate-500">Loading your trades…</p>
      ) : !list.data ? (
        <p role="alert" className="text-sm text-red-600">{list.error?.message ?? "Could not load your trades."}</p>
      ) : rows.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="no-trades">No trades{filtered ? " match these filters" : " yet"}.</p>
      ) : (
        <>
          <HistoryTable rows={rows} />
          <ul className="space-y-3 sm:hidden" aria-label="Trade history">
            {rows.map((r) => <HistoryCard key={r.id} r={r} />)}
          </ul>
          <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
            <span role="status" data-testid="trade-count">
              {rows.length} trade{rows.length === 1 ? "" : "s"} shown{list.hasNextPage ? "" : " (all)"}
            </span>
            {list.hasNextPage ? (
              <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage} className={BUTTON}>
                {list.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            ) : null}
            {list.isError ? <span role="alert" className="text-red-600">{list.error.message}</span> : null}
          </div>
        </>
      )}
    </div>
  );
}

function Fee({ r }: { r: Row }) {
  if (r.fee === null) return <>—</>;
  return (
    <span title={r.feeQuote !== null && r.feeCurrency !== r.quote ? `${r.feeQuote} ${r.quote}` : undefined}>
      {fmtAmount(r.fee)} <span className="text-xs text-slate-500">{r.feeCurrency}</span>
    </span>
  );
}

const slip = (s: string | null) => (s === null ? "—" : `${fmtMoney(s, { sign: true })} %`);
const num = `${TD} text-right font-mono tabular-nums`;

function HistoryTable({ rows }: { rows: Row[] }) {
  return (
    <div className="hidden overflow-x-auto rounded-lg border border-slate-200 bg-white sm:block">
      <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Trade history">
        <thead className="bg-slate-50">
          <tr>
            {["Time", "Strategy", "Symbol", "Side", "Effect"].map((c) => <th key={c} scope="col" className={TH}>{c}</th>)}
            {["Amount", "Price", "Fee", "Realized PnL", "Slippage"].map((c) => <th key={c} scope="col" className={`${TH} text-right`}>{c}</th>)}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id} data-testid="trade" data-view="table" data-effect={r.effect} data-source={r.source}>
              <td className={`${TD} tabular-nums text-slate-600`}><time dateTime={r.at.toISOString()}>{fmtDateTime(r.at)}</time></td>
              <td className={TD}>
                {r.strategyName} <ModeChip paper={r.paper} />
                {r.exchange ? <span className="block text-xs text-slate-500">{EXCHANGE_NAMES[r.exchange]}</span> : null}
              </td>
              <td className={`${TD} font-mono`}>{r.symbol}</td>
              <td className={`${TD} capitalize`}>{r.side}</td>
              <td className={TD}>{effectText(r)}</td>
              <td className={num} title={r.amount}>{fmtAmount(r.amount)}</td>
              <td className={num} title={r.price}>{fmtAmount(r.price)}</td>
              <td className={num}><Fee r={r} /></td>
              <td className={`${TD} text-right`}><Pnl value={r.realizedPnl} currency={r.quote} testId="realized-pnl" /></td>
              <td className={num} title={r.slippagePct ?? undefined}>{slip(r.slippagePct)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function HistoryCard({ r }: { r: Row }) {
  return (
    <li data-testid="trade" data-view="card" data-effect={r.effect} data-source={r.source} className="rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm">
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="truncate font-medium">{r.strategyName}</p>
          <p>
            <span className="font-mono">{r.symbol}</span> <span className="capitalize">{r.side}</span> · {effectText(r)}
          </p>
        </div>
        <ModeChip paper={r.paper} />
      </div>
      <div className="mt-2 flex items-center justify-between gap-2">
        <span className="text-slate-500">Realized PnL</span>
        <Pnl value={r.realizedPnl} currency={r.quote} testId="realized-pnl" />
      </div>
      <dl className="mt-2 space-y-1">
        <div className="flex justify-between gap-3"><dt className="text-slate-500">Filled</dt><dd className="text-right font-mono tabular-nums">{fmtAmount(r.amount)} @ {fmtAmount(r.price)}</dd></div>
        <div className="flex justify-between gap-3"><dt className="text-slate-500">Fee</dt><dd className="text-right font-mono tabular-nums"><Fee r={r} /></dd></div>
        <div className="flex justify-between gap-3"><dt className="text-slate-500">Slippage</dt><dd className="text-right font-mono tabular-nums">{slip(r.slippagePct)}</dd></div>
        <div className="flex justify-between gap-3"><dt className="text-slate-500">Time</dt><dd className="text-right tabular-nums"><time dateTime={r.at.toISOString()}>{fmtDateTime(r.at)}</time></dd></div>
      </dl>
    </li>
  );
}
