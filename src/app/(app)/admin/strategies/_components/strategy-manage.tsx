"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "~/trpc/react";
import { DeliveryLog } from "./delivery-log";
import { WebhookBaseWarning } from "./one-time-webhook-url";
import { StrategyForm } from "./strategy-form";
import { StrategyStateControls } from "./strategy-state-controls";
import { TestAlertPanel } from "./test-alert-panel";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** One strategy: its settings, state (disable, archive), "Send test alert" and the webhook delivery log. */
export function StrategyManage({ id }: { id: string }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.strategies.list.queryOptions());
  if (list.isPending) return <p className="text-sm text-slate-500">Loading the strategy…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-600">{list.error.message}</p>;
  const s = list.data.find((x) => x.id === id);
  if (!s) return <p role="alert" className="text-sm text-red-600">No such strategy. <Link href="/admin/strategies" className="underline">Back to the strategies</Link>.</p>;
  return (
    <div className="min-w-0 space-y-8">
      <div className="min-w-0 space-y-1">
        <Link href="/admin/strategies" className="text-sm text-brand-700 underline">← All strategies</Link>
        <h1 className="break-words text-2xl font-semibold">{s.name}</h1>
        <p className="text-sm text-slate-600" data-testid="strategy-summary">
          {s.archivedAt ? "Archived" : s.enabled ? "Enabled" : "Disabled"} · {s.subscriberCount} subscriber{s.subscriberCount === 1 ? "" : "s"} · last alert {s.lastAlertAt ? dateTime.format(s.lastAlertAt) : "none yet"}
        </p>
        {s.description ? <p className="break-words text-sm text-slate-700">{s.description}</p> : null}
      </div>
      <WebhookBaseWarning />
      <StrategyStateControls strategy={s} />
      {s.archivedAt ? null : <StrategyForm key={`${s.id}-${String(s.enabled)}`} strategy={s} />}
      {s.archivedAt ? null : <TestAlertPanel strategyId={s.id} />}
      <section aria-labelledby="delivery-log-title" className="min-w-0 space-y-3">
        <h2 id="delivery-log-title" className="text-lg font-semibold">Webhook delivery log</h2>
        <DeliveryLog strategyId={s.id} />
      </section>
    </div>
  );
}
