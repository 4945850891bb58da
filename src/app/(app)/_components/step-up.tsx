"use client";

/**
 * Step-up in the browser: wrap a money-moving call in withStepUp(() => mutation.mutateAsync(...)).
 * When the server answers STEP_UP_REQUIRED (no password or 2FA code entered in the last 5 minutes),
 * a dialog asks for one, confirms it with account.stepUp, and the call is retried once. Cancelling
 * rejects with the server's own message.
 */
import { useMutation } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useRef, useState } from "react";
import { FormError } from "~/components/field";
import { useTRPC } from "~/trpc/react";

type WithStepUp = <T>(run: () => Promise<T>) => Promise<T>;

const StepUpContext = createContext<WithStepUp | null>(null);

export function isStepUpError(err: unknown): boolean {
  return (err as { data?: { appCode?: string | null } } | null)?.data?.appCode === "STEP_UP_REQUIRED";
}

export function useStepUp(): WithStepUp {
  const ctx = useContext(StepUpContext);
  if (!ctx) throw new Error("useStepUp needs a StepUpProvider (the signed-in app shell has one)");
  return ctx;
}

export function StepUpProvider({ children }: { children: React.ReactNode }) {
  const trpc = useTRPC();
  const stepUp = useMutation(trpc.account.stepUp.mutationOptions());
  const dialog = useRef<HTMLDialogElement>(null);
  const pending = useRef<{ confirmed: () => void; cancelled: () => void } | null>(null);
  const [useCode, setUseCode] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const ask = useCallback(
    () =>
      new Promise<boolean>((resolve) => {
        pending.current = { confirmed: () => resolve(true), cancelled: () => resolve(false) };
        setError(null);
        setUseCode(false);
        dialog.current?.showModal();
      }),
    [],
  );

  const withStepUp = useCallback<WithStepUp>(
    async (run) => {
      try {
        return await run();
      } catch (err) {
        if (!isStepUpError(err)) throw err;
        if (!(await ask())) throw err;
        return run();
      }
    },
    [ask],
  );

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const value = String(form.get(useCode ? "code" : "password") ?? "");
    setError(null);
    try {
      await stepUp.mutateAsync(useCode ? { code: value } : { password: value });
      const p = pending.current;
      pending.current = null;
      formEl.reset();
      dialog.current?.close();
      p?.confirmed();
    } catch (err) {
      setError((err as Error).message || "That did not work. Try again.");
    }
  }

  function onClose() {
    // Escape, Cancel, or closed after confirming (then pending is already cleared).
    const p = pending.current;
    pending.current = null;
    p?.cancelled();
  }

  const input = "block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500";
  return (
    <StepUpContext.Provider value={withStepUp}>
      {children}
      <dialog ref={dialog} onClose={onClose} aria-labelledby="step-up-title" aria-describedby="step-up-desc" className="m-auto w-[min(26rem,calc(100vw-2rem))] rounded-xl p-0 shadow-xl backdrop:bg-slate-900/40">
        <form onSubmit={onSubmit} noValidate className="space-y-4 p-5">
          <h2 id="step-up-title" className="text-lg font-semibold">
            Confirm it&apos;s you
          </h2>
          <p id="step-up-desc" className="text-sm text-slate-600">
            This action can move money or change your account&apos;s security. Enter your {useCode ? "two-factor code" : "password"} to continue; you will not be asked again for 5 minutes.
          </p>
          <FormError message={error} />
          {useCode ? (
            <div className="space-y-1">
              <label htmlFor="step-up-code" className="block text-sm font-medium text-slate-700">
                Two-factor code
              </label>
              <input id="step-up-code" name="code" inputMode="numeric" autoComplete="one-time-code" autoFocus className={input} />
            </div>
          ) : (
            <div className="space-y-1">
              <label htmlFor="step-up-password" className="block text-sm font-medium text-slate-700">
                Password
              </label>
              <input id="step-up-password" name="password" type="password" autoComplete="current-password" autoFocus className={input} />
            </div>
          )}
          <button type="button" onClick={() => setUseCode(!useCode)} className="text-sm font-medium text-brand-600 hover:underline">
            {useCode ? "Use my password instead" : "Use a two-factor code instead"}
          </button>
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className="rounded-md border border-slate-300 px-4 py-2 text-sm font-semibold text-slate-700 hover:bg-slate-50">
              Cancel
            </button>
            <button type="submit" disabled={stepUp.isPending} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
              {stepUp.isPending ? "Checking…" : "Confirm"}
            </button>
          </div>
        </form>
      </dialog>
    </StepUpContext.Provider>
  );
}
