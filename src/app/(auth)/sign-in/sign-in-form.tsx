"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/field";

/** next-auth's `error` for each refusal (src/server/auth/next-auth.ts SIGN_IN_ERRORS), in words. */
function messageFor(error: string, withLink: boolean): string {
  if (error.startsWith("Too many")) return error;
  switch (error) {
    case "EmailNotVerified":
      return withLink
        ? "This confirmation link has expired or was already used. We have emailed you a new one."
        : "Confirm your email address first: we have emailed you a link. Open it to finish signing in.";
    case "SecondFactorInvalid":
      return "That code is not valid. Enter the current code from your authenticator app, or an unused recovery code.";
    default:
      // Same words whether or not the email exists, so the form cannot be used to probe accounts.
      return "Email or password is incorrect.";
  }
}

export function SignInForm({ callbackUrl, verifyToken, submitLabel = "Sign in" }: { callbackUrl: string; verifyToken?: string; submitLabel?: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // After a right password on an account with 2FA: the same email and password, plus a code.
  const [needsCode, setNeedsCode] = useState<{ email: string; password: string } | null>(null);

  async function attempt(credentials: { email: string; password: string; code?: string }) {
    setPending(true);
    setError(null);
    const res = await signIn("credentials", { ...credentials, verifyToken: verifyToken ?? "", redirect: false });
    if (res && !res.error) {
      // callbackUrl was made safe by the page (auth/callback-url.ts): a path on this site.
      window.location.assign(callbackUrl);
      return;
    }
    setPending(false);
    const code = res?.error ?? "CredentialsSignin";
    if (code === "SecondFactorRequired") {
      setNeedsCode({ email: credentials.email, password: credentials.password });
      return;
    }
    if (code === "CredentialsSignin") setNeedsCode(null);
    setError(messageFor(code, Boolean(verifyToken)));
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    if (needsCode) await attempt({ ...needsCode, code: String(form.get("code") ?? "").trim() });
    else await attempt({ email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") });
  }

  if (needsCode) {
    return (
      <form onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Two-factor authentication">
        <FormError message={error} />
        <p className="text-sm text-slate-600">Two-factor authentication is on for {needsCode.email}.</p>
        <Field
          id="code"
          label="Two-factor code"
          autoComplete="one-time-code"
          hint="The 6-digit code from your authenticator app, or one of your recovery codes."
          required
        />
        <SubmitButton pending={pending}>Verify and sign in</SubmitButton>
        <button type="button" onClick={() => { setNeedsCode(null); setError(null); }} className="w-full text-center text-sm text-brand-600 hover:underline">
          Use another account
        </button>
      </form>
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormError message={error} />
      <Field id="email" label="Email" type="email" autoComplete="email" required />
      <Field id="password" label="Password" type="password" autoComplete="current-password" required />
      <SubmitButton pending={pending}>{submitLabel}</SubmitButton>
      <p className="text-center text-sm">
        <Link href="/forgot-password" className="font-medium text-brand-600 hover:underline">
          Forgot your password?
        </Link>
      </p>
    </form>
  );
}
