"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { useTRPC } from "~/trpc/react";

const SCORES = Array.from({ length: 11 }, (_, i) => i);
const MAX_COMMENT = 1000;
const THANKS_MS = 2500;

/**
 * The satisfaction question (server/satisfaction decides when it is due). A card in the bottom
 * corner on a desktop and a bottom sheet on a phone: never a modal, never over the navigation
 * (the header is at the top). "Not now" dismisses it for a month, as an answer does.
 */
export function SatisfactionPrompt() {
  const trpc = useTRPC();
  const id = useId();
  const prompt = useQuery({ ...trpc.satisfaction.prompt.queryOptions(), staleTime: Infinity, refetchOnWindowFocus: false, retry: false });
  const send = useMutation(trpc.satisfaction.answer.mutationOptions());
  const dismiss = useMutation(trpc.satisfaction.dismiss.mutationOptions());
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [state, setState] = useState<"asking" | "thanks" | "closed">("asking");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (state !== "thanks") return;
    const timer = setTimeout(() => setState("closed"), THANKS_MS);
    return () => clearTimeout(timer);
  }, [state]);

  if (!prompt.data?.show || state === "closed") return null;

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    if (score === null) return setError("Pick a score from 0 to 10.");
    setError(null);
    try {
      await send.mutateAsync({ score, comment: comment.trim() || undefined });
      setState("thanks");
    } catch (err) {
      const data = (err as { data?: { fieldErrors?: Partial<Record<string, string>> | null } }).data;
      setError(data?.fieldErrors?.score ?? data?.fieldErrors?.comment ?? (err instanceof Error ? err.message : "Could not send your answer."));
    }
  }

  function onNotNow() {
    setState("closed");
    dismiss.mutate();
  }

  return (
    <aside
      aria-labelledby={`${id}-title`}
      data-testid="satisfaction-prompt"
      className="fixed inset-x-0 bottom-0 z-30 max-h-[70vh] overflow-y-auto rounded-t-xl border border-slate-200 bg-white p-4 shadow-lg sm:inset-x-auto sm:bottom-4 sm:right-4 sm:w-[26rem] sm:rounded-xl"
    >
      {state === "thanks" ? (
        <p role="status" className="text-sm font-medium text-slate-800">
          Thanks! Your answer helps us improve KeyRelay.
        </p>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <fieldset>
            <legend id={`${id}-title`} className="text-sm font-semibold text-slate-900">
              How likely are you to recommend KeyRelay to a fellow trader?
            </legend>
            <div role="radiogroup" aria-labelledby={`${id}-title`} className="mt-3 grid grid-cols-11 gap-1">
              {SCORES.map((n) => (
                <label key={n} className="relative">
                  <input
                    type="radio"
                    name={`${id}-score`}
                    value={n}
                    checked={score === n}
                    onChange={() => setScore(n)}
                    className="peer absolute inset-0 h-full w-full cursor-pointer opacity-0"
                  />
                  <span className="flex h-8 cursor-pointer items-center justify-center rounded-md border border-slate-300 text-sm tabular-nums text-slate-700 hover:bg-slate-100 peer-checked:border-brand-600 peer-checked:bg-brand-600 peer-checked:text-white peer-focus-visible:ring-2 peer-focus-visible:ring-brand-500">
                    {n}
                    {n === 0 ? <span className="sr-only"> (not at all likely)</span> : n === 10 ? <span className="sr-only"> (extremely likely)</span> : null}
                  </span>
                </label>
              ))}
            </div>
            <div aria-hidden="true" className="mt-1 flex justify-between text-xs text-slate-500">
              <span>Not at all likely</span>
              <span>Extremely likely</span>
            </div>
          </fieldset>
          {score !== null ? (
            <label className="mt-3 block text-sm text-slate-700">
              What is the main reason for your score? (optional)
              <textarea
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                maxLength={MAX_COMMENT}
                rows={2}
                className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
              />
            </label>
          ) : null}
          {error ? (
            <p role="alert" data-testid="satisfaction-error" className="mt-2 text-sm text-red-700">
              {error}
            </p>
          ) : null}
          <div className="mt-3 flex items-center justify-end gap-2">
            <button type="button" onClick={onNotNow} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100">
              Not now
            </button>
            <button
              type="submit"
              disabled={send.isPending}
              className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
            >
              Send
            </button>
          </div>
        </form>
      )}
    </aside>
  );
}
