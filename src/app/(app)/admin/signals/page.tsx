import { requireAccount } from "~/trpc/server";
import { SignalsTable } from "./_components/signals-table";

export default async function AdminSignalsPage() {
  await requireAccount("/admin/signals", "admin");
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Signals</h1>
        <p className="text-sm text-slate-600">The last 50 alerts, newest first. Open one to see every subscriber&apos;s order.</p>
      </div>
      <SignalsTable />
    </div>
  );
}
