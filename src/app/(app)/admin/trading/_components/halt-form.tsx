"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { EXCHANGE_LABELS, HALT_CONFIRM_WORD, HALT_EXCHANGES, type HaltExchange, type HaltScope } from "~/server/halts/halt-rules";
import { useTRPC } from "~/trpc/react";

type Field = "scope" | "exchange" | "strategyId" | "reason" | "confirm";
type Errors = Partial<Record<Field | "_", string>>;

const INPUT = "mt-1 block w-full rounded-md border px-3 py-2 text-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
const SCOPES: { value: HaltScope; label: string }[] = [
  { value: "ALL", label: "The whole platform" },
  { value: "EXCHANGE", label: "One exchange" },
  { value: "STRATEGY", label: "One strategy" },
];

/** Halt live trading: what, why, and HALT typed to confirm. Errors are shown under their field. */
export function HaltForm() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const strategies = useQuery(trpc.strategies.list.queryOptions());
  const halt = useMutation(trpc.halts.halt.mutationOptions());
  const [scope, setScope] = useState<HaltScope>("ALL");
  const [exchange, setExchange] = useState<HaltExchange | "">("");
  const [strategyId, setStrategyId] = useState("");
  const [reason, setReason] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState<string | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setErrors({});
    setDone(null);
    try {
      const r = await halt.mutateAsync({ scope, exchange: scope === "EXCHANGE" ? exchange || null : null, strategyId: scope === "STRATEGY" ? strategyId || null : null, reason, confirm });
      setReason("");
      setConfirm("");
      setDone(`Live trading on ${r.target} is halted.`);
      await qc.invalidateQueries({ queryKey: trpc.halts.pathKey() });
    } catch (err) {
      const d = (err as { data?: { fieldErrors?: Errors | null } }).data;
      const fields = d?.fieldErrors ?? {};
      setErrors(Object.keys(fields).length ? fields : { _: (err as Error).message || "Could not halt trading." });
    }
  }

  const props = (f: Field) => ({
    id: `halt-${f}`,
    "aria-invalid": errors[f] ? true : undefined,
    "aria-describedby": errors[f] ? `halt-${f}-error` : undefined,
    className: `${INPUT} ${errors[f] ? "border-red-500" : "border-slate-300"}`,
  });
  const error = (f: Field) => (errors[f] ? <p id={`halt-${f}-error`} className="mt-1 text-sm text-red-700">{errors[f]}</p> : null);

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby="halt-title" className="space-y-4 rounded-xl border border-red-200 bg-white p-5 shadow-sm">
      <h2 id="halt-title" className="text-lg font-semibold text-red-800">Halt live trading</h2>
      <div className="grid gap-4 sm:grid-cols-2">
        <div>
          <label htmlFor="halt-scope" className="block text-sm font-medium">What to halt</label>
          <select {...props("scope")} value={scope} onChange={(e) => setScope(e.target.value as HaltScope)}>
            {SCOPES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
          </select>
          {error("scope")}
        </div>
        {scope === "EXCHANGE" ? (
          <div>
            <label htmlFor="halt-exchange" className="block text-sm font-medium">Exchange</label>
            <select {...props("exchange")} value={exchange} onChange={(e) => setExchange(e.target.value as HaltExchange | "")}>
              <option value="">Choose an exchange…</option>
              {HALT_EXCHANGES.map((x) => <option key={x} value={x}>{EXCHANGE_LABELS[x]}</option>)}
            </select>
            {error("exchange")}
          </div>
        ) : null}
        {scope === "STRATEGY" ? (
          <div>
            <label htmlFor="halt-strategyId" className="block text-sm font-medium">Strategy</label>
            <select {...props("strategyId")} value={strategyId} onChange={(e) => setStrategyId(e.target.value)}>
              <option value="">Choose a strategy…</option>
              {(strategies.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
            {error("strategyId")}
          </div>
        ) : null}
      </div>
      <div>
        <label htmlFor="halt-reason" className="block text-sm font-medium">Reason (users see it)</label>
        <input {...props("reason")} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={300} placeholder="e.g. Exchange incident, investigating" />
        {error("reason")}
      </div>
      <div>
        <label htmlFor="halt-confirm" className="block text-sm font-medium">Type {HALT_CONFIRM_WORD} to confirm</label>
        <input {...props("confirm")} value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" spellCheck={false} className={`${props("confirm").className} sm:max-w-48`} />
        {error("confirm")}
      </div>
      {errors._ ? <p role="alert" className="text-sm text-red-700">{errors._}</p> : null}
      {Object.keys(errors).length && !errors._ ? <p role="alert" className="text-sm text-red-700">Please fix the highlighted fields.</p> : null}
      {done ? <p role="status" className="text-sm text-green-700">{done}</p> : null}
      <button type="submit" disabled={halt.isPending} className="rounded-md bg-red-600 px-4 py-2 text-sm font-semibold text-white hover:bg-red-700 disabled:opacity-60">
        {halt.isPending ? "Halting…" : "Halt trading"}
      </button>
    </form>
  );
}
