"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { fmtAmount, fmtMoney } from "~/components/decimal-format";
import { EXCHANGE_NAMES, TD, TH, fmtDateTime } from "~/app/(app)/signals/_components/execution-format";
import { type RouterOutputs, useTRPC } from "~/trpc/react";
import { ClosePositionDialog } from "./close-position-dialog";
import { ModeChip, Pnl, SideBadge } from "./position-format";
import { ProtectionDetails, UnprotectedBadge, hasProtection } from "./protection-details";
import { HelpLink } from "~/components/help-link";

type Position = RouterOutputs["positions"]["open"][number];

/** Marks move: refresh now and then; every 2 s while an order of ours is on its way. */
const IDLE_REFRESH_MS = 10_000;
const BUSY_REFRESH_MS = 2_000;

const label = (p: { strategyName: string; symbol: string }) => `${p.strategyName} · ${p.symbol}`;

export function OpenPositions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Positions the user asked to close, kept until the list no longer shows them open.
  const [requested, setRequested] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState<Position | null>(null);
  const list = useQuery(
    trpc.positions.open.queryOptions(undefined, {
      refetchInterval: (q) => (Object.keys(requested).length > 0 || q.state.data?.some((p) => p.inFlight || p.settling) ? BUSY_REFRESH_MS : IDLE_REFRESH_MS),
    }),
  );
  const close = useMutation(
    trpc.positions.close.mutationOptions({
      onSuccess: (_r, input) => {
        const p = list.data?.find((x) => x.id === input.positionId);
        setRequested((r) => ({ ...r, [input.positionId]: p ? label(p) : "The position" }));
        setConfirming(null);
        void queryClient.invalidateQueries(trpc.positions.open.pathFilter());
      },
    }),
  );

  const openIds = new Set(list.data?.map((p) => p.id) ?? []);
  const closed = list.data ? Object.entries(requested).filter(([id]) => !openIds.has(id)) : [];
  const closedKey = closed.map(([id]) => id).join(",");
  // What the book holds; it also changes when a stop-loss or take-profit fills on the exchange.
  const sizesKey = list.data?.map((p) => `${p.id}:${p.size}`).join(",");
  const seenSizes = useRef<string | undefined>(undefined);
  // A close (or a protective order) has filled: the history and the dashboard figures changed.
  useEffect(() => {
    const first = seenSizes.current === undefined;
    seenSizes.current = sizesKey;
    if (!closedKey && (first || sizesKey === undefined)) return;
    void queryClient.invalidateQueries(trpc.positions.history.pathFilter());
    void queryClient.invalidateQueries(trpc.positions.summary.pathFilter());
  }, [closedKey, sizesKey, queryClient, trpc]);

  if (list.isPending) return <p className="text-sm text-slate-500">Loading your positions…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-600">{list.error.message}</p>;

  const isClosing = (p: Position) => p.inFlight?.intent === "CLOSE" || p.id in requested;
  const ask = (p: Position) => {
    close.reset();
    setConfirming(p);
  };

  return (
    <div className="space-y-3">
      <div role="status" aria-live="polite" className="space-y-1 text-sm">
        {closed.map(([id, what]) => (
          <p key={id} data-testid="position-closed-message" className="text-green-800">
            {what} is closed. Its realized PnL is in the trade history below.
          </p>
        ))}
      </div>
      {list.data.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="no-positions">
          No open positions. When a strategy you follow opens one on your account (or paper book), it appears here.
        </p>
      ) : (
        <>
          <PositionsTable positions={list.data} isClosing={isClosing} onClose={ask} />
          <ul className="space-y-3 sm:hidden" aria-label="Open positions">
            {list.data.map((p) => (
              <PositionCard key={p.id} p={p} closing={isClosing(p)} onClose={() => ask(p)} />
            ))}
          </ul>
        </>
      )}
      {confirming ? (
        <ClosePositionDialog
          position={confirming}
          pending={close.isPending}
          error={close.error?.message ?? null}
          onCancel={() => setConfirming(null)}
          onConfirm={() => close.mutate({ positionId: confirming.id })}
        />
      ) : null}
    </div>
  );
}

function InFlightNote({ p, closing }: { p: Position; closing: boolean }) {
  if (closing)
    return (
      <span data-testid="position-closing" className="inline-flex items-center rounded-full bg-blue-100 px-2 py-0.5 text-xs font-semibold text-blue-800">
        Closing…
      </span>
    );
  if (p.inFlight) return <span className="inline-flex rounded-full bg-blue-50 px-2 py-0.5 text-xs font-medium text-blue-800">Order in flight</span>;
  return null;
}

function CloseButton({ p, closing, onClose }: { p: Position; closing: boolean; onClose: () => void }) {
  return (
    <button
      type="button"
      onClick={onClose}
      disabled={closing || p.inFlight !== null}
      aria-label={`Close ${label(p)}`}
      className="rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 disabled:opacity-50"
    >
      Close
    </button>
  );
}

function DriftNote({ p }: { p: Position }) {
  if (!p.driftNote) return null;
  return (
    <p data-testid="drift-note" className="mt-1 max-w-xs whitespace-normal text-xs text-amber-800">
      {p.driftNote}
      {p.driftAt ? <span className="text-amber-700"> ({fmtDateTime(p.driftAt)})</span> : null}{" "}
      <HelpLink help={p.help.drift} />
    </p>
  );
}

