"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { FormError } from "~/components/field";
import { useTRPC } from "~/trpc/react";
import { useStepUp } from "../../_components/step-up";


const EXPIRY_CHOICES = [7, 30, 90, 365] as const;
const DEFAULT_DAYS = 90;

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });


import { TokenList } from "./api-token-list";

export function ApiTokensSection() {
  const headingId = useId();
  const [created, setCreated] = useState<{ token: string; name: string; expiresAt: Date } | null>(null);
  return (
    <section aria-labelledby={headingId} className="space-y-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="space-y-1">
        <h2 id={headingId} className="text-lg font-semibold">
          API tokens
        </h2>
        <p className="text-sm text-slate-600">
          Tokens let your own scripts call the KeyRelay API as you. Send one as{" "}
          <code className="rounded bg-slate-100 px-1 py-0.5 text-xs">Authorization: Bearer &lt;token&gt;</code>.
        </p>
      </div>
      {created ? <NewToken created={created} onDone={() => setCreated(null)} /> : <CreateTokenForm onCreated={setCreated} />}
      <TokenList />
    </section>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (t: { token: string; name: string; expiresAt: Date }) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.tokens.create.mutationOptions());
  const withStepUp = useStepUp();
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<string, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setFieldErrors({});
    setFormError(null);
    try {
      const input = { name: String(form.get("name") ?? ""), days: Number(form.get("days") ?? DEFAULT_DAYS) };
      const result = await withStepUp(() => create.mutateAsync(input));
      onCreated({ token: result.token, name: result.name, expiresAt: result.expiresAt });
      create.reset(); // the token lives only in the one piece of state that shows it
    } catch (err) {
      const data = (err as { data?: { fieldErrors?: Partial<Record<string, string>> | null } }).data;
      if (data?.fieldErrors) setFieldErrors(data.fieldErrors);
      else setFormError((err as Error).message || "Something went wrong. Try again.");
    } finally {
      await queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Create an API token" className="space-y-3">
      <FormError message={formError} />
      <div className="grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-end">
        <div className="space-y-1">
          <label htmlFor="token-name" className="block text-sm font-medium text-slate-700">
            Token name
          </label>
          <input
            id="token-name"
            name="name"
            type="text"
            required
            maxLength={60}
            autoComplete="off"
            placeholder="e.g. backtest script"
            aria-invalid={fieldErrors.name ? true : undefined}
            aria-describedby={fieldErrors.name ? "token-name-error" : undefined}
            className={`block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500 ${
              fieldErrors.name ? "border-red-500" : "border-slate-300"
            }`}
          />
        </div>
        <div className="space-y-1">
          <label htmlFor="token-days" className="block text-sm font-medium text-slate-700">
            Expires after
          </label>
          <select
            id="token-days"
            name="days"
            defaultValue={DEFAULT_DAYS}
            aria-invalid={fieldErrors.days ? true : undefined}
            aria-describedby={fieldErrors.days ? "token-days-error" : undefined}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500"
          >
            {EXPIRY_CHOICES.map((d) => (
              <option key={d} value={d}>
                {d} days
              </option>
            ))}
          </select>
        </div>
        <button
          type="submit"
          disabled={create.isPending}
          className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
        >
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </div>
      {fieldErrors.name ? (
        <p id="token-name-error" role="alert" className="text-sm text-red-600">
          {fieldErrors.name}
        </p>
      ) : null}
      {fieldErrors.days ? (
        <p id="token-days-error" role="alert" className="text-sm text-red-600">
          {fieldErrors.days}
        </p>
      ) : null}
    </form>
  );
}

function NewToken({ created, onDone }: { created: { token: string; name: string; expiresAt: Date }; onDone: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  async function copy() {
    inputRef.current?.select();
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <div role="status" className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid="new-api-token">
      <p id="new-token-warning" className="text-sm font-medium text-amber-900">
        Copy your new token “{created.name}” now. It will not be shown again. It expires on {dateFmt.format(created.expiresAt)}.
      </p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <label htmlFor="new-token-value" className="sr-only">
          New API token
        </label>
        <input
          ref={inputRef}
          id="new-token-value"
          type="text"
          readOnly
          value={created.token}
          autoComplete="off"
          spellCheck={false}
          autoFocus
          aria-describedby="new-token-warning"
          onFocus={(e) => e.currentTarget.select()}
          className="block w-full min-w-0 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500"
        />
        <div className="flex gap-2">
          <button
            type="button"
            onClick={copy}
            className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700"
          >
            Copy
          </button>
          <button
            type="button"
            onClick={onDone}
            className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-700 hover:bg-slate-50"
          >
            Done
          </button>
        </div>
      </div>
      <p aria-live="polite" className="text-xs text-slate-600">
        {copied === "yes" ? "Copied to the clipboard." : copied === "failed" ? "Could not copy: select the token and copy it by hand." : ""}
      </p>
    </div>
  );
}
