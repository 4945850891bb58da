"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FormError } from "~/components/field";
import { useTRPC } from "~/trpc/react";
import { useStepUp } from "../../_components/step-up";

export type SaveResult = { status: string; ok: boolean; message: string | null; warnings: string[] };

export function KeyForm(props: { exchange: "BINANCE" | "BYBIT"; label: string; onDone: (r: SaveResult) => void; onCancel?: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation(trpc.keys.save.mutationOptions());
  const withStepUp = useStepUp();
  const id = (f: string) => `${props.exchange.toLowerCase()}-${f}`;

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    setErrors({});
    setFormError(null);
    try {
      const input = {
        exchange: props.exchange,
        apiKey: String(data.get("apiKey") ?? ""),
        apiSecret: String(data.get("apiSecret") ?? ""),
        environment: String(data.get("environment") ?? "LIVE") as "LIVE",
        label: String(data.get("label") ?? "") || undefined,
      };
      const res = await withStepUp(() => save.mutateAsync(input));
      form.reset();
      await qc.invalidateQueries({ queryKey: trpc.keys.pathKey() });
      props.onDone(res.verification);
    } catch (err) {
      const d = (err as { data?: { fieldErrors?: Partial<Record<string, string>> | null } }).data;
      if (d?.fieldErrors && Object.keys(d.fieldErrors).length) setErrors(d.fieldErrors);
      else setFormError((err as Error).message);
    }
  }

  const input = "block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label={`Connect ${props.label} key`}>
      <FormError message={formError} />
      <div className="space-y-1">
        <label htmlFor={id("apiKey")} className="block text-sm font-medium text-slate-700">API key</label>
        <input id={id("apiKey")} name="apiKey" autoComplete="off" spellCheck={false} aria-invalid={errors.apiKey ? true : undefined} aria-describedby={errors.apiKey ? id("apiKey-err") : undefined} className={`${input} font-mono ${errors.apiKey ? "border-red-500" : "border-slate-300"}`} />
        {errors.apiKey ? <p id={id("apiKey-err")} role="alert" className="text-sm text-red-600">{errors.apiKey}</p> : null}
      </div>
      <div className="space-y-1">
        <label htmlFor={id("apiSecret")} className="block text-sm font-medium text-slate-700">Secret key</label>
        <input id={id("apiSecret")} name="apiSecret" type="password" autoComplete="new-password" spellCheck={false} aria-invalid={errors.apiSecret ? true : undefined} aria-describedby={errors.apiSecret ? id("apiSecret-err") : undefined} className={`${input} font-mono ${errors.apiSecret ? "border-red-500" : "border-slate-300"}`} />
        {errors.apiSecret ? <p id={id("apiSecret-err")} role="alert" className="text-sm text-red-600">{errors.apiSecret}</p> : null}
        <p className="text-xs text-slate-500">Stored encrypted (AES-256-GCM) and never shown again.</p>
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="space-y-1">
          <label htmlFor={id("environment")} className="block text-sm font-medium text-slate-700">Environment</label>
          <select id={id("environment")} name="environment" defaultValue="LIVE" className={`${input} border-slate-300`}>
            <option value="LIVE">Live</option>
            <option value="TESTNET">Testnet</option>
            <option value="DEMO">Demo trading</option>
          </select>
        </div>
        <div className="space-y-1">
          <label htmlFor={id("label")} className="block text-sm font-medium text-slate-700">Label (optional)</label>
          <input id={id("label")} name="label" maxLength={60} aria-invalid={errors.label ? true : undefined} className={`${input} ${errors.label ? "border-red-500" : "border-slate-300"}`} />
          {errors.label ? <p role="alert" className="text-sm text-red-600">{errors.label}</p> : null}
        </div>
      </div>
      <div className="flex gap-2">
        <button type="submit" disabled={save.isPending} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
          {save.isPending ? "Saving and verifying…" : `Save and verify ${props.label} key`}
        </button>
        {props.onCancel ? (
          <button type="button" onClick={props.onCancel} className="rounded-md border border-slate-300 px-4 py-2 text-sm font-medium hover:bg-slate-100">
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
