import { Suspense } from "react";
import { requireAccount } from "~/trpc/server";
import { AuditLog } from "./_components/audit-log";

export default async function AdminAuditPage() {
  await requireAccount("/admin/audit", "admin");
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
