import Link from "next/link";
import { safeCallbackPath } from "~/server/auth/callback-url";
import { SignInForm } from "./sign-in-form";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; reset?: string }> }) {
  const { callbackUrl, reset } = await searchParams;
  return (
    <>
      <h1 className="text-2xl font-semibold">Sign in</h1>
      {reset ? (
        <p role="status" className="text-sm text-green-700">
          Your password was changed and every session was signed out. Sign in with your new password.
        </p>
      ) : null}
      <SignInForm callbackUrl={safeCallbackPath(callbackUrl)} />
      <p className="text-center text-sm text-slate-600">
        New here?{" "}
        <Link href="/sign-up" className="font-medium text-brand-600 hover:underline">
          Create an account
        </Link>
        {" · "}
        <Link href="/help" className="font-medium text-brand-600 hover:underline">
          Help
        </Link>
      </p>
    </>
  );
}
