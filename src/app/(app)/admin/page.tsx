import { forbidden } from "next/navigation";
import { requireUser } from "~/server/auth/current-user";

export default async function AdminPage() {
  const user = await requireUser("/admin");
  if (user.role !== "ADMIN") forbidden();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Admin</h1>
      <p className="text-slate-600">Audit log, users, signals and metrics live here.</p>
    </div>
  );
}
