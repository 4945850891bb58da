"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/field";
import { useTRPC } from "~/trpc/react";
import { useLinkToken } from "../_components/use-link-token";

export function ResetPasswordForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const token = useLinkToken();
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions());
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get("password") ?? "");
    setErrors({});
    setFormError(null);
    if (password !== String(form.get("confirm") ?? "")) {
      setErrors({ confirm: "The two passwords are different: type the same new password twice." });
      return;
    }
    try {
      await reset.mutateAsync({ token: token ?? "", password });
      router.push("/sign-in?reset=1");
    } catch (err) {
      const data = (err as { data?: { fieldErrors?: Partial<Record<string, string>> | null } }).data;
      const fields = data?.fieldErrors ?? {};
      if (fields.password) setErrors({ password: fields.password });
      else setFormError(fields.token ?? ((err as Error).message || "Something went wrong. Try again."));
    }
  }

  if (token === undefined) return <p className="text-sm text-slate-500">Reading your link…</p>;
  if (token === null) {
    return (
      <p role="alert" className="text-sm text-red-700">
        This page needs the link from your email. <Link href="/forgot-password" className="font-medium text-brand-600 hover:underline">Ask for a new link</Link>.
      </p>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormError message={formError} />
      <Field
        id="password"
        label="New password"
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters. Three or four unrelated words make a strong password."
        error={errors.password}
        required
      />
      <Field id="confirm" label="Repeat the new password" type="password" autoComplete="new-password" error={errors.confirm} required />
      <SubmitButton pending={reset.isPending}>Set new password</SubmitButton>
    </form>
  );
}
