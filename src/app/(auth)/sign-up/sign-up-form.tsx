"use client";

import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/field";
import { useTRPC } from "~/trpc/react";

export function SignUpForm() {
  const trpc = useTRPC();
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<string, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const input = {
      name: String(form.get("name") ?? ""),
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
    };
    setFieldErrors({});
    setFormError(null);
    try {
      await signUp.mutateAsync(input);
    } catch (err) {
      const data = (err as { data?: { fieldErrors?: Partial<Record<string, string>> | null } }).data;
      if (data?.fieldErrors) setFieldErrors(data.fieldErrors);
      else setFormError((err as Error).message || "Something went wrong. Try again.");
      return;
    }
    const res = await signIn("credentials", { email: input.email, password: input.password, redirect: false });
    window.location.assign(res && !res.error ? "/dashboard" : "/sign-in?registered=1");
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormError message={formError} />
      <Field id="name" label="Name" autoComplete="name" error={fieldErrors.name} required />
      <Field id="email" label="Email" type="email" autoComplete="email" error={fieldErrors.email} required />
      <Field
        id="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        hint="At least 10 characters."
        error={fieldErrors.password}
        required
      />
      <SubmitButton pending={signUp.isPending}>Create account</SubmitButton>
    </form>
  );
}
