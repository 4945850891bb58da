"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/field";
import { HelpLink } from "~/components/help-link";
import { anchorOf } from "~/server/error-catalogue/anchor";
import { SIGN_IN_ENTRIES } from "~/server/error-catalogue/account-errors";

/** next-auth's `error` for each refusal (src/server/auth/next-auth.ts SIGN_IN_ERRORS): its catalogue entry. */
function entryFor(error: string): (typeof SIGN_IN_ENTRIES)[keyof typeof SIGN_IN_ENTRIES] {
  if (error.startsWith("Too many two-factor")) return SIGN_IN_ENTRIES.second_factor_rate_limited;
  if (error.startsWith("Too many")) return SIGN_IN_ENTRIES.rate_limited;
  if (error === "EmailNotVerified") return SIGN_IN_ENTRIES.email_not_verified;
  if (error === "SecondFactorInvalid") return SIGN_IN_ENTRIES.second_factor_invalid;
  // Same words whether or not the email exists, so the form cannot be used to probe accounts.
  return SIGN_IN_ENTRIES.bad_credentials;
}

/** The words shown (the catalogue's; a "Too many" answer keeps its wait) and the entry's help link. */
function refusalFor(error: string, withLink: boolean): { message: string; help: { anchor: string; title: string } } {
  const entry = entryFor(error);
  const help = { anchor: anchorOf(entry.code), title: entry.title };
  if (error.startsWith("Too many")) return { message: error, help };
  if (entry === SIGN_IN_ENTRIES.email_not_verified && withLink) {
    return { message: "This confirmation link has expired or was already used. We have emailed you a new one.", help };
  }
  return { message: entry.message, help };
}

export function SignInForm({ callbackUrl, verifyToken, submitLabel = "Sign in" }: { callbackUrl: string; verifyToken?: string; submitLabel?: string }) {
  const [refusal, setRefusal] = useState<{ message: string; help: { anchor: string; title: string } } | null>(null);
  const error = refusal?.message ?? null;
  const [pending, setPending] = useState(false);
  // After a right password on an account with 2FA: the same email and password, plus a code.
  const [needsCode, setNeedsCode] = useState<{ email: string; password: string } | null>(null);

  async function attempt(credentials: { email: string; password: string; code?: string }) {
    setPending(true);
    setRefusal(null);
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
    setRefusal(refusalFor(code, Boolean(verifyToken)));
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
        <RefusalHelp refusal={refusal} />
        <p className="text-sm text-slate-600">Two-factor authentication is on for {needsCode.email}.</p>
        <Field
          id="code"
          label="Two-factor code"
          autoComplete="one-time-code"
          hint="The 6-digit code from your authenticator app, or one of your recovery codes."
          required
        />
        <SubmitButton pending={pending}>Verify and sign in</SubmitButton>
        <button type="button" onClick={() => { setNeedsCode(null); setRefusal(null); }} className="w-full text-center text-sm text-brand-600 hover:underline">
          Use another account
        </button>
      </form>
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormError message={error} />
      <RefusalHelp refusal={refusal} />
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

function RefusalHelp({ refusal }: { refusal: { help: { anchor: string; title: string } } | null }) {
  if (!refusal) return null;
  return (
    <p className="-mt-2 text-sm">
      <HelpLink help={refusal.help} label="What this means and what to do" />
    </p>
  );
}
