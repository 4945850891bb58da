export default function SignalsPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Signals</h1>
      <p className="text-slate-600">Strategies you can subscribe to and the orders they placed will appear here.</p>
    </div>
  );
}
