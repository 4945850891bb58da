export default function KeysPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Exchange keys</h1>
      <p className="text-slate-600">Connect your own Binance and Bybit API keys here. Key connection is not available yet.</p>
    </div>
  );
}
