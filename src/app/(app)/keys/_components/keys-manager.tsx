"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { type RouterOutputs, useTRPC } from "~/trpc/react";
import { PermissionChips, StatusBadge } from "./key-badges";
import { IpGuidance } from "./ip-guidance";
import { KeyHealthRows } from "./key-health-rows";
import { useStepUp } from "../../_components/step-up";
import { KeyForm, type SaveResult } from "./key-form";
import { formatDateTime } from "~/components/time-format";
import { HelpLink } from "~/components/help-link";

type ExchangeStatus = RouterOutputs["keys"]["allStatus"]["exchanges"][number];
type KeyView = ExchangeStatus["keys"][number];

const NAMES = { BINANCE: "Binance", BYBIT: "Bybit" } as const;

export function KeysManager({ egressIps }: { egressIps: string[] }) {
  const trpc = useTRPC();
  const status = useQuery(trpc.keys.allStatus.queryOptions());
  if (status.isPending) return <p className="text-slate-500">Loading your keys…</p>;
  if (status.isError) return <p role="alert" className="text-red-600">{status.error.message}</p>;
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      {status.data.exchanges.map((ex) => (
        <ExchangeCard key={ex.exchange} status={ex} egressIps={egressIps} />
      ))}
    </div>
  );
}

function ExchangeCard({ status, egressIps }: { status: ExchangeStatus; egressIps: string[] }) {
  const name = NAMES[status.exchange];
  const [replacing, setReplacing] = useState(false);
  const [result, setResult] = useState<SaveResult | null>(null);
  const showForm = !status.connected || replacing;
  return (
    <section aria-labelledby={`${status.exchange}-title`} data-testid={`card-${status.exchange.toLowerCase()}`} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex items-center justify-between">
        <h2 id={`${status.exchange}-title`} className="text-lg font-semibold">{name}</h2>
        {status.connected ? <CardState keys={status.keys} /> : <span className="text-xs text-slate-500">Not connected</span>}
      </div>
      {result ? <ResultBanner result={result} onClose={() => setResult(null)} /> : null}
      {status.keys.map((k) => (
        <KeyDetails key={k.id} k={k} name={name} egressIps={egressIps} onReplace={() => setReplacing(true)} onResult={setResult} />
      ))}
      {showForm ? (
        <div className="space-y-3">
          <Instructions name={name} slug={`connect-${status.exchange.toLowerCase()}`} egressIps={egressIps} />
          <KeyForm
            exchange={status.exchange}
            label={name}
            onDone={(r) => {
              setReplacing(false);
              setResult(r);
            }}
            onCancel={replacing ? () => setReplacing(false) : undefined}
          />
        </div>
      ) : null}
    </section>
  );
}

/** The key's real state in the card header (one badge per environment when there are several). */
function CardState({ keys }: { keys: KeyView[] }) {
  return (
    <span data-testid="card-status" className="flex flex-wrap items-center gap-1.5">
      {keys.map((k) => (
        <span key={k.id} className="inline-flex items-center gap-1">
          {keys.length > 1 ? <span className="text-xs text-slate-500">{k.environment}</span> : null}
          <StatusBadge status={k.status} testId="card-key-status" />
        </span>
      ))}
    </span>
  );
}

function Instructions({ name, slug, egressIps }: { name: string; slug: string; egressIps: string[] }) {
  return (
    <div className="rounded-md bg-slate-50 p-3 text-sm text-slate-700">
      <p className="font-medium">Create a key in {name}&apos;s API management:</p>
      <ol className="mt-1 list-decimal space-y-0.5 pl-5">
        <li>Enable reading and trading (spot and/or futures).</li>
        <li>Leave withdrawals <strong>disabled</strong>: keys that can withdraw are refused.</li>
        <li>
          Restrict the key to <IpGuidance egressIps={egressIps} />.
        </li>
      </ol>
      <p className="mt-1">
        <a href={`/help/${slug}`} data-testid="key-guide-link" className="font-medium text-brand-700 underline">Step-by-step guide for {name}</a>
      </p>
    </div>
  );
}

