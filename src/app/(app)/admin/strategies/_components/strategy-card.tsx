"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { type RouterOutputs, useTRPC } from "~/trpc/react";
import { useStepUp } from "../../../_components/step-up";
import { describeProtection } from "../../../_components/protection-fields";
import { AlertConverter } from "./alert-converter";
import Link from "next/link";
import { AlertTemplates } from "./alert-templates";
import { OneTimeWebhookUrl, WebhookUrlHint } from "./one-time-webhook-url";
import { StrategyProtectionForm } from "./strategy-protection-form";

type Strategy = RouterOutputs["strategies"]["list"][number];

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function StrategyCard({ strategy: s }: { strategy: Strategy }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const rotate = useMutation(trpc.strategies.rotateToken.mutationOptions());
  const withStepUp = useStepUp();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [newPath, setNewPath] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.strategies.pathKey() });

  async function confirmRotate() {
    setMessage(null);
    try {
      const rotated = await withStepUp(() => rotate.mutateAsync({ id: s.id }));
      setNewPath(rotated.webhookPath);
      await refresh();
      setMessage({ ok: true, text: "New webhook URL ready: the old one no longer works. Copy the new one into your TradingView alerts now." });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      dialog.current?.close();
    }
  }

  const ipText = s.allowedIps.length ? s.allowedIps.join(", ") : "Any address";
  return (
    <section aria-labelledby={`strategy-${s.id}-title`} data-testid="strategy-card" className="min-w-0 space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h3 id={`strategy-${s.id}-title`} className="min-w-0 break-words text-lg font-semibold">{s.name}</h3>
        <span data-testid="strategy-state" className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${s.archivedAt ? "bg-slate-200 text-slate-800" : s.enabled ? "bg-green-100 text-green-800" : "bg-amber-100 text-amber-900"}`}>
          {s.archivedAt ? "Archived" : s.enabled ? "Enabled" : "Disabled"}
        </span>
      </div>
      {s.description ? <p className="break-words text-sm text-slate-700">{s.description}</p> : null}
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-slate-500">Subscribers</dt>
        <dd data-testid="strategy-subscribers">{s.subscriberCount}</dd>
        <dt className="text-slate-500">Last alert</dt>
        <dd data-testid="strategy-last-alert">{s.lastAlertAt ? dateTime.format(s.lastAlertAt) : "None yet"}</dd>
        <dt className="text-slate-500">Market type</dt>
        <dd>{s.marketType === "LINEAR" ? "Linear perpetual" : "Spot"}</dd>
        <dt className="text-slate-500">Symbols</dt>
        <dd className="break-words font-mono">{s.allowedSymbols.join(", ")}</dd>
        <dt className="text-slate-500">Order type</dt>
        <dd>{s.defaultOrderType === "LIMIT" ? "Limit" : "Market"}</dd>
        <dt className="text-slate-500">Cooldown</dt>
        <dd>{s.cooldownSeconds ? `${s.cooldownSeconds} s` : "None"}</dd>
        <dt className="text-slate-500">Max deviation</dt>
        <dd>{s.maxPriceDeviationPct}%</dd>
        <dt className="text-slate-500">Accepts from</dt>
        <dd className="break-words">{ipText}</dd>
        <dt className="text-slate-500">Protection</dt>
        <dd data-testid="strategy-protection" className="break-words">
          {describeProtection(s.protection?.defaults)}
          {s.protection?.maxStopLossPct ? ` · subscribers' stop-loss at most ${s.protection.maxStopLossPct} %` : ""}
          {s.protection && !s.protection.allowSubscriberOverride ? " · subscribers cannot override" : ""}
        </dd>
      </dl>
      <details className="rounded-lg border border-slate-200 p-3">
        <summary className="cursor-pointer text-sm font-medium text-slate-700">Edit protection (stop-loss, take-profits, trailing stop)</summary>
        <div className="mt-3">
          <StrategyProtectionForm strategy={s} />
        </div>
      </details>
      {newPath ? <OneTimeWebhookUrl id={s.id} path={newPath} onDone={() => setNewPath(null)} /> : <WebhookUrlHint maskedPath={s.maskedWebhookPath} />}
      <AlertTemplates strategyId={s.id} templates={s.templates} />
      <AlertConverter strategyId={s.id} />
      <div className="flex flex-wrap items-center gap-3">
        <Link href={`/admin/strategies/${s.id}`} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700">
          Manage: settings, test alert, delivery log
        </Link>
        {s.archivedAt ? null : (
          <button type="button" onClick={() => dialog.current?.showModal()} className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50">
            Rotate webhook URL
          </button>
        )}
        <p role={message?.ok === false ? "alert" : "status"} className={`min-h-5 text-sm ${message?.ok === false ? "text-red-700" : "text-green-700"}`}>
          {message?.text ?? ""}
        </p>
      </div>
      <dialog ref={dialog} aria-labelledby={`rotate-${s.id}-title`} aria-describedby={`rotate-${s.id}-text`} className="m-auto max-w-md rounded-xl p-6 shadow-xl backdrop:bg-slate-900/40">
        <h4 id={`rotate-${s.id}-title`} className="text-lg font-semibold">Rotate the webhook URL of {s.name}?</h4>
        <p id={`rotate-${s.id}-text`} className="mt-2 text-sm text-slate-600">
          The current URL stops working at once. Alerts sent to it are refused until you paste the new URL into every TradingView alert of this strategy.
        </p>
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" onClick={() => dialog.current?.close()} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
            Cancel
          </button>
          <button type="button" disabled={rotate.isPending} onClick={() => void confirmRotate()} className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700 disabled:opacity-60">
            {rotate.isPending ? "Rotating…" : "Yes, rotate"}
          </button>
        </div>
      </dialog>
    </section>
  );
}
