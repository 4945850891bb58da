import { ResetPasswordForm } from "./reset-password-form";

export default function ResetPasswordPage() {
  return (
    <>
      <h1 className="text-2xl font-semibold">Choose a new password</h1>
      <p className="text-sm text-slate-600">Setting a new password signs you out on every device.</p>
      <ResetPasswordForm />
    </>
  );
}
