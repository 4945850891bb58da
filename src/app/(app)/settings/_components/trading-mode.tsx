"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/trpc/react";
import { useStepUp } from "../../_components/step-up";
import { GoLiveDialog } from "./go-live-dialog";
import { LiveAccessNotice } from "./live-access";

const MODES = [
  { value: "PERSONAL", title: "Personal (live)", text: "Signals place real orders on your own exchange accounts, with your own keys. Needs at least one ACTIVE key." },
  { value: "PAPER", title: "Paper", text: "Signals are simulated at the market price and recorded; nothing is sent to an exchange." },
  { value: "OFF", title: "Off", text: "No signals are traded for you." },
] as const;

export function TradingModeSection() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const me = useQuery(trpc.user.me.queryOptions());
  // Outside the live-trading cohort, Personal is shown unavailable, with the reason and a way to ask.
  const access = useQuery(trpc.cohorts.myAccess.queryOptions());
  const liveClosed = access.data?.allowed === false && me.data?.tradingMode !== "PERSONAL";
  const set = useMutation(trpc.keys.setTradingMode.mutationOptions());
  const withStepUp = useStepUp();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);

  function pick(mode: "PERSONAL" | "PAPER" | "OFF") {
    setMessage(null);
    // Going live is confirmed first, with what will trade; the radio stays on the current mode meanwhile.
    if (mode === "PERSONAL" && me.data?.tradingMode !== "PERSONAL") setConfirming(true);
    else void choose(mode);
  }

  function cancelLive() {
    setConfirming(false);
    if (me.data) setMessage({ ok: true, text: `Trading mode unchanged: ${me.data.tradingMode}.` });
  }

  async function choose(mode: "PERSONAL" | "PAPER" | "OFF") {
    setConfirming(false);
    setMessage(null);
    try {
      await withStepUp(() => set.mutateAsync({ mode }));
      await qc.invalidateQueries();
      setMessage({ ok: true, text: `Trading mode set to ${mode}.` });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    }
  }

  return (
    <section aria-labelledby="mode-title" className="space-y-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="mode-title" className="text-lg font-semibold">Trading mode</h2>
      <fieldset className="space-y-2" disabled={set.isPending || me.isPending}>
        <legend className="sr-only">Trading mode</legend>
        {MODES.map((m) => {
          const closed = m.value === "PERSONAL" && liveClosed;
          return (
            <div key={m.value} className={`space-y-2 rounded-lg border border-slate-200 p-3 has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50 ${closed ? "bg-slate-50" : ""}`}>
              <label className={`flex gap-3 ${closed ? "cursor-not-allowed text-slate-500" : "cursor-pointer"}`}>
                <input
                  type="radio"
                  name="mode"
                  value={m.value}
                  checked={me.data?.tradingMode === m.value}
                  onChange={() => pick(m.value)}
                  disabled={closed}
                  aria-describedby={closed ? "live-access" : undefined}
                  className="mt-1"
                />
                <span>
                  <span className="block font-medium">{m.title}</span>
                  <span className="block text-sm text-slate-600">{m.text}</span>
                </span>
              </label>
              {closed && access.data ? <LiveAccessNotice access={access.data} id="live-access" /> : null}
            </div>
          );
        })}
      </fieldset>
      {message ? (
        <p role={message.ok ? "status" : "alert"} data-testid="mode-message" className={`text-sm ${message.ok ? "text-green-700" : "text-red-700"}`}>
          {message.text}
        </p>
      ) : null}
      <GoLiveDialog open={confirming} onCancel={cancelLive} onConfirm={() => void choose("PERSONAL")} />
    </section>
  );
}
