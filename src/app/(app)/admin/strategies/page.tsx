import { forbidden } from "next/navigation";
import { requireUser } from "~/server/auth/current-user";
import { StrategyForm } from "./_components/strategy-form";
import { StrategyList } from "./_components/strategy-list";

export default async function AdminStrategiesPage() {
  const user = await requireUser("/admin/strategies");
  if (user.role !== "ADMIN") forbidden();
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Strategies</h1>
        <p className="text-sm text-slate-600">Each strategy has a secret webhook URL. Paste it and the alert message into a TradingView alert; subscribers then trade every alert on their own accounts.</p>
      </div>
      <StrategyForm />
      <section aria-labelledby="strategy-list-title" className="space-y-3">
        <h2 id="strategy-list-title" className="text-lg font-semibold">All strategies</h2>
        <StrategyList />
      </section>
    </div>
  );
}
