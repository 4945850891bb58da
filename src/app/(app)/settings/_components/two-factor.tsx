"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FormError } from "~/components/field";
import { useTRPC, type RouterOutputs } from "~/trpc/react";
import { resumeSession } from "../../_components/session-handoff";
import { useStepUp } from "../../_components/step-up";

type Setup = RouterOutputs["account"]["twoFactorSetup"];

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function TwoFactorSection({ requiredNotice }: { requiredNotice: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const withStepUp = useStepUp();
  const status = useQuery(trpc.account.twoFactorStatus.queryOptions());
  const setup = useMutation(trpc.account.twoFactorSetup.mutationOptions());
  const disable = useMutation(trpc.account.twoFactorDisable.mutationOptions());
  const regenerate = useMutation(trpc.account.regenerateRecoveryCodes.mutationOptions());
  const [pendingSetup, setPendingSetup] = useState<Setup | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.account.pathKey() });

  async function run(action: () => Promise<void>) {
    setError(null);
    try {
      await action();
    } catch (err) {
      setError((err as Error).message || "Something went wrong. Try again.");
    }
  }

  let body: React.ReactNode;
  if (codes) body = <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />;
  else if (pendingSetup)
    body = (
      <EnableForm
        setup={pendingSetup}
        onEnabled={async (recoveryCodes) => {
          setPendingSetup(null);
          setCodes(recoveryCodes);
          await refresh();
        }}
        onCancel={() => setPendingSetup(null)}
      />
    );
  else if (status.isPending) body = <p className="text-sm text-slate-500">Loading…</p>;
  else if (status.isError) body = <p role="alert" className="text-sm text-red-600">{status.error.message}</p>;
  else if (status.data.enabled)
    body = (
      <div className="space-y-3">
        <p data-testid="two-factor-status" className="text-sm">
          <span className="font-semibold text-green-700">On</span>
          {status.data.enabledAt ? ` since ${dateFmt.format(status.data.enabledAt)}` : ""}. {status.data.recoveryCodesLeft} unused recovery code{status.data.recoveryCodesLeft === 1 ? "" : "s"} left.
        </p>
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            disabled={regenerate.isPending}
            onClick={() => void run(async () => setCodes((await withStepUp(() => regenerate.mutateAsync())).recoveryCodes))}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60"
          >
            New recovery codes
          </button>
          <button
            type="button"
            disabled={disable.isPending}
            onClick={() =>
              void run(async () => {
                const r = await withStepUp(() => disable.mutateAsync());
                await resumeSession(r.handoff);
                await refresh();
              })
            }
            className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-60"
          >
            Turn off two-factor authentication
          </button>
        </div>
        {status.data.required ? <p className="text-xs text-slate-500">Your account requires two-factor authentication: while it is off, the parts that need it are closed to you.</p> : null}
      </div>
    );
  else
    body = (
      <div className="space-y-3">
        <p data-testid="two-factor-status" className="text-sm">
          <span className="font-semibold">Off.</span> Add a second step to signing in: a code from an authenticator app on your phone (Google Authenticator, 1Password, Aegis, …).
        </p>
        <button
          type="button"
          disabled={setup.isPending}
          onClick={() => void run(async () => setPendingSetup(await withStepUp(() => setup.mutateAsync())))}
          className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
        >
          Set up two-factor authentication
        </button>
      </div>
    );

  const required = status.data?.required && !status.data.enabled;
  return (
    <section id="two-factor" aria-labelledby="two-factor-title" className="scroll-mt-20 space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="two-factor-title" className="text-lg font-semibold">Two-factor authentication</h2>
      {required || requiredNotice ? (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Your account must use two-factor authentication{status.data?.enabled ? "" : ": set it up below to continue"}. Admins always need it to open the admin console.
        </p>
      ) : null}
      <FormError message={error} />
      {body}
    </section>
  );
}

function EnableForm({ setup, onEnabled, onCancel }: { setup: Setup; onEnabled: (codes: string[]) => Promise<void>; onCancel: () => void }) {
  const trpc = useTRPC();
  const withStepUp = useStepUp();
  const enable = useMutation(trpc.account.twoFactorEnable.mutationOptions());
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get("code") ?? "").trim();
    setError(null);
    try {
      const r = await withStepUp(() => enable.mutateAsync({ code }));
      await resumeSession(r.handoff);
      await onEnabled(r.recoveryCodes);
    } catch (err) {
      setError((err as Error).message || "Something went wrong. Try again.");
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Turn on two-factor authentication" className="space-y-4">
      <ol className="list-decimal space-y-3 pl-5 text-sm text-slate-700">
        <li>
          Scan this QR code with your authenticator app.
          {/* A data: URL made on the server from the otpauth:// URI; next/image would add nothing here. */}
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={setup.qrCodeDataUrl} alt="QR code to add KeyRelay to your authenticator app" width={220} height={220} className="mt-2 rounded border border-slate-200" />
        </li>
        <li>
          Or type this key into the app by hand:{" "}
          <code data-testid="totp-secret" className="break-all rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">
            {setup.secret}
          </code>
        </li>
        <li>Enter the 6-digit code the app shows to turn two-factor authentication on.</li>
      </ol>
      <FormError message={error} />
      <div className="max-w-xs space-y-1">
        <label htmlFor="totp-code" className="block text-sm font-medium text-slate-700">
          Code from the app
        </label>
        <input id="totp-code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={8} className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500" />
      </div>
      <div className="flex gap-2">
        <button type="submit" disabled={enable.isPending} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
          {enable.isPending ? "Checking…" : "Turn on"}
        </button>
        <button type="button" onClick={onCancel} className="rounded-md border border-slate-300 px-4 py-2 text-sm font-medium hover:bg-slate-100">
          Cancel
        </button>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div role="status" className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-4">
      <p className="text-sm font-medium text-amber-900">
        Two-factor authentication is on. Save these recovery codes somewhere safe, apart from your phone: each one signs you in once if you lose the phone. They will not be shown again.
      </p>
      <ul aria-label="Recovery codes" className="grid grid-cols-1 gap-1 font-mono text-sm sm:grid-cols-2">
        {codes.map((c) => (
          <li key={c} data-testid="recovery-code">
            {c}
          </li>
        ))}
      </ul>
      <button type="button" onClick={onDone} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
        I have saved these codes
      </button>
    </div>
  );
}