const num = `${TD} text-right font-mono tabular-nums`;

function PositionsTable({ positions, isClosing, onClose }: { positions: Position[]; isClosing: (p: Position) => boolean; onClose: (p: Position) => void }) {
  return (
    <div className="hidden overflow-x-auto rounded-lg border border-slate-200 bg-white sm:block">
      <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Open positions">
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className={TH}>Strategy</th>
            <th scope="col" className={TH}>Symbol</th>
            <th scope="col" className={`${TH} text-right`}>Size</th>
            <th scope="col" className={`${TH} text-right`}>Entry</th>
            <th scope="col" className={`${TH} text-right`}>Mark</th>
            <th scope="col" className={`${TH} text-right`}>Unrealized PnL</th>
            <th scope="col" className={`${TH} text-right`}>Realized</th>
            <th scope="col" className={`${TH} text-right`}>Fees</th>
            <th scope="col" className={TH}>Opened</th>
            <th scope="col" className={TH}><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        {positions.map((p) => {
          const closing = isClosing(p);
          // One tbody per position: its row, and below it its protective orders.
          return (
            <tbody key={p.id} data-testid="position" data-view="table" data-id={p.id} data-closing={closing || undefined}>
              <tr>
                <td className={TD}>
                  <span className="font-medium">{p.strategyName}</span>
                  <span className="ml-2"><ModeChip paper={p.paper} /></span>
                  <span className="block text-xs text-slate-500">{p.exchange ? EXCHANGE_NAMES[p.exchange] : "Paper book"}</span>
                </td>
                <td className={TD}>
                  <span className="font-mono">{p.symbol}</span> <SideBadge side={p.side} />
                  <UnprotectedBadge p={p} />
                  <DriftNote p={p} />
                </td>
                <td className={num} title={p.size}>{fmtAmount(p.size)}</td>
                <td className={num} title={p.averageEntry ?? undefined}>{p.averageEntry ? fmtAmount(p.averageEntry) : "—"}</td>
                <td className={num} title={p.mark ? `${EXCHANGE_NAMES[p.markExchange]} last price` : "No price could be fetched"}>{p.mark ? fmtAmount(p.mark) : "—"}</td>
                <td className={`${TD} text-right`}><Pnl value={p.unrealizedPnl} currency={p.quote} testId="unrealized-pnl" /></td>
                <td className={`${TD} text-right`}><Pnl value={p.realizedPnl} testId="position-realized-pnl" /></td>
                <td className={num} title={p.feesPaid}>{fmtMoney(p.feesPaid)}</td>
                <td className={`${TD} text-slate-600`}>{p.openedAt ? fmtDateTime(p.openedAt) : "—"}</td>
                <td className={`${TD} text-right`}>
                  <span className="inline-flex items-center gap-2">
                    <InFlightNote p={p} closing={closing} />
                    <CloseButton p={p} closing={closing} onClose={() => onClose(p)} />
                  </span>
                </td>
              </tr>
              {hasProtection(p) ? (
                <tr>
                  <td colSpan={10} className="px-3 pb-3">
                    <ProtectionDetails p={p} />
                  </td>
                </tr>
              ) : null}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}

/** Below 640 px: one card per position, status and PnL on top, no horizontal scrolling. */
function PositionCard({ p, closing, onClose }: { p: Position; closing: boolean; onClose: () => void }) {
  const row = (k: string, v: React.ReactNode) => (
    <div className="flex justify-between gap-3">
      <dt className="text-slate-500">{k}</dt>
      <dd className="text-right font-mono tabular-nums">{v}</dd>
    </div>
  );
  return (
    <li data-testid="position" data-view="card" data-id={p.id} data-closing={closing || undefined} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="truncate font-medium">{p.strategyName}</p>
          <p className="text-sm"><span className="font-mono">{p.symbol}</span> <SideBadge side={p.side} /> <UnprotectedBadge p={p} /></p>
        </div>
        <ModeChip paper={p.paper} />
      </div>
      <div className="mt-2 flex items-center justify-between gap-2">
        <span className="text-sm text-slate-500">Unrealized PnL</span>
        <Pnl value={p.unrealizedPnl} currency={p.quote} testId="unrealized-pnl" />
      </div>
      <dl className="mt-2 space-y-1 text-sm">
        {row("Size", fmtAmount(p.size))}
        {row("Entry", p.averageEntry ? fmtAmount(p.averageEntry) : "—")}
        {row("Mark", p.mark ? fmtAmount(p.mark) : "—")}
        {row("Realized", <Pnl value={p.realizedPnl} testId="position-realized-pnl" />)}
        {row("Fees", fmtMoney(p.feesPaid))}
      </dl>
      <DriftNote p={p} />
      <div className="mt-2">
        <ProtectionDetails p={p} />
      </div>
      <div className="mt-3 flex items-center justify-end gap-2">
        <InFlightNote p={p} closing={closing} />
        <CloseButton p={p} closing={closing} onClose={onClose} />
      </div>
    </li>
  );
}
