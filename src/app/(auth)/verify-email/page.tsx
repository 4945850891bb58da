import { VerifyEmailForm } from "./verify-email-form";

export default function VerifyEmailPage() {
  return (
    <>
      <h1 className="text-2xl font-semibold">Confirm your email</h1>
      <VerifyEmailForm />
    </>
  );
}
