import { forbidden } from "next/navigation";
import { Suspense } from "react";
import { requireUser } from "~/server/auth/current-user";
import { AuditLog } from "./_components/audit-log";

export default async function AdminAuditPage() {
  const user = await requireUser("/admin/audit");
  if (user.role !== "ADMIN") forbidden();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Audit log</h1>
        <p className="text-sm text-slate-600">Every sign-in, key change, order decision and admin action, newest first. Each row is hash-chained to the one before it.</p>
      </div>
      <Suspense fallback={<p className="text-sm text-slate-500">Loading the audit log…</p>}>
        <AuditLog />
      </Suspense>
    </div>
  );
}
