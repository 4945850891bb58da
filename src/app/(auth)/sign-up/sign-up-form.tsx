"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/field";
import { useTRPC } from "~/trpc/react";

export function SignUpForm() {
  const trpc = useTRPC();
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<string, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
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
      setSentTo(input.email.trim());
    } catch (err) {
      const data = (err as { data?: { fieldErrors?: Partial<Record<string, string>> | null } }).data;
      if (data?.fieldErrors) setFieldErrors(data.fieldErrors);
      else setFormError((err as Error).message || "Something went wrong. Try again.");
    }
  }

  if (sentTo) {
    // The same answer whether or not the address already had an account: its owner is emailed either way.
    return (
      <div role="status" data-testid="check-email" className="space-y-2 rounded-lg border border-green-200 bg-green-50 p-4 text-sm text-green-900">
        <p className="font-semibold">Check your email</p>
        <p>
          We sent a message to <strong>{sentTo}</strong>. Open the link in it and sign in to confirm your address. The link works for 24 hours.
        </p>
        <p className="text-green-800">Nothing arrived? Check your spam folder, or sign in: we send a new link if the address is not confirmed yet.</p>
      </div>
    );
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
        hint="At least 12 characters. Three or four unrelated words make a strong password."
        error={fieldErrors.password}
        required
      />
      <SubmitButton pending={signUp.isPending}>Create account</SubmitButton>
    </form>
  );
}
