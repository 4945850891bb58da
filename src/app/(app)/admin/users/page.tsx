import { requireAccount } from "~/trpc/server";
import { AccessRequests } from "./_components/access-requests";
import { CohortPanel } from "./_components/cohort-panel";
import { UsersList } from "./_components/users-list";

export default async function AdminUsersPage() {
  await requireAccount("/admin/users", "admin");
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Users</h1>
        <p className="text-sm text-slate-600">Every account, newest first: tier, trading mode, exchange keys and last activity. Tier changes, the live beta list and disabling are audited.</p>
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <CohortPanel />
        <AccessRequests />
      </div>
      <UsersList />
    </div>
  );
}
