export default function SettingsPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <p className="text-slate-600">Trading mode, API tokens and your security log will appear here.</p>
    </div>
  );
}
