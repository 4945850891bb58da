"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FormError } from "~/components/field";
import { type RouterOutputs, useTRPC } from "~/trpc/react";
import { OneTimeWebhookUrl } from "./one-time-webhook-url";

type Strategy = RouterOutputs["strategies"]["list"][number];

type Errors = Partial<Record<string, string>>;
const INPUT = "block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
const SHOWN = ["name", "description", "allowedSymbols", "marketType", "defaultOrderType", "cooldownSeconds", "maxPriceDeviationPct", "rateLimitPerMinute", "allowedIps"];

/** Server keys like "allowedSymbols.1" become "allowedSymbols", naming the offending symbol. */
function normalizeErrors(raw: Errors, symbols: string[]): Errors {
  const out: Errors = {};
  for (const [key, message] of Object.entries(raw)) {
    const [field = "_", index] = key.split(".");
    const symbol = field === "allowedSymbols" && index !== undefined ? symbols[Number(index)] : undefined;
    out[field] ??= symbol !== undefined ? `“${symbol}”: ${message}` : message;
  }
  return out;
}

const optionalNumber = (v: FormDataEntryValue | null) => (String(v ?? "").trim() === "" ? undefined : Number(v));

/** The new-strategy form; given a strategy, the same form edits every one of its settings. */
export function StrategyForm({ strategy: editing }: { strategy?: Strategy } = {}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const ips = useQuery(trpc.strategies.tradingViewIps.queryOptions(undefined, { staleTime: Infinity }));
  const create = useMutation(trpc.strategies.create.mutationOptions());
  const update = useMutation(trpc.strategies.update.mutationOptions());
  const pending = create.isPending || update.isPending;
  const prefix = editing ? `edit-${editing.id}` : "strategy";
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const [created, setCreated] = useState<{ id: string; webhookPath: string } | null>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const symbols = String(data.get("allowedSymbols") ?? "").split(",").map((x) => x.trim()).filter(Boolean);
    setErrors({});
    setFormError(null);
    setNotice("");
    setCreated(null);
    const values = {
      name: String(data.get("name") ?? ""),
      description: String(data.get("description") ?? ""),
      allowedSymbols: symbols,
      marketType: String(data.get("marketType")) as "SPOT",
      defaultOrderType: String(data.get("defaultOrderType")) as "MARKET",
      cooldownSeconds: optionalNumber(data.get("cooldownSeconds")),
      maxPriceDeviationPct: optionalNumber(data.get("maxPriceDeviationPct")),
      rateLimitPerMinute: optionalNumber(data.get("rateLimitPerMinute")),
      allowedIps: data.get("tradingViewOnly") ? (ips.data ?? []) : [],
    };
    try {
      if (editing) {
        const saved = await update.mutateAsync({ id: editing.id, ...values });
        setNotice(`Saved “${saved.name}”.`);
        await qc.invalidateQueries({ queryKey: trpc.strategies.pathKey() });
        return;
      }
      const created = await create.mutateAsync(values);
      form.reset();
      setCreated({ id: created.id, webhookPath: created.webhookPath });
      setNotice(`Strategy “${created.name}” created. Copy its webhook URL below now: it is shown once.`);
      await qc.invalidateQueries({ queryKey: trpc.strategies.pathKey() });
    } catch (err) {
      const d = (err as { data?: { fieldErrors?: Errors | null } }).data;
      const fields = d?.fieldErrors && Object.keys(d.fieldErrors).length ? normalizeErrors(d.fieldErrors, symbols) : {};
      const unshown = Object.entries(fields).filter(([k]) => !SHOWN.includes(k)).map(([, v]) => v);
      setErrors(fields);
      setFormError(Object.keys(fields).length ? (unshown.length ? unshown.join(" ") : null) : (err as Error).message || "Something went wrong. Try again.");
    }
  }

  const describe = (f: string, hint = false) => {
    const ids = [errors[f] ? `${prefix}-${f}-error` : null, hint ? `${prefix}-${f}-hint` : null].filter(Boolean).join(" ");
    return { id: `${prefix}-${f}`, name: f, "aria-invalid": errors[f] ? true : undefined, "aria-describedby": ids || undefined, className: `${INPUT} ${errors[f] ? "border-red-500" : "border-slate-300"}` };
  };
  const field = (f: string, label: string, control: React.ReactNode, hint?: string) => (
    <div className="min-w-0 space-y-1">
      <label htmlFor={`${prefix}-${f}`} className="block text-sm font-medium text-slate-700">{label}</label>
      {control}
      {hint ? <p id={`${prefix}-${f}-hint`} className="text-xs text-slate-500">{hint}</p> : null}
      {errors[f] ? <p id={`${prefix}-${f}-error`} role="alert" className="text-sm text-red-600">{errors[f]}</p> : null}
    </div>
  );

  return (
    <section aria-labelledby={`${prefix}-title`} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id={`${prefix}-title`} className="text-lg font-semibold">{editing ? "Settings" : "New strategy"}</h2>
      <form onSubmit={onSubmit} noValidate aria-label={editing ? "Strategy settings" : "New strategy"} className="space-y-3">
        <FormError message={formError} />
        <div className="grid gap-3 sm:grid-cols-2">
          {field("name", "Name", <input {...describe("name")} type="text" maxLength={80} autoComplete="off" required defaultValue={editing?.name} />)}
          {field(
            "allowedSymbols",
            "Allowed symbols",
            <input {...describe("allowedSymbols", true)} type="text" autoComplete="off" spellCheck={false} placeholder="BTC/USDT, ETH/USDT" defaultValue={editing?.allowedSymbols.join(", ")} />,
            "Comma-separated, e.g. BTC/USDT, ETH/USDT.",
          )}
          {field(
            "marketType",
            "Market type",
            <select {...describe("marketType")} defaultValue={editing?.marketType ?? "SPOT"}>
              <option value="SPOT">Spot</option>
              <option value="LINEAR">Linear perpetual</option>
            </select>,
          )}
          {field(
            "defaultOrderType",
            "Default order type",
            <select {...describe("defaultOrderType")} defaultValue={editing?.defaultOrderType ?? "MARKET"}>
              <option value="MARKET">Market</option>
              <option value="LIMIT">Limit</option>
            </select>,
          )}
          {field(
            "cooldownSeconds",
            "Cooldown seconds",
            <input {...describe("cooldownSeconds", true)} type="number" inputMode="numeric" min={0} max={86400} step={1} defaultValue={editing?.cooldownSeconds ?? 0} />,
            "Alerts closer together than this are refused. 0: no cooldown.",
          )}
          {field(
            "maxPriceDeviationPct",
            "Max price deviation %",
            <input {...describe("maxPriceDeviationPct", true)} type="number" inputMode="decimal" min={0.1} max={50} step="any" defaultValue={editing?.maxPriceDeviationPct ?? 2} />,
            "Refuse alerts whose price is further than this from the market.",
          )}
          {field(
            "rateLimitPerMinute",
            "Alerts per minute at most",
            <input {...describe("rateLimitPerMinute", true)} type="number" inputMode="numeric" min={1} max={10000} step={1} defaultValue={editing?.rateLimitPerMinute ?? 120} />,
            "More alerts than this in a minute get 429.",
          )}
        </div>
        <div className="min-w-0">
          {field(
            "description",
            "Description (shown to subscribers)",
            <textarea {...describe("description", true)} rows={2} maxLength={500} defaultValue={editing?.description ?? ""} />,
            "Optional, up to 500 characters: what the strategy trades and how.",
          )}
        </div>
        <div className="space-y-1">
          <label className="flex items-start gap-2 text-sm font-medium text-slate-700">
            <input
              type="checkbox"
              name="tradingViewOnly"
              disabled={!ips.data}
              defaultChecked={Boolean(editing?.allowedIps.length)}
              aria-describedby={[`${prefix}-allowedIps-hint`, errors.allowedIps ? `${prefix}-allowedIps-error` : null].filter(Boolean).join(" ")}
              className="mt-0.5 h-4 w-4 rounded border-slate-300"
            />
            <span>Only accept TradingView&apos;s IPs</span>
          </label>
          <p id={`${prefix}-allowedIps-hint`} className="break-words pl-6 text-xs text-slate-500">
            {ips.data ? `Webhooks from other addresses are refused: ${ips.data.join(", ")}.` : ips.isError ? "Could not load TradingView's addresses." : "Loading TradingView's addresses…"}
          </p>
          {errors.allowedIps ? <p id={`${prefix}-allowedIps-error`} role="alert" className="pl-6 text-sm text-red-600">{errors.allowedIps}</p> : null}
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
            {editing ? (pending ? "Saving…" : "Save settings") : pending ? "Creating…" : "Create strategy"}
          </button>
          <p role="status" data-testid={editing ? "strategy-saved" : "strategy-created"} className="min-h-5 text-sm text-green-700">{notice}</p>
        </div>
      </form>
      {created ? <OneTimeWebhookUrl id={created.id} path={created.webhookPath} onDone={() => setCreated(null)} /> : null}
    </section>
  );
}
