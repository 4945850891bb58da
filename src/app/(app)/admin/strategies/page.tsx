import { requireAccount } from "~/trpc/server";
import { DeliveryLog } from "./_components/delivery-log";
import { WebhookBaseWarning } from "./_components/one-time-webhook-url";
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
      <WebhookBaseWarning />
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
      <section aria-labelledby="unknown-deliveries-title" className="min-w-0 space-y-3">
        <h2 id="unknown-deliveries-title" className="text-lg font-semibold">Calls to unknown webhook URLs</h2>
        <p className="text-sm text-slate-600">Refused calls no strategy could be tied to (a wrong, old or rotated token). Past a few per address and minute they are counted into one row.</p>
        <DeliveryLog strategyId={null} />
      </section>
    </div>
  );
}
