"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Field, FormError } from "~/components/field";
import { useTRPC } from "~/trpc/react";
import { resumeSession } from "../../_components/session-handoff";

export function ChangePasswordSection() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const change = useMutation(trpc.account.changePassword.mutationOptions());
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const newPassword = String(form.get("newPassword") ?? "");
    setErrors({});
    setFormError(null);
    setDone(null);
    if (newPassword !== String(form.get("confirmPassword") ?? "")) {
      setErrors({ confirmPassword: "The two new passwords are different: type the same one twice." });
      return;
    }
    try {
      const r = await change.mutateAsync({ currentPassword: String(form.get("currentPassword") ?? ""), newPassword });
      formEl.reset();
      await resumeSession(r.handoff);
      setDone(r.otherSessionsSignedOut ? `Password changed. ${r.otherSessionsSignedOut} other session${r.otherSessionsSignedOut === 1 ? " was" : "s were"} signed out.` : "Password changed.");
      await qc.invalidateQueries({ queryKey: trpc.account.sessions.queryKey() });
    } catch (err) {
      const data = (err as { data?: { fieldErrors?: Partial<Record<string, string>> | null } }).data;
      if (data?.fieldErrors && Object.keys(data.fieldErrors).length) setErrors(data.fieldErrors);
      else setFormError((err as Error).message || "Something went wrong. Try again.");
    }
  }

  return (
    <section aria-labelledby="password-title" className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="space-y-1">
        <h2 id="password-title" className="text-lg font-semibold">Password</h2>
        <p className="text-sm text-slate-600">Changing your password signs out every other session (and any copy of this one).</p>
      </div>
      <form onSubmit={onSubmit} noValidate aria-label="Change password" className="max-w-md space-y-3">
        <FormError message={formError} />
        <Field id="currentPassword" label="Current password" type="password" autoComplete="current-password" error={errors.currentPassword} required />
        <Field id="newPassword" label="New password" type="password" autoComplete="new-password" hint="At least 12 characters. Three or four unrelated words make a strong password." error={errors.newPassword} required />
        <Field id="confirmPassword" label="Repeat the new password" type="password" autoComplete="new-password" error={errors.confirmPassword} required />
        <button type="submit" disabled={change.isPending} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
          {change.isPending ? "Changing…" : "Change password"}
        </button>
        {done ? <p role="status" className="text-sm text-green-700">{done}</p> : null}
      </form>
    </section>
  );
}
