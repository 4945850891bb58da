import { MyExecutions } from "./_components/my-executions";
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
    </div>
  );
}
