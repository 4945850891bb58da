import { requireAccount } from "~/trpc/server";
import { DevMailbox } from "./_components/dev-mailbox";

export default async function AdminMailboxPage() {
  await requireAccount("/admin/mailbox", "admin");
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold">Mailbox <span className="align-middle text-sm font-medium text-amber-700">(development only)</span></h1>
        <p className="text-sm text-slate-600">
          With no SMTP server configured (SMTP_URL or SMTP_HOST), <code>npm run dev</code> keeps outgoing email here instead of sending it: verification and password reset links, and security notices. Production never keeps mail here: configure SMTP.
        </p>
      </div>
      <DevMailbox />
    </div>
  );
}
