import { MyExecutions } from "./_components/my-executions";
import { RejectedSignals } from "./_components/rejected-signals";
import { StrategySubscriptions } from "./_components/strategy-subscriptions";

export default function SignalsPage() {
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Signals</h1>
        <p className="text-sm text-slate-600">Follow a strategy and its TradingView alerts place orders on your own exchange account, sized your way.</p>
      </div>
      <section aria-labelledby="strategies-title" className="space-y-3">
        <h2 id="strategies-title" className="text-lg font-semibold">Strategies</h2>
        <StrategySubscriptions />
      </section>
      <section aria-labelledby="orders-title" className="space-y-3">
        <h2 id="orders-title" className="text-lg font-semibold">Your orders</h2>
        <MyExecutions />
      </section>
      <section aria-labelledby="rejected-title" className="space-y-3">
        <h2 id="rejected-title" className="text-lg font-semibold">Rejected signals</h2>
        <p className="text-sm text-slate-600">Alerts of the strategies you follow that no order was placed for, and why.</p>
        <RejectedSignals />
      </section>
    </div>
  );
}
