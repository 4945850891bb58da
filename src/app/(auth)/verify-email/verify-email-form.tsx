"use client";

import Link from "next/link";
import { SignInForm } from "../sign-in/sign-in-form";
import { useLinkToken } from "../_components/use-link-token";

export function VerifyEmailForm() {
  const token = useLinkToken();
  if (token === undefined) return <p className="text-sm text-slate-500">Reading your link…</p>;
  if (token === null) {
    return (
      <p role="alert" className="text-sm text-red-700">
        This page needs the link from your email. Open it again from the message, or <Link href="/sign-in" className="font-medium text-brand-600 hover:underline">sign in</Link> to get a new one.
      </p>
    );
  }
  return (
    <>
      <p className="text-sm text-slate-600">Sign in with the password you chose to confirm that this address is yours.</p>
      <SignInForm callbackUrl="/dashboard" verifyToken={token} submitLabel="Confirm email and sign in" />
    </>
  );
}
