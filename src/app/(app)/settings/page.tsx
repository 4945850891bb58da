import Link from "next/link";
import { ApiTokensSection } from "./_components/api-tokens";
import { ChangePasswordSection } from "./_components/change-password";
import { SecurityLog } from "./_components/security-log";
import { SessionsSection } from "./_components/sessions";
import { TradingModeSection } from "./_components/trading-mode";
import { TwoFactorSection } from "./_components/two-factor";

export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ twoFactor?: string }> }) {
  const { twoFactor } = await searchParams;
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <Link href="/settings/notifications" className="inline-block text-sm font-medium text-brand-700 hover:underline">Notifications: email, Telegram and webhook channels →</Link>
      <TwoFactorSection requiredNotice={twoFactor === "required"} />
      <TradingModeSection />
      <ApiTokensSection />
      <ChangePasswordSection />
      <SessionsSection />
      <SecurityLog />
    </div>
  );
}
