import { ApiTokensSection } from "./_components/api-tokens";
import { SecurityLog } from "./_components/security-log";
import { TradingModeSection } from "./_components/trading-mode";

export default function SettingsPage() {
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <TradingModeSection />
      <ApiTokensSection />
      <SecurityLog />
    </div>
  );
}
