import { requireAccount } from "~/trpc/server";
import { HaltForm } from "./_components/halt-form";
import { HaltList } from "./_components/halt-list";

export default async function AdminTradingPage() {
  await requireAccount("/admin/trading", "admin");
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Trading controls</h1>
        <p className="max-w-3xl text-sm text-slate-600">
          Halt live trading for the whole platform, one exchange or one strategy. While halted, signals are still received and recorded, but every live order
          they would place ends SKIPPED with your reason; paper trading and test alerts go on. Stop-losses and other protective orders already on the
          exchange stay in place and keep being maintained, and users can still close their own positions. Halting and resuming are audited and every
          admin is told.
        </p>
      </div>
      <HaltForm />
      <HaltList />
    </div>
  );
}
