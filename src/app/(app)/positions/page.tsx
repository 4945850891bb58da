import { OpenPositions } from "./_components/open-positions";
import { TradeHistory } from "./_components/trade-history";

export default function PositionsPage() {
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Positions</h1>
        <p className="text-sm text-slate-600">
          What each strategy you follow holds on your account (or paper book), what it cost and how it is doing. PnL is in the quote currency, every fee included.
        </p>
      </div>
      <section aria-labelledby="open-positions-title" className="space-y-3">
        <h2 id="open-positions-title" className="text-lg font-semibold">Open positions</h2>
        <OpenPositions />
      </section>
      <section aria-labelledby="trade-history-title" className="space-y-3">
        <h2 id="trade-history-title" className="text-lg font-semibold">Trade history</h2>
        <TradeHistory />
      </section>
    </div>
  );
}
