import { requireAccount } from "~/trpc/server";
import { UsersList } from "./_components/users-list";

export default async function AdminUsersPage() {
  await requireAccount("/admin/users", "admin");
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Users</h1>
        <p className="text-sm text-slate-600">Every account, newest first: tier, trading mode, exchange keys and last activity. Tier changes and disabling are audited.</p>
      </div>
      <UsersList />
    </div>
  );
}
