import { forbidden } from "next/navigation";
import { requireUser } from "~/server/auth/current-user";
import { UsersList } from "./_components/users-list";

export default async function AdminUsersPage() {
  const user = await requireUser("/admin/users");
  if (user.role !== "ADMIN") forbidden();
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
