"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CHANNEL_LABELS, KIND_LABELS, NOTIFICATION_KINDS, type NotificationKind } from "~/server/notifications/events";
import { useTRPC, type RouterOutputs } from "~/trpc/react";

type Channel = RouterOutputs["notifications"]["channels"][number];

function ChannelCard({ channel }: { channel: Channel }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(trpc.notifications.updateChannel.mutationOptions());
  const remove = useMutation(trpc.notifications.removeChannel.mutationOptions());
  const test = useMutation(trpc.notifications.testChannel.mutationOptions());
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  // Shown at once when ticked; put back to what the server has if the save fails.
  const [events, setEvents] = useState<NotificationKind[]>(channel.events);
  const [enabled, setEnabled] = useState(channel.enabled);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.notifications.channels.queryKey() });

  async function save(change: { events?: NotificationKind[]; enabled?: boolean }) {
    setStatus(null);
    if (change.events) setEvents(change.events);
    if (change.enabled !== undefined) setEnabled(change.enabled);
    try {
      await update.mutateAsync({ channelId: channel.id, ...change });
      setStatus({ ok: true, text: "Saved." });
    } catch (err) {
      setEvents(channel.events);
      setEnabled(channel.enabled);
      setStatus({ ok: false, text: (err as Error).message });
    } finally {
      await refresh();
    }
  }
  async function sendTest() {
    setStatus(null);
    try {
      const r = await test.mutateAsync({ channelId: channel.id });
      setStatus(r.ok ? { ok: true, text: "Test notification sent." } : { ok: false, text: r.error ?? "The test was not delivered." });
    } catch (err) {
      setStatus({ ok: false, text: (err as Error).message });
    }
  }
  async function doRemove() {
    if (!window.confirm(`Remove ${channel.label}? Its delivery log goes with it.`)) return;
    try {
      await remove.mutateAsync({ channelId: channel.id });
    } catch (err) {
      setStatus({ ok: false, text: (err as Error).message });
    } finally {
      await refresh();
    }
  }
  const toggle = (kind: NotificationKind, on: boolean) => void save({ events: on ? [...events, kind] : events.filter((k) => k !== kind) });

  return (
    <li data-testid={`channel-${channel.type.toLowerCase()}`} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium">
            {CHANNEL_LABELS[channel.type]}: {channel.label}
          </p>
          <p className="break-all text-xs text-slate-500">
            {channel.target}
            {channel.secretHint ? ` · ${channel.type === "TELEGRAM" ? "bot token" : "signing secret"} ${channel.secretHint}` : ""}
          </p>
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={enabled} onChange={(e) => void save({ enabled: e.target.checked })} />
          On
        </label>
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Send these events</legend>
        <div className="mt-1 grid grid-cols-1 gap-1 sm:grid-cols-2">
          {NOTIFICATION_KINDS.map((kind) => (
            <label key={kind} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={events.includes(kind)} onChange={(e) => toggle(kind, e.target.checked)} />
              {KIND_LABELS[kind]}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" onClick={() => void sendTest()} disabled={test.isPending} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-50">
          {test.isPending ? "Sending…" : "Send test notification"}
        </button>
        {channel.type === "EMAIL" ? null : (
          <button type="button" onClick={() => void doRemove()} className="rounded-md px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50">
            Remove
          </button>
        )}
        {status ? (
          <p role={status.ok ? "status" : "alert"} data-testid="channel-status" className={`w-full text-sm ${status.ok ? "text-green-700" : "text-red-600"}`}>
            {status.text}
          </p>
        ) : null}
      </div>
    </li>
  );
}

export function ChannelList() {
  const trpc = useTRPC();
  const list = useQuery(trpc.notifications.channels.queryOptions());
  if (list.isPending) return <p className="text-sm text-slate-500">Loading channels…</p>;
  if (list.isError)
    return (
      <p role="alert" className="text-sm text-red-600">
        {list.error.message}
      </p>
    );
  return (
    <section className="space-y-3" aria-labelledby="channels-heading">
      <h2 id="channels-heading" className="text-lg font-semibold">
        Your channels
      </h2>
      <ul className="space-y-3">
        {list.data.map((c) => (
          <ChannelCard key={c.id} channel={c} />
        ))}
      </ul>
    </section>
  );
}
