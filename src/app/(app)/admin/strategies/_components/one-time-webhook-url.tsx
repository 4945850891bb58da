"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { CopyField } from "./copy-field";

/** The webhook URL's origin as the server knows it (NEXTAUTH_URL), never the browser's host, with its warning. */
export function useWebhookBase() {
  const trpc = useTRPC();
  return useQuery(trpc.strategies.webhookBase.queryOptions(undefined, { staleTime: Infinity })).data ?? null;
}

/** Shown when TradingView could not call the configured URL (not https on port 443). */
export function WebhookBaseWarning() {
  const base = useWebhookBase();
  if (!base?.warning) return null;
  return (
    <p role="note" data-testid="webhook-base-warning" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm break-words text-amber-900">
      {base.warning}
    </p>
  );
}

/**
 * A webhook URL just created or rotated: the only time KeyRelay can show it (it keeps a hash).
 * Held in the component's state, so leaving the page or pressing Done forgets it.
 */
export function OneTimeWebhookUrl(props: { id: string; path: string; onDone: () => void }) {
  const base = useWebhookBase();
  return (
    <div data-testid="webhook-once" className="min-w-0 space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-3">
      {base ? <CopyField id={`webhook-once-${props.id}`} label="Webhook URL" value={`${base.base}${props.path}`} buttonLabel="Copy webhook URL" testId="webhook-url" /> : <p className="text-sm text-slate-600">Loading the webhook URL…</p>}
      <p className="text-sm text-amber-900">
        Copy it now and paste it into this strategy&apos;s TradingView alerts: it is shown only this once (KeyRelay keeps only a hash of it). Lost it? Rotate the URL to get a new one.
      </p>
      <WebhookBaseWarning />
      <button type="button" onClick={props.onDone} className="rounded-md border border-amber-400 bg-white px-3 py-1.5 text-sm font-medium hover:bg-amber-100">
        Done, I copied it
      </button>
    </div>
  );
}

/** How a webhook URL looks after its one showing: the path with all but the last 4 characters elided. */
export function WebhookUrlHint(props: { maskedPath: string }) {
  const base = useWebhookBase();
  return (
    <div className="min-w-0 space-y-1">
      <p className="text-sm font-medium text-slate-700">Webhook URL</p>
      <p data-testid="webhook-hint" className="break-all rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-xs text-slate-600">
        {base?.base ?? ""}
        {props.maskedPath}
      </p>
      <p className="text-xs text-slate-500">Shown once; rotate to get a new one.</p>
    </div>
  );
}
