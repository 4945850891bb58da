"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { type RouterOutputs, useTRPC } from "~/trpc/react";
import { CopyField } from "./copy-field";

type Conversion = RouterOutputs["strategies"]["convertAlert"];

const FORMAT_NAMES: Record<string, string> = {
  json: "KeyRelay JSON",
  "key-value": "KeyRelay key=value",
  form: "Form fields",
  "tradingview-default": "TradingView default strategy message",
  traderspost: "TradersPost",
  "3commas": "3Commas signal bot",
  octobot: "OctoBot",
};

/** Paste an alert message written for another relay: see what KeyRelay reads from it and its KeyRelay equivalent. */
export function AlertConverter({ strategyId }: { strategyId: string }) {
  const trpc = useTRPC();
  const convert = useMutation(trpc.strategies.convertAlert.mutationOptions());
  const [message, setMessage] = useState("");
  const [result, setResult] = useState<Conversion | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const id = `convert-${strategyId}`;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setFailure(null);
    try {
      setResult(await convert.mutateAsync({ message }));
    } catch (err) {
      setResult(null);
      setFailure((err as Error).message);
    }
  }

  const u = result?.understood;
  const rows: [string, string | null | undefined][] = u
    ? [["Action", u.action], ["Symbol", `${u.symbol}${u.perpetual ? " (perpetual)" : ""}`], ["Size", u.size ?? "the subscriber's sizing"], ["Order type", u.orderType ?? "the strategy's default"], ["Price", u.price], ["Position", u.position], ["Protection", u.protection ?? "the strategy's settings"], ["Kept, not used", u.ignored.join(", ") || null]]
    : [];
  return (
    <details className="rounded-lg border border-slate-200 p-3" data-testid="alert-converter">
      <summary className="cursor-pointer text-sm font-medium text-slate-700">Convert an alert from TradingView, TradersPost, 3Commas or OctoBot</summary>
      <form onSubmit={(e) => void submit(e)} className="mt-3 space-y-2">
        <label htmlFor={id} className="block text-sm text-slate-600">Paste the alert message as it is in TradingView (placeholders and all)</label>
        <textarea id={id} value={message} onChange={(e) => setMessage(e.target.value)} rows={5} className="w-full rounded-md border border-slate-300 p-2 font-mono text-xs" />
        <button type="submit" disabled={convert.isPending || message.trim() === ""} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white disabled:opacity-60">
          {convert.isPending ? "Reading…" : "Read alert"}
        </button>
      </form>
      <div aria-live="polite" className="mt-3 space-y-2 text-sm">
        {failure ? <p role="alert" className="text-red-700">{failure}</p> : null}
        {result ? <p>Format: <strong>{result.format ? FORMAT_NAMES[result.format] : "not recognised"}</strong></p> : null}
        {result && result.errors.length > 0 ? (
          <ul role="alert" className="list-disc space-y-1 pl-5 text-red-700">
            {result.errors.map((e, i) => <li key={i}><span className="font-mono">{e.field}</span>: {e.message}</li>)}
          </ul>
        ) : null}
        {u ? (
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
            {rows.filter(([, v]) => v).map(([k, v]) => [<dt key={`${k}-t`} className="text-slate-500">{k}</dt>, <dd key={`${k}-d`} className="break-words">{v}</dd>])}
          </dl>
        ) : null}
        {result?.template ? <CopyField id={`${id}-template`} label="The same alert as KeyRelay JSON" value={result.template} buttonLabel="Copy KeyRelay alert" testId="converted-template" multiline rows={10} /> : null}
      </div>
    </details>
  );
}