function ResultBanner({ result, onClose }: { result: SaveResult; onClose: () => void }) {
  const good = result.ok;
  return (
    <div role="status" data-testid="verify-result" className={`rounded-md border p-3 text-sm ${good ? "border-green-200 bg-green-50 text-green-800" : "border-amber-200 bg-amber-50 text-amber-900"}`}>
      <div className="flex justify-between gap-2">
        <p className="font-medium">{good ? "Key verified: ACTIVE." : `Key is ${result.status}.`}</p>
        <button type="button" onClick={onClose} aria-label="Dismiss" className="text-xs underline">Dismiss</button>
      </div>
      {result.message ? <p>{result.message}</p> : null}
      {result.warnings.map((w) => (
        <p key={w} className="mt-1 text-amber-800">Warning: {w}</p>
      ))}
    </div>
  );
}

function KeyDetails({ k, name, egressIps, onReplace, onResult }: { k: KeyView; name: string; egressIps: string[]; onReplace: () => void; onResult: (r: SaveResult) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const verify = useMutation(trpc.keys.verify.mutationOptions());
  const del = useMutation(trpc.keys.delete.mutationOptions());
  const withStepUp = useStepUp();
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.keys.pathKey() });

  return (
    <div data-testid={`key-${k.environment.toLowerCase()}`} className="space-y-3 rounded-lg border border-slate-100 p-4">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-slate-500">API key</dt>
        <dd className="font-mono" data-testid="masked-key">{k.apiKeyMasked}</dd>
        <dt className="text-slate-500">Environment</dt>
        <dd>{k.environment}{k.label ? ` · ${k.label}` : ""}</dd>
        <dt className="text-slate-500">Status</dt>
        <dd><StatusBadge status={k.status} /></dd>
        <dt className="text-slate-500">Permissions</dt>
        <dd><PermissionChips permissions={k.permissions} known={k.permissionsKnown} ipRestricted={k.permissionsKnown ? k.ipRestricted : undefined} /></dd>
        <KeyHealthRows k={k} exchangeName={name} egressIps={egressIps} />
        <dt className="text-slate-500">Last verified</dt>
        <dd>{k.lastVerifiedAt ? formatDateTime(k.lastVerifiedAt) : "never"}</dd>
        {k.lastError ? (
          <>
            <dt className="text-slate-500">Problem</dt>
            <dd className="text-red-700">
              <span data-testid="last-error">{k.lastError}</span>
              {k.lastErrorHelp ? (
                <>
                  {" "}
                  <HelpLink help={{ anchor: k.lastErrorHelp, title: "What this means and what to do" }} testId="last-error-help" label="What this means and what to do" />
                </>
              ) : null}
            </dd>
          </>
        ) : null}
      </dl>
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          disabled={verify.isPending}
          onClick={async () => {
            const r = await verify.mutateAsync({ exchange: k.exchange, environment: k.environment }).catch((e: Error) => ({ verification: { status: k.status, ok: false, message: e.message, warnings: [] } }));
            onResult(r.verification);
            await refresh();
          }}
          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60"
        >
          {verify.isPending ? "Verifying…" : "Verify"}
        </button>
        <button type="button" onClick={onReplace} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
          Replace
        </button>
        <button type="button" onClick={() => dialog.current?.showModal()} className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50">
          Delete
        </button>
      </div>
      <dialog ref={dialog} aria-labelledby={`del-${k.id}`} className="m-auto rounded-xl p-6 shadow-xl backdrop:bg-slate-900/40">
        <h3 id={`del-${k.id}`} className="text-lg font-semibold">Delete this {name} key?</h3>
        <p className="mt-2 text-sm text-slate-600">Signals will stop trading on this {name} account until you connect a key again.</p>
        {deleteError ? <p role="alert" className="mt-2 text-sm text-red-700">{deleteError}</p> : null}
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" onClick={() => dialog.current?.close()} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">Cancel</button>
          <button
            type="button"
            onClick={async () => {
              setDeleteError(null);
              try {
                await withStepUp(() => del.mutateAsync({ exchange: k.exchange, environment: k.environment }));
                dialog.current?.close();
                await refresh();
              } catch (err) {
                setDeleteError((err as Error).message);
              }
            }}
            className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700"
          >
            Delete key
          </button>
        </div>
      </dialog>
    </div>
  );
}
