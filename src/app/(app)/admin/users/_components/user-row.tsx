"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { CellLabel, RT } from "~/components/responsive-table";
import { useTRPC } from "~/trpc/react";
import { type AdminUser, BUTTON, INPUT, KeyStatus, TIERS, fmtDate, fmtDateTime, fromDateInput, inDays, toDateInput } from "./user-format";

type Tier = (typeof TIERS)[number];

/** One account: what it is, plus tier change, the live beta list and disable/enable (disable asks first). */
export function UserRow({ user: u }: { user: AdminUser }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const setTier = useMutation(trpc.admin.setTier.mutationOptions());
  const setDisabled = useMutation(trpc.admin.setDisabled.mutationOptions());
  const setAccess = useMutation(trpc.cohorts.setUserAccess.mutationOptions());
  const [tier, setTierValue] = useState<Tier>(u.tier);
  const [trialEnd, setTrialEnd] = useState(u.trialEndsAt ? toDateInput(u.trialEndsAt) : "");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.admin.users.pathKey() });
  const id = `user-${u.id}`;

  async function saveTier() {
    setMessage(null);
    try {
      await setTier.mutateAsync({ userId: u.id, tier, trialEndsAt: tier === "TRIAL" ? fromDateInput(trialEnd) : null });
      await refresh();
      setMessage({ ok: true, text: "Tier saved." });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message || "Could not save the tier." });
    }
  }

  async function changeBeta(allowed: boolean) {
    setMessage(null);
    try {
      const r = await setAccess.mutateAsync({ userId: u.id, allowed });
      await refresh();
      setMessage({ ok: true, text: allowed ? "Added to the live trading beta list." : `Removed from the beta list${r.movedToPaper ? "; moved to PAPER (notified)" : ""}.` });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message || "Could not change the beta list." });
    }
  }

  async function changeDisabled(disabled: boolean) {
    setMessage(null);
    try {
      await setDisabled.mutateAsync({ userId: u.id, disabled });
      await refresh();
      setMessage({ ok: true, text: disabled ? "Account disabled." : "Account enabled." });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message || "Could not change the account." });
    } finally {
      dialog.current?.close();
    }
  }

  return (
    <tr data-testid="user-row" data-email={u.email} data-tier={u.tier} data-disabled={String(u.disabled)} data-live-access={String(u.liveAccess)} className={`${RT.row} ${u.disabled ? "bg-slate-50 text-slate-600" : ""}`}>
      <td className={`${RT.wideCell} max-sm:order-first`}>
        {/* Capped widths: a long email or name is cut with an ellipsis (full text on hover) instead of widening the table. */}
        <span className="block max-w-full truncate font-medium sm:max-w-56" title={u.email}>{u.email}</span>
        <span className="block max-w-full truncate text-xs text-slate-600 sm:max-w-56" title={u.name}>{u.name || "—"}</span>
        {u.role === "ADMIN" ? <span className="mt-0.5 inline-flex rounded-full bg-brand-50 px-2 py-0.5 text-xs font-semibold text-brand-700">{u.role}</span> : <span className="sr-only">{u.role}</span>}
      </td>
      <td className={RT.cell}>
        <CellLabel>Tier</CellLabel>
        <span data-testid="user-row-tier">
          {u.tier}
          {u.tier === "TRIAL" && u.trialEndsAt ? <span className="block text-xs text-slate-600">ends {fmtDate(u.trialEndsAt)}</span> : null}
        </span>
      </td>
      <td className={`${RT.cell} text-xs`}>
        <CellLabel>Trading</CellLabel>
        <span>
          <span className="block font-medium">{u.tradingMode}</span>
          <KeyStatus keys={u.keys} />
          <label className="mt-1 flex items-center gap-1.5 whitespace-nowrap">
            <input type="checkbox" checked={u.liveAccess} disabled={setAccess.isPending} onChange={(e) => void changeBeta(e.target.checked)} aria-label={`Live beta list: ${u.email}`} data-testid="user-row-beta" />
            Live beta list
          </label>
        </span>
      </td>
      <td className={`${RT.cell} tabular-nums text-slate-600 sm:whitespace-normal`}><CellLabel>Last activity</CellLabel>{fmtDateTime(u.lastActivityAt)}</td>
      <td className={RT.wideCell}>
        <CellLabel>Change tier</CellLabel>
        <div className="flex flex-wrap items-center gap-2 sm:w-56">
          <label htmlFor={`${id}-tier`} className="sr-only">{`Tier for ${u.email}`}</label>
          <select
            id={`${id}-tier`}
            value={tier}
            onChange={(e) => {
              const next = e.target.value as Tier;
              setTierValue(next);
              if (next === "TRIAL" && !trialEnd) setTrialEnd(inDays(14));
            }}
            className={INPUT}
          >
            {TIERS.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
          {tier === "TRIAL" ? (
            <>
              <label htmlFor={`${id}-trial`} className="sr-only">{`Trial ends for ${u.email}`}</label>
              <input id={`${id}-trial`} type="date" value={trialEnd} onChange={(e) => setTrialEnd(e.target.value)} className={INPUT} />
            </>
          ) : null}
          <button type="button" onClick={() => void saveTier()} disabled={setTier.isPending} className={BUTTON}>
            {setTier.isPending ? "Saving…" : "Save tier"}
          </button>
        </div>
        <p role={message?.ok === false ? "alert" : "status"} data-testid="user-row-message" className={`mt-1 min-h-4 whitespace-normal text-xs ${message?.ok === false ? "text-red-700" : "text-green-700"}`}>
          {message?.text ?? ""}
        </p>
      </td>
      <td className={RT.cell}>
        <CellLabel>Status</CellLabel>
        <div className="flex flex-wrap items-center gap-2 sm:flex-col sm:items-start">
          <span data-testid="user-row-status" className={`inline-flex rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${u.disabled ? "bg-red-100 text-red-900 ring-red-600/20" : "bg-green-100 text-green-900 ring-green-600/20"}`}>
            {u.disabled ? "Disabled" : "Active"}
          </span>
          {u.disabled ? (
            <button type="button" aria-label={`Enable ${u.email}`} onClick={() => void changeDisabled(false)} disabled={setDisabled.isPending} className={BUTTON}>
              Enable
            </button>
          ) : (
            <button type="button" aria-label={`Disable ${u.email}`} aria-haspopup="dialog" onClick={() => dialog.current?.showModal()} className={`${BUTTON} border-red-300 text-red-700 hover:bg-red-50`}>
              Disable
            </button>
          )}
        </div>
        <dialog ref={dialog} aria-labelledby={`${id}-disable-title`} aria-describedby={`${id}-disable-text`} className="m-auto w-[calc(100%-1.5rem)] max-w-md whitespace-normal rounded-xl p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/40">
          <h2 id={`${id}-disable-title`} className="break-words text-lg font-semibold">Disable {u.email}?</h2>
          <p id={`${id}-disable-text`} className="mt-2 text-sm text-slate-600">
            They can no longer sign in or use the API, and no orders are placed for them until you enable the account again.
          </p>
          <div className="mt-4 flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className={BUTTON}>
              Cancel
            </button>
            <button type="button" disabled={setDisabled.isPending} onClick={() => void changeDisabled(true)} className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700 disabled:opacity-60">
              {setDisabled.isPending ? "Disabling…" : "Yes, disable"}
            </button>
          </div>
        </dialog>
      </td>
    </tr>
  );
}
