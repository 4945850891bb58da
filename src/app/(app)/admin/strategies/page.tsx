import { requireAccount } from "~/trpc/server";
import { StrategyForm } from "./_components/strategy-form";
import { StrategyList } from "./_components/strategy-list";
import { StrategyTotals } from "./_components/strategy-totals";

export default async function AdminStrategiesPage() {
  await requireAccount("/admin/strategies", "admin");
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
      <section aria-labelledby="strategy-totals-title" className="space-y-3">
        <h2 id="strategy-totals-title" className="text-lg font-semibold">Totals per strategy</h2>
        <p className="text-sm text-slate-600">Across all subscribers, live and paper apart: orders sent, fills, traded volume and realized PnL (fees included) in the quote currency, mean slippage against the alerts&apos; prices (positive is worse for users), open positions.</p>
        <StrategyTotals />
      </section>
    </div>
  );
}
