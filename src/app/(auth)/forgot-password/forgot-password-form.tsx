"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/field";
import { useTRPC } from "~/trpc/react";

export function ForgotPasswordForm() {
  const trpc = useTRPC();
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get("email") ?? "").trim();
    setFieldError(null);
    setFormError(null);
    try {
      await request.mutateAsync({ email });
      setSentTo(email);
    } catch (err) {
      const data = (err as { data?: { fieldErrors?: Partial<Record<string, string>> | null } }).data;
      if (data?.fieldErrors?.email) setFieldError(data.fieldErrors.email);
      else setFormError((err as Error).message || "Something went wrong. Try again.");
    }
  }

  if (sentTo) {
    return (
      <div role="status" data-testid="check-email" className="space-y-2 rounded-lg border border-green-200 bg-green-50 p-4 text-sm text-green-900">
        <p className="font-semibold">Check your email</p>
        <p>
          If an account exists for <strong>{sentTo}</strong>, we sent it a link to choose a new password. The link works once, for 30 minutes.
        </p>
      </div>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormError message={formError} />
      <Field id="email" label="Email" type="email" autoComplete="email" error={fieldError} required />
      <SubmitButton pending={request.isPending}>Send reset link</SubmitButton>
    </form>
  );
}
