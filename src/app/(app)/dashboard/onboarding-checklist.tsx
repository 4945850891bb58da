import Link from "next/link";
import type { RouterOutputs } from "~/trpc/react";

type Overview = RouterOutputs["dashboard"]["overview"];

const STEPS = {
  KEY: { title: "Connect an exchange key", todo: "Paste a Binance or Bybit API key; it is verified at once.", done: "An exchange key is connected and ACTIVE.", href: "/keys", action: "Connect a key" },
  MODE: { title: "Pick a trading mode", todo: "Paper simulates every order; Personal (live) trades on your own keys.", done: "Signals are traded for you.", href: "/settings#mode-title", action: "Pick a mode" },
  SUBSCRIBE: { title: "Subscribe to a strategy", todo: "Choose a strategy and how much each signal trades.", done: "You follow a strategy.", href: "/signals", action: "Subscribe" },
  FIRST_ORDER: { title: "Your first order", todo: "It appears when a strategy you follow sends its next alert.", done: "An order was placed for you.", href: "/signals#orders-title", action: "See your orders" },
} as const;

/** Connect a key -> pick a mode -> subscribe -> first order: each step done, or a link to do it. */
export function OnboardingChecklist({ data }: { data: Overview }) {
  const done = data.checklist.filter((s) => s.done).length;
  const total = data.checklist.length;
  const next = data.checklist.find((s) => !s.done)?.step;
  return (
    <section aria-labelledby="checklist-title" data-testid="checklist" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="checklist-title" className="text-lg font-semibold">Getting started</h2>
        <p data-testid="checklist-progress" className="text-sm text-slate-600">
          {done} of {total} done
        </p>
      </div>
      <ol className="space-y-2">
        {data.checklist.map((s, i) => {
          const step = STEPS[s.step];
          const text = s.step === "FIRST_ORDER" && s.done && data.firstOrderPaper ? "A paper order was placed for you." : s.done ? step.done : step.todo;
          return (
            <li key={s.step} data-testid="checklist-step" data-step={s.step} data-done={s.done} className="flex items-start gap-3 rounded-lg border border-slate-100 p-3">
              <span
                aria-hidden="true"
                className={`mt-0.5 flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-xs font-bold ${s.done ? "bg-green-700 text-white" : "border border-slate-400 text-slate-700"}`}
              >
                {s.done ? "✓" : i + 1}
              </span>
              <div className="min-w-0 flex-1">
                <p className="font-medium">
                  {step.title}
                  <span className="sr-only">{s.done ? " (done)" : " (to do)"}</span>
                </p>
                <p className="text-sm text-slate-600">{text}</p>
              </div>
              {s.done ? (
                <span className="text-sm font-medium text-green-800">Done</span>
              ) : (
                <Link
                  href={step.href}
                  className={`shrink-0 rounded-md px-3 py-1.5 text-sm font-medium ${s.step === next ? "bg-brand-600 text-white hover:bg-brand-700" : "border border-slate-300 text-slate-800 hover:bg-slate-100"}`}
                >
                  {step.action}
                </Link>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
