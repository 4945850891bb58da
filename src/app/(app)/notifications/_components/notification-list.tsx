"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, type RouterOutputs } from "~/trpc/react";

type Item = RouterOutputs["notifications"]["list"]["items"][number];
type Delivery = Item["deliveries"][number];

const timeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "long" });

const DELIVERY_STYLE: Record<Delivery["status"], string> = {
  SENT: "bg-green-50 text-green-800 ring-green-700/30",
  PENDING: "bg-amber-50 text-amber-900 ring-amber-700/30",
  FAILED: "bg-red-50 text-red-800 ring-red-700/30",
};

function DeliveryLog({ deliveries }: { deliveries: Delivery[] }) {
  if (deliveries.length === 0) return <p className="text-xs text-slate-500">In the app only: no channel is set for this event.</p>;
  return (
    <ul className="space-y-1" aria-label="Delivery log">
      {deliveries.map((d) => (
        <li key={d.id} data-testid="delivery" className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-600">
          <span className="font-medium text-slate-800">{d.channelLabel}</span>
          <span className={`rounded px-1.5 py-0.5 font-semibold ring-1 ring-inset ${DELIVERY_STYLE[d.status]}`} data-testid="delivery-status">
            {d.status}
          </span>
          <span>
            {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
          </span>
          <span>{timeFmt.format(d.sentAt ?? d.updatedAt)}</span>
          {d.lastError ? <span className="w-full break-words text-red-700">{d.lastError}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** Newest first; unread ones stand out; each shows where it was sent and how that went. */
export function NotificationList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const list = useInfiniteQuery({
    ...trpc.notifications.list.infiniteQueryOptions({ limit: 30 }, { getNextPageParam: (last) => last.nextCursor }),
    refetchInterval: 15_000,
  });
  const markRead = useMutation(trpc.notifications.markRead.mutationOptions());
  const markAll = useMutation(trpc.notifications.markAllRead.mutationOptions());

  async function refresh() {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.notifications.list.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.notifications.unread.queryKey() }),
    ]);
  }
  async function run(p: Promise<unknown>) {
    setError(null);
    try {
      await p;
    } catch (err) {
      setError((err as Error).message || "That did not work. Try again.");
    } finally {
      await refresh();
    }
  }

  if (list.isPending) return <p className="text-sm text-slate-500">Loading notifications…</p>;
  if (list.isError)
    return (
      <p role="alert" className="text-sm text-red-600">
        {list.error.message}
      </p>
    );
  const items = list.data.pages.flatMap((p) => p.items);
  const unread = items.filter((n) => !n.read).length;
  return (
    <section className="space-y-3" aria-label="Your notifications">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-slate-600">{items.length === 0 ? "Nothing yet." : `${unread} unread`}</p>
        <button
          type="button"
          disabled={unread === 0 || markAll.isPending}
          onClick={() => void run(markAll.mutateAsync())}
          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-50"
        >
          Mark all read
        </button>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-600">
          {error}
        </p>
      ) : null}
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        {items.map((n) => (
          <li key={n.id} data-testid="notification" data-read={n.read} className={`space-y-2 p-3 sm:p-4 ${n.read ? "" : "bg-brand-50/40"}`}>
            <div className="flex flex-wrap items-start justify-between gap-2">
              <div className="min-w-0 flex-1 space-y-1">
                <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">
                  {n.kind.replace(/_/g, " ")} · <time dateTime={n.at.toISOString()}>{timeFmt.format(n.at)}</time>
                </p>
                <p className="break-words text-sm text-slate-900" data-testid="notification-message">
                  {n.message}
                </p>
              </div>
              {n.read ? null : (
                <button type="button" onClick={() => void run(markRead.mutateAsync({ ids: [n.id] }))} className="rounded-md px-2 py-1 text-xs font-medium text-brand-700 hover:bg-brand-50">
                  Mark read
                </button>
              )}
            </div>
            <details>
              <summary className="cursor-pointer text-xs font-medium text-slate-600">Delivery log ({n.deliveries.length})</summary>
              <div className="mt-2">
                <DeliveryLog deliveries={n.deliveries} />
              </div>
            </details>
          </li>
        ))}
      </ul>
      {list.hasNextPage ? (
        <button type="button" onClick={() => void list.fetchNextPage()} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
          Older notifications
        </button>
      ) : null}
    </section>
  );
}
